package io.akb.runtime.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.MessageStream;
import io.akb.runtime.protocol.AirbyteErrorTraceMessage;
import io.akb.runtime.protocol.AirbyteLogMessage;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import io.akb.runtime.protocol.AirbyteTraceMessage;
import io.akb.runtime.secret.SecretMasker;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link MessageStream} of a running connector process; see there for the contract. */
final class ProcessMessageStream implements MessageStream {
  /** What to do about a connector killed for its silence: every place the timeout is set. */
  static final String IDLE_TIMEOUT_HINT =
      "It may be stuck on a slow or unreachable service. If it is only slow, raise the idle"
          + " timeout: --idle-timeout of akb read and akb sync (such as --idle-timeout 30m; 0"
          + " waits forever), airbyte.idle.timeout.ms of the Kafka Connect connector, or"
          + " ConnectorOptions.withIdleTimeout in Java.";

  /** How long a connector may take to exit after closing its stdout. */
  private static final Duration EXIT_GRACE = Duration.ofSeconds(60);

  private final String what;
  private final ConnectorProcess process;
  private final boolean hasStdin;
  private final AirbyteMessageReader reader;

  /** Replaced when a CONTROL message brings new secrets; read by the caller's thread only. */
  private SecretMasker masker;

  private final Consumer<JsonNode> onConfigUpdate;
  private final LogTail logTail;
  private final Logger connectorLog;
  private final Duration idleTimeout;
  private final ScheduledFuture<?> watchdog;

  /** When the reader started waiting for the current line (nanoTime), 0 when not waiting. */
  private volatile long waitingSince;

  private volatile boolean timedOut;
  private volatile boolean closed;

  private AirbyteMessage next;
  private AirbyteErrorTraceMessage traceError;
  private boolean ended;
  private AkbException failure;

