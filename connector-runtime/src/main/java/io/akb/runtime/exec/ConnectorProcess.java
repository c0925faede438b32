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
}
