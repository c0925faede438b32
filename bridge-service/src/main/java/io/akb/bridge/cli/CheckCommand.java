package io.akb.bridge.cli;

import io.akb.runtime.Source;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Validates a config against the spec and runs the connector's {@code check}. */
@Command(
    name = "check",
    description =
        "Check a config: validate it against the connector's spec, then let the connector try to"
            + " connect. Exit code 0 when it can.")
final class CheckCommand implements Runnable {
  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "NAME", description = "Connector name, e.g. source-faker.")
  String name;

  @Mixin ConnectorOptionsMixin connector;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    Source source = connector.source(name);
    source.check();
    PrintWriter out = spec.commandLine().getOut();
    out.println(name + ": check succeeded (" + source.executor().describe() + ")");
    out.flush();
  }
}
