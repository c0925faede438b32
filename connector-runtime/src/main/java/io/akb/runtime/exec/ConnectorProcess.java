package io.akb.runtime.exec;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running connector. stdout carries protocol messages; stderr is captured by the process itself
 * (its last lines are kept for error messages). {@link #close()} kills the connector if it still
 * runs and removes its private files; closing early is how a reader stops a connector.
 */
public interface ConnectorProcess extends AutoCloseable {

  InputStream stdout();

  /** The connector's stdin; only for an invocation that asked for it. */
  OutputStream stdin();

  /** The last lines the connector wrote to stderr, oldest first, unmasked. */
  List<String> stderrTail();

  /** Waits for the exit; empty when it has not exited within the timeout. */
  Optional<Integer> waitFor(Duration timeout);

  boolean isAlive();

  /** Kills the connector now (and its children), without waiting. */
  void kill();

  @Override
  void close();

  /**
   * A finished "process" whose stdout is {@code output} and whose exit code is 0: for answers an
   * executor knows without running anything (a manifest's spec), and for tests.
   */
  static ConnectorProcess ofOutput(String output) {
    byte[] bytes = output.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new ConnectorProcess() {
      private final InputStream stdout = new java.io.ByteArrayInputStream(bytes);

      @Override
      public InputStream stdout() {
        return stdout;
      }

      @Override
      public OutputStream stdin() {
        return OutputStream.nullOutputStream();
      }

      @Override
      public List<String> stderrTail() {
        return List.of();
      }

      @Override
      public Optional<Integer> waitFor(Duration timeout) {
        return Optional.of(0);
      }

      @Override
      public boolean isAlive() {
        return false;
      }

      @Override
      public void kill() {}

      @Override
      public void close() {}
    };
  }
}
