package io.akb.runtime;

import io.akb.runtime.protocol.AirbyteStateMessage;
import java.util.List;

/**
 * What one {@code write} into a destination achieved, PyAirbyte's {@code WriteResult} in Java.
 *
 * @param recordsWritten records sent to the destination
 * @param recordsConfirmed records the destination confirmed as persisted: those sent before the
 *     last state it echoed
 * @param confirmedStates the states the destination echoed, in order, as the source sent them
 *     (AKB's matching tag removed; the newest 10 000 at most); the last one per stream is where the
 *     next write resumes
 */
public record WriteResult(
    long recordsWritten, long recordsConfirmed, List<AirbyteStateMessage> confirmedStates) {

  public WriteResult {
    confirmedStates = List.copyOf(confirmedStates);
  }
}
