package io.akb.runtime.destination;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.exec.LocalExecutor;
import io.akb.runtime.exec.LogTail;
import io.akb.runtime.exec.VenvExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The destinations AKB's tests write into, shared with the other modules through the test jar:
 *
 * <ul>
 *   <li>{@link #jsonLines}: a real destination on the Airbyte Python CDK (pinned {@code
 *       airbyte-cdk}), installed into a venv under the install dir like any connector. It writes
 *       one JSON line per record and echoes each STATE after an fsync.
 *   <li>{@link #misbehaving}: a small program that crashes on the Nth record or never echoes.
 * </ul>
 */
public final class TestDestinations {
  /** Name of the CDK test destination. */
  public static final String JSON_LINES = "destination-akb-jsonl";

  private static final String PACKAGE = "destinations/destination-akb-jsonl/";
  private static final List<String> PACKAGE_FILES =
      List.of(
          "pyproject.toml",
          "destination_akb_jsonl/__init__.py",
          "destination_akb_jsonl/destination.py",
          "destination_akb_jsonl/spec.json");

  private TestDestinations() {}

  /** The CDK test destination, writing into {@code config.directory}. */
  public static Destination jsonLines(JsonNode config) {
    return new Destination(JSON_LINES, config, jsonLinesExecutor(), ConnectorOptions.defaults());
  }

  /** A venv executor for the CDK test destination; the first call installs it (about a minute). */
  public static VenvExecutor jsonLinesExecutor() {
    Path source = unpackJsonLinesPackage(ConnectorOptions.defaultInstallDir());
    return new VenvExecutor(
        "airbyte-destination-akb-jsonl",
        null,
        source.toString(),
        JSON_LINES,
        ConnectorOptions.defaultInstallDir(),
        "python3",
        Duration.ofMinutes(15),
        Map.of(),
        LogTail.DEFAULT_LINES);
  }

  /**
   * The misbehaving program: {@code {"crash_after_records": N}} exits 1 on record N+1, {@code
   * {"echo_states": false}} never echoes a STATE.
   */
  public static Destination misbehaving(JsonNode config) {
    return new Destination(
        "misbehaving-destination",
        config,
        new LocalExecutor(List.of(misbehavingProgram().toString())),
        ConnectorOptions.defaults());
  }

  /** The misbehaving program as an executable file (a fresh copy, removed when the JVM exits). */
  public static Path misbehavingProgram() {
    try {
      Path script = Files.createTempFile("misbehaving-destination", ".py");
      script.toFile().deleteOnExit();
      try (InputStream in = resource("destinations/misbehaving-destination.py")) {
        Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      script.toFile().setExecutable(true);
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder pip installs the CDK test destination from (its pip URL). */
  public static Path jsonLinesPackage() {
    return unpackJsonLinesPackage(ConnectorOptions.defaultInstallDir());
  }

  /**
   * Copies the Python package out of the classpath (it may sit in a jar) into a folder named by its
   * content hash, so pip installs it from a stable path and a changed package gets a new venv.
   */
  static Path unpackJsonLinesPackage(Path installDir) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String file : PACKAGE_FILES) {
        try (InputStream in = resource(PACKAGE + file)) {
          digest.update(in.readAllBytes());
        }
      }
      String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
      Path target = installDir.resolve("packages").resolve("airbyte-destination-akb-jsonl-" + hash);
      if (!Files.exists(target.resolve(PACKAGE_FILES.get(0)))) {
        Path temp =
            Files.createTempDirectory(Files.createDirectories(target.getParent()), "unpack");
        for (String file : PACKAGE_FILES) {
          Path out = temp.resolve(file);
          Files.createDirectories(out.getParent());
          try (InputStream in = resource(PACKAGE + file)) {
            Files.copy(in, out);
          }
        }
        try {
          Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException alreadyThere) {
          // Another test JVM unpacked the same content first: use theirs.
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = TestDestinations.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("test resource missing: " + name);
    }
    return in;
  }
}
