package io.akb.runtime.exec;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temp directory only the current user can read (0700, files 0600), for a connector's config,
 * catalog and state: they hold secrets. {@link #close()} deletes it with everything in it.
 *
 * <p>A JVM killed with SIGKILL never closes its directories, and they keep the secrets. So each
 * directory records its owner: its name is {@code akb-<pid>-<random>} and its {@value #OWNER_FILE}
 * file holds the owner's PID and start time. Creating a directory first removes the stale ones of
 * this user in the same parent: those whose owner no longer runs, or whose PID now belongs to a
 * process started at another time (a restarted container reuses PIDs). A connector such a JVM left
 * running (its command line names the stale directory) is stopped first.
 */
public final class PrivateTempDir implements AutoCloseable {
  /** The file in each directory naming its owner: {@code <pid> <start time, epoch ms>}. */
  static final String OWNER_FILE = ".akb-owner";

  private static final Pattern NAME = Pattern.compile("akb-(\\d+)-.+");
  private static final long START_TIME_TOLERANCE_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(PrivateTempDir.class);

  private final Path dir;

  private PrivateTempDir(Path dir) {
    this.dir = dir;
  }

  /** Creates a new private directory under {@code java.io.tmpdir}, removing stale ones first. */
  public static PrivateTempDir create() {
    return create(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** Creates a new private directory under {@code parent}, removing stale ones there first. */
  static PrivateTempDir create(Path parent) {
    removeStale(parent);
    ProcessHandle self = ProcessHandle.current();
    try {
      Path dir =
          Files.createTempDirectory(
              parent,
              "akb-" + self.pid() + "-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      PrivateTempDir created = new PrivateTempDir(dir);
      created.write(OWNER_FILE, self.pid() + " " + startMillis(self));
      return created;
    } catch (IOException e) {
      throw new AkbException(
          "creating a private temp directory",
          e.toString(),
          "Check that " + parent + " (java.io.tmpdir) is writable.",
          e);
    }
  }

  /**
   * Deletes this user's {@code akb-<pid>-*} directories in {@code parent} whose owner is gone.
   * Never throws: a directory that cannot be read or deleted is left (and logged).
   */
  static void removeStale(Path parent) {
    String me = System.getProperty("user.name");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, "akb-*")) {
      for (Path entry : entries) {
        Matcher name = NAME.matcher(entry.getFileName().toString());
        if (!name.matches()
            || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
            || !me.equals(Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName())
            || !isStale(entry, Long.parseLong(name.group(1)))) {
          continue;
        }
        stopOrphans(entry);
        try {
          deleteRecursively(entry);
          log.info("Removed {}, left by process {} which no longer runs", entry, name.group(1));
        } catch (IOException e) {
          log.warn("Could not remove the stale private temp directory {}: {}", entry, e.toString());
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug(
          "Could not look for stale private temp directories in {}: {}", parent, e.toString());
    }
  }

  /**
   * Stops the connectors a killed JVM left running: processes whose command line names a file in
   * its stale directory (a connector gets {@code --config <dir>/config.json}). Without its reader a
   * connector blocks or spins for ever, holding its source's resources.
   */
  private static void stopOrphans(Path staleDir) {
    String marker = staleDir.toAbsolutePath() + "/";
    ProcessHandle.allProcesses()
        .filter(process -> process.pid() != ProcessHandle.current().pid())
        .filter(process -> process.info().commandLine().filter(c -> c.contains(marker)).isPresent())
        .forEach(
            orphan -> {
              log.warn(
                  "Stopping process {}, a connector left running by the process that owned {}",
                  orphan.pid(),
                  staleDir);
              orphan.destroy();
              try {
                orphan.onExit().get(5, TimeUnit.SECONDS);
              } catch (Exception notYet) {
                orphan.destroyForcibly();
              }
            });
  }

  /**
   * Whether the owner of a directory is gone: no process has its PID, or the process with that PID
   * started at another time than the one the owner file records. Without an owner file (being
   * created right now), only a dead PID makes it stale.
   */
  private static boolean isStale(Path dir, long pid) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    Path owner = dir.resolve(OWNER_FILE);
    try {
      String[] recorded = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ");
      long recordedStart = Long.parseLong(recorded[1]);
      long actualStart = startMillis(process.get());
      return recordedStart >= 0
          && actualStart >= 0
          && Math.abs(recordedStart - actualStart) > START_TIME_TOLERANCE_MS;
    } catch (IOException | RuntimeException unknown) {
      return false;
    }
  }

  /** When a process started, epoch ms; -1 when the system does not say. */
  private static long startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
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
      log.warn("Could not delete the private temp directory {}: {}", dir, e.toString());
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
