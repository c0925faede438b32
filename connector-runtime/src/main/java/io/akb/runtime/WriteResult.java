package io.akb.runtime;

import io.akb.runtime.protocol.AirbyteStateMessage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code write} into a destination achieved, PyAirbyte's {@code WriteResult} in Java.
 *
 * @param recordsWritten records sent to the destination
 * @param recordsConfirmed records the destination confirmed as persisted: those sent before the
 *     last state it echoed
 * @param confirmedStates the states the destination echoed, in order, as the source sent them
 *     (AKB's matching tag removed; the newest 10 000 at most); the last one per stream is where the
 *     next write resumes
 * @param writtenPerStream records sent, per stream name (empty when not counted per stream)
 * @param confirmedPerStream records confirmed, per stream name (streams sent but not confirmed show
 *     0; empty when not counted per stream)
 */
public record WriteResult(
    long recordsWritten,
    long recordsConfirmed,
    List<AirbyteStateMessage> confirmedStates,
    Map<String, Long> writtenPerStream,
    Map<String, Long> confirmedPerStream) {

  public WriteResult {
    confirmedStates = List.copyOf(confirmedStates);
    writtenPerStream = Collections.unmodifiableMap(new LinkedHashMap<>(writtenPerStream));
    confirmedPerStream = Collections.unmodifiableMap(new LinkedHashMap<>(confirmedPerStream));
  }

  /** A result without per-stream counts. */
  public WriteResult(
      long recordsWritten, long recordsConfirmed, List<AirbyteStateMessage> confirmedStates) {
    this(recordsWritten, recordsConfirmed, confirmedStates, Map.of(), Map.of());
  }

  /** The result of a write that had nothing to send, so no destination ran. */
  public static WriteResult nothingToWrite() {
    return new WriteResult(0, 0, List.of());
  }

  /** This result with per-stream counts. */
  public WriteResult withStreamCounts(
      Map<String, Long> writtenPerStream, Map<String, Long> confirmedPerStream) {
    return new WriteResult(
        recordsWritten, recordsConfirmed, confirmedStates, writtenPerStream, confirmedPerStream);
  }
}
