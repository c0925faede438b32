package io.akb.bridge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the JSON schema a connector's config must match. */
@Command(
    name = "spec",
    description =
        "Print the connector's config specification (the JSON schema of --config), installing the"
            + " connector first if needed.")
final class SpecCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Connector name, e.g. source-faker.")
  String name;

  @Mixin ExecutorOptions executor;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    JsonNode noConfig = null;
    out.println(
        Airbyte.getSource(name, noConfig, executor.toConnectorOptions())
            .configSpec()
            .toPrettyString());
    out.flush();
  }
}
