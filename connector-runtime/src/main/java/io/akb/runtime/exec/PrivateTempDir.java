package io.akb.runtime.exec;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A temp directory only the current user can read (0700, files 0600), for a connector's config,
 * catalog and state: they hold secrets. {@link #close()} deletes it with everything in it.
 */
public final class PrivateTempDir implements AutoCloseable {
  private final Path dir;

  private PrivateTempDir(Path dir) {
    this.dir = dir;
  }

  /** Creates a new private directory under {@code java.io.tmpdir}. */
  public static PrivateTempDir create() {
    try {
      return new PrivateTempDir(
          Files.createTempDirectory(
              "akb-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    } catch (IOException e) {
      throw new AkbException(
          "creating a private temp directory",
          e.toString(),
          "Check that java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ") is writable.",
          e);
    }
  }

  public Path path() {
    return dir;
  }

  /** Writes {@code text} to a new 0600 file named {@code name} in this directory. */
  public Path write(String name, String text) {
    Path file = dir.resolve(name);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }

  /**
   * Writes an invocation's file arguments ({@code --config} to JSON text) to files named after the
   * flag ({@code config.json}), returning flag to path in the invocation's order.
   */
  public Map<String, Path> writeArguments(ConnectorInvocation invocation) {
    Map<String, Path> paths = new LinkedHashMap<>();
    invocation
        .fileArguments()
        .forEach(
            (flag, json) -> paths.put(flag, write(flag.replaceFirst("^-+", "") + ".json", json)));
    return paths;
  }

  /** Deletes the directory and its files; never throws (a leftover file is only logged). */
  @Override
  public void close() {
    try {
      deleteRecursively(dir);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(PrivateTempDir.class)
          .warn("Could not delete the private temp directory {}: {}", dir, e.toString());
    }
  }

  /** Deletes {@code root} and everything under it; a missing file is not an error. */
  public static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
