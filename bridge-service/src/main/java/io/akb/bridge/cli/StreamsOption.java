package io.akb.bridge.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** {@code --streams A,B}: which streams of the source to read; empty means every stream. */
final class StreamsOption {
  @Option(
      names = "--streams",
      split = ",",
      paramLabel = "STREAM",
      description = "Streams to read, comma-separated. Default: every stream of the source.")
  List<String> streams = List.of();
}
