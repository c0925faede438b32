package io.akb.bridge.cli;

import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.SyncMode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists the streams a source offers with its config. */
@Command(
    name = "discover",
    description =
        "List the streams the source offers with this config: sync modes, primary key, cursor.")
final class DiscoverCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Source name, e.g. source-faker.")
  String name;

  @Mixin ConnectorOptionsMixin connector;

  @Option(
      names = "--json",
      description = "Print the connector's catalog as JSON instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    AirbyteCatalog catalog = connector.source(name).discoveredCatalog();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(AirbyteJson.toJson(catalog));
    } else {
      TextTable table = new TextTable("STREAM", "SYNC MODES", "PRIMARY KEY", "CURSOR");
      for (AirbyteStream stream : catalog.streams()) {
        table.add(
            stream.namespace() == null ? stream.name() : stream.namespace() + "." + stream.name(),
            syncModes(stream.supportedSyncModes()),
            primaryKey(stream.sourceDefinedPrimaryKey()),
            stream.defaultCursorField() == null || stream.defaultCursorField().isEmpty()
                ? "-"
                : String.join(".", stream.defaultCursorField()));
      }
      table.print(out);
    }
    out.flush();
  }

  private static String syncModes(List<SyncMode> modes) {
    return modes == null || modes.isEmpty()
        ? "-"
        : modes.stream()
            .map(mode -> mode.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(","));
  }

  /** Key fields joined by ", ", each field's path by "." (Airbyte keys are lists of paths). */
  private static String primaryKey(List<List<String>> key) {
    return key == null || key.isEmpty()
        ? "-"
        : key.stream().map(path -> String.join(".", path)).collect(Collectors.joining(", "));
  }
}