  ProcessMessageStream(
      String what,
      String connectorName,
      ConnectorProcess process,
      boolean hasStdin,
      ConnectorOptions options,
      SecretMasker masker,
      Consumer<JsonNode> onConfigUpdate) {
    this.what = what;
    this.process = process;
    this.hasStdin = hasStdin;
    this.reader = new AirbyteMessageReader(process.stdout(), options.maxLineBytes());
    this.masker = masker;
    this.onConfigUpdate = onConfigUpdate;
    this.logTail = new LogTail(options.logTailLines());
    this.connectorLog = LoggerFactory.getLogger("io.akb.connector." + connectorName);
    this.idleTimeout = options.idleTimeout();
    if (idleTimeout.isZero() || idleTimeout.isNegative()) {
      this.watchdog = null;
    } else {
      long period = Math.max(10, Math.min(1_000, idleTimeout.toMillis() / 4));
      this.watchdog =
          ConnectorRunner.WATCHDOG.scheduleAtFixedRate(
              this::killIfIdle, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Runs on the watchdog thread: a connector silent for too long is killed, ending the read. */
  private void killIfIdle() {
    long since = waitingSince;
    if (since != 0 && System.nanoTime() - since > idleTimeout.toNanos() && !closed) {
      timedOut = true;
      process.kill();
    }
  }

  @Override
  public boolean hasNext() {
    if (failure != null) {
      throw failure;
    }
    if (next != null) {
      return true;
    }
    if (ended || closed) {
      return false;
    }
    AirbyteMessage message;
    waitingSince = System.nanoTime();
    try {
      message = reader.next();
    } catch (AkbException lineTooLong) {
      process.kill();
      throw fail(lineTooLong.why(), lineTooLong.hint());
    } catch (UncheckedIOException e) {
      if (closed) {
        return false;
      }
      message = null; // a killed process's pipe may fail instead of ending: treat it as the end
    } finally {
      waitingSince = 0;
    }
    if (message == null) {
      end();
      return false;
    }
    next = accept(message);
    return true;
  }

  @Override
  public boolean ready() {
    if (failure != null || next != null || ended || closed) {
      return true;
    }
    return reader.ready();
  }

  @Override
  public AirbyteMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    AirbyteMessage message = next;
    next = null;
    return message;
  }

  /** Masks, logs and remembers what the error message will need; returns what the caller sees. */
  private AirbyteMessage accept(AirbyteMessage message) {
    switch (message.type()) {
      case LOG -> {
        AirbyteLogMessage log = message.log();
        String text = masker.mask(log == null ? "" : log.message());
        String stackTrace = log == null ? null : masker.mask(log.stackTrace());
        AirbyteLogMessage.Level level =
            log == null || log.level() == null ? AirbyteLogMessage.Level.INFO : log.level();
        logTail.add(level + " " + text);
        logToSlf4j(level, text);
        return AirbyteMessage.of(
            new AirbyteLogMessage(
                level, text, stackTrace, log == null ? null : log.unknownFields()));
      }
      case TRACE -> {
        AirbyteTraceMessage trace = message.trace();
        if (trace != null
            && trace.type() == AirbyteTraceMessage.TraceType.ERROR
            && trace.error() != null) {
          AirbyteErrorTraceMessage error = maskError(trace.error());
          if (traceError == null) {
            traceError = error;
          }
          logTail.add("TRACE ERROR " + error.message());
          if (error.internalMessage() != null) {
            logTail.add("  internal: " + error.internalMessage());
          }
          connectorLog.warn("{}: {}", what, error.message());
          return AirbyteMessage.of(
              new AirbyteTraceMessage(
                  trace.type(),
                  trace.emittedAt(),
                  error,
                  trace.estimate(),
                  trace.streamStatus(),
                  trace.analytics(),
                  trace.unknownFields()));
        }
        return message;
      }
      case CONTROL -> {
        JsonNode newConfig =
            message.control() == null || message.control().connectorConfig() == null
                ? null
                : message.control().connectorConfig().config();
        if (newConfig != null) {
          masker = masker.withConfig(newConfig); // the new config may hold a new token
          if (onConfigUpdate != null) {
            try {
              onConfigUpdate.accept(newConfig);
            } catch (AkbException notStored) {
              // An update that cannot be kept fails the run: its next run would use a stale token.
              process.kill();
              throw fail(
                  "its config update (CONTROL message) could not be stored: " + notStored.summary(),
                  null);
            }
          }
        }
        return message;
      }
      default -> {
        return message;
      }
    }
  }

  private AirbyteErrorTraceMessage maskError(AirbyteErrorTraceMessage error) {
    return new AirbyteErrorTraceMessage(
        masker.mask(error.message()),
        masker.mask(error.internalMessage()),
        masker.mask(error.stackTrace()),
        error.failureType(),
        error.streamDescriptor(),
        error.unknownFields());
  }

  private void logToSlf4j(AirbyteLogMessage.Level level, String text) {
    switch (level) {
      case FATAL, ERROR -> connectorLog.error(text);
      case WARN -> connectorLog.warn(text);
      case TRACE -> connectorLog.trace(text);
      default -> connectorLog.debug(text);
    }
  }

  /** At the end of stdout: waits for the exit and decides whether the run failed. */
  private void end() {
    ended = true;
    cancelWatchdog();
    if (closed) {
      return;
    }
    Optional<Integer> exit = process.waitFor(EXIT_GRACE);
    if (timedOut) {
      throw fail(
          "the connector printed nothing for " + describe(idleTimeout) + " (the idle timeout)",
          IDLE_TIMEOUT_HINT);
    }
    if (exit.isEmpty()) {
      process.kill();
      throw fail(
          "the connector closed its output but did not exit within " + describe(EXIT_GRACE),
          "This is a connector bug; it was killed.");
    }
    int code = exit.get();
    if (traceError != null) {
      throw fail(
          "the connector reported an error"
              + (traceError.failureType() == null ? "" : " (" + traceError.failureType() + ")")
              + ": "
              + traceError.message()
              + (code == 0 ? "" : " (exit code " + code + ")"),
          "config_error".equals(traceError.failureType())
              ? "Check the config against the connector's spec."
              : "See the connector's log lines below.");
    }
    if (code != 0) {
      throw fail(
          "the connector exited with code " + code,
          code == 137 || code == 143
              ? "It was killed (out of memory, or by another process)."
              : "See the connector's log lines below.");
    }
    process.close();
  }

  private AkbException fail(String why, String hint) {
    cancelWatchdog();
    ended = true;
    List<String> tail = logTail();
    process.close();
    failure = new AkbException(what, masker.mask(why), tail, hint, null);
    return failure;
  }

  private static String describe(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds >= 60 && seconds % 60 == 0
        ? seconds / 60 + " min"
        : duration.toMillis() / 1000.0 + " s";
  }

  @Override
  public OutputStream stdin() {
    if (!hasStdin) {
      return MessageStream.super.stdin();
    }
    return process.stdin();
  }

  @Override
  public List<String> logTail() {
    List<String> lines = new ArrayList<>(logTail.lines());
    process.stderrTail().forEach(line -> lines.add("stderr: " + line));
    return masker.mask(lines);
  }

  @Override
  public void close() {
    closed = true;
    cancelWatchdog();
    process.close();
  }

  private void cancelWatchdog() {
    if (watchdog != null) {
      watchdog.cancel(false);
    }
  }

  @Override
  public String toString() {
    return what;
  }
}
