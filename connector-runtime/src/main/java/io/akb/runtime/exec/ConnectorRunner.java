package io.akb.runtime.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.MessageStream;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.secret.SecretMasker;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Runs one connector command through an executor and turns the process into a {@link
 * MessageStream}: the part every command (spec, check, discover, read, write) shares. The runner
 * owns the process lifecycle: it installs the connector on first use, masks secrets in every line
 * it keeps or logs, kills a connector that stays silent past the idle timeout, and turns a non-zero
 * exit or TRACE ERROR into an {@link AkbException} with the connector's last lines.
 *
 * <p>Immutable and thread-safe; each {@link #run} is one process.
 */
public final class ConnectorRunner {
  /** One daemon thread checks every running connector's idle time. */
  static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "akb-connector-watchdog");
            thread.setDaemon(true);
            return thread;
          });

  private final String connectorName;
  private final ConnectorExecutor executor;
  private final ConnectorOptions options;
  private final SecretMasker masker;
  private final Consumer<JsonNode> onConfigUpdate;

  /**
   * @param connectorName the connector's name, for messages and the logger ({@code
   *     io.akb.connector.<name>})
   * @param executor how the connector is started
   * @param options timeouts and limits
   * @param masker hides the config's secrets in log lines and errors
   * @param onConfigUpdate receives the new config of each CONTROL connector-config message, or null
   */
  public ConnectorRunner(
      String connectorName,
      ConnectorExecutor executor,
      ConnectorOptions options,
      SecretMasker masker,
      Consumer<JsonNode> onConfigUpdate) {
    this.connectorName = connectorName;
    this.executor = executor;
    this.options = options;
    this.masker = masker == null ? SecretMasker.none() : masker;
    this.onConfigUpdate = onConfigUpdate;
  }

  public ConnectorRunner(
      String connectorName, ConnectorExecutor executor, ConnectorOptions options) {
    this(connectorName, executor, options, SecretMasker.none(), null);
  }

  public String connectorName() {
    return connectorName;
  }

  public ConnectorExecutor executor() {
    return executor;
  }

  public SecretMasker masker() {
    return masker;
  }

  /** Installs the connector if needed, starts {@code invocation} and streams its messages. */
  public MessageStream run(ConnectorInvocation invocation) {
    executor.install();
    ConnectorProcess process = executor.start(invocation);
    return new ProcessMessageStream(
        connectorName + " " + invocation.command(),
        connectorName,
        process,
        invocation.stdin(),
        options,
        masker,
        onConfigUpdate);
  }

  /**
   * Runs {@code invocation} to its end and returns the first message of type {@code wanted} (the
   * SPEC of {@code spec}, the CATALOG of {@code discover}, ...).
   *
   * @throws AkbException when the run fails or the connector printed no such message
   */
  public AirbyteMessage runForResult(ConnectorInvocation invocation, AirbyteMessage.Type wanted) {
    AirbyteMessage result = null;
    try (MessageStream messages = run(invocation)) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (result == null && message.type() == wanted) {
          result = message;
        }
      }
      if (result == null) {
        throw new AkbException(
            connectorName + " " + invocation.command(),
            "the connector exited without printing a " + wanted + " message",
            messages.logTail(),
            "Check that " + executor.describe() + " is an Airbyte connector.",
            null);
      }
      return result;
    }
  }
}
