package io.akb.bridge.cli;

import io.akb.runtime.Source;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --streams A,B}: which streams of the source to read; none given, or {@code *} (PyAirbyte's
 * {@code streams="*"}), means every stream.
 */
final class StreamsOption {
  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description = "Streams to read, comma-separated; * for every stream. Default: every stream.")
  private List<String> streams = List.of();

  /** The streams named, or an empty list for every stream. */
  List<String> selected() {
    return streams.contains(Source.ALL_STREAMS) ? List.of() : streams;
  }
}
