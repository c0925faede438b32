package io.akb.bridge.cli;

import io.akb.runtime.registry.ConnectorMetadata;
import io.akb.runtime.registry.ConnectorRegistry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Lists the connectors of the registry, like PyAirbyte's {@code get_available_connectors}: each
 * with its version, how AKB would run it here by default ({@link ConnectorMetadata#runner()}), its
 * PyPI package, Docker image and how many released versions the registry records, then what the
 * registry notes about the listed ones; with {@code --versions}, each one's recorded versions.
 */
@Command(
    name = "connectors",
    description =
        "List the connectors AKB knows (the registry snapshot, or $AKB_REGISTRY): name, version,"
            + " how it runs here (venv from PyPI, Docker image, manifest, not runnable), PyPI"
            + " package, Docker image, the number of released versions recorded; then the"
            + " registry's notes on them.")
final class ConnectorsCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(
      arity = "0..1",
      paramLabel = "FILTER",
      description = "Only connectors whose name contains this text (case-insensitive).")
  String filter;

  @Option(
      names = "--type",
      paramLabel = "source|destination",
      description = "Only sources or only destinations. Default: both.")
  ConnectorMetadata.Kind kind;

  @Option(
      names = "--versions",
      description =
          "Also list each connector's released versions the registry records, oldest first"
              + " (any of them installs with --version; PyPI may have newer ones).")
  boolean versions;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    ConnectorRegistry registry = ConnectorRegistry.getDefault();
    List<ConnectorMetadata> connectors =
        (kind == null
                ? registry.names().stream().map(registry::get).toList()
                : registry.connectors(kind))
            .stream()
                .filter(
                    c ->
                        filter == null
                            || c.name()
                                .toLowerCase(Locale.ROOT)
                                .contains(filter.toLowerCase(Locale.ROOT)))
                .toList();
    TextTable table =
        new TextTable("NAME", "VERSION", "RUNS HERE", "PYPI PACKAGE", "DOCKER IMAGE", "VERSIONS");
    connectors.forEach(
        c ->
            table.add(
                c.name(),
                orDash(c.version()),
                c.runner().description(),
                orDash(c.pypiPackage()),
                orDash(c.dockerRepository()),
                c.versions().isEmpty() ? "-" : String.valueOf(c.versions().size())));
    PrintWriter out = spec.commandLine().getOut();
    table.print(out);
    out.println(
        connectors.size()
            + (connectors.size() == 1 ? " connector" : " connectors")
            + ", from "
            + registry.origin());
    for (ConnectorMetadata c : connectors) {
      if (c.manifestInWheel() != null) {
        out.println(c.name() + ": declarative; its wheel ships " + c.manifestInWheel());
      }
      if (c.note() != null) {
        out.println(c.name() + ": " + c.note());
      }
    }
    if (versions) {
      for (ConnectorMetadata c : connectors) {
        out.println(
            c.name()
                + " versions: "
                + (c.versions().isEmpty()
                    ? "not recorded"
                        + (c.pypiPackage() == null
                            ? ""
                            : " (pip index versions " + c.pypiPackage() + " lists them)")
                    : String.join(" ", c.versions())));
      }
    }
    out.flush();
  }

  private static String orDash(String value) {
    return value == null ? "-" : value;
  }
}
