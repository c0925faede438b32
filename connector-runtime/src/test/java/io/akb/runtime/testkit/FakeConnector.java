package io.akb.runtime.testkit;

import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Small connector programs written by a test, to make a connector misbehave on purpose: exit
 * mid-stream, print garbage, hang, print a huge line. Each is a bash script that ignores its
 * arguments unless told otherwise; run it with {@link #executor} or through {@link
 * ConnectorOptions#withLocalExecutable}.
 */
public final class FakeConnector {
  private final Path script;

  private FakeConnector(Path script) {
    this.script = script;
  }

  /** A bash script with this body (after {@code set -u}), made executable in {@code dir}. */
  public static FakeConnector bash(Path dir, String name, String body) {
    Path script = dir.resolve(name);
    try {
      Files.writeString(script, "#!/usr/bin/env bash\nset -u\n" + body + "\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FakeConnector(script);
  }

  /** Prints {@code lines} on stdout, then exits with {@code exitCode}. */
  public static FakeConnector printing(Path dir, List<String> lines, int exitCode) {
    StringBuilder body = new StringBuilder("cat <<'AKB_EOF'\n");
    lines.forEach(line -> body.append(line).append('\n'));
    body.append("AKB_EOF\nexit ").append(exitCode);
    return bash(dir, "printing-connector", body.toString());
  }

  /** A RECORD line of {@code stream} with {@code {"id": id}}. */
  public static String record(String stream, int id) {
    return "{\"type\":\"RECORD\",\"record\":{\"stream\":\""
        + stream
        + "\",\"data\":{\"id\":"
        + id
        + "},\"emitted_at\":1700000000000}}";
  }

  /** A STREAM STATE line of {@code stream} with {@code {"cursor": cursor}}. */
  public static String state(String stream, int cursor) {
    return "{\"type\":\"STATE\",\"state\":{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":"
        + "{\"name\":\""
        + stream
        + "\"},\"stream_state\":{\"cursor\":"
        + cursor
        + "}}}}";
  }

  /** A LOG line. */
  public static String log(String level, String message) {
    return "{\"type\":\"LOG\",\"log\":{\"level\":\""
        + level
        + "\",\"message\":\""
        + message
        + "\"}}";
  }

  public Path path() {
    return script;
  }

  /** Runs this script as a local program. */
  public LocalExecutor executor() {
    return new LocalExecutor(List.of(script.toString()));
  }

  /** Options that run this script for any connector name. */
  public ConnectorOptions options() {
    return ConnectorOptions.defaults().withLocalExecutable(script.toString());
  }
}
