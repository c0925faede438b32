package io.akb.bridge.cli;

import io.akb.bridge.BridgeMain;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Unmatched;

/**
 * {@code akb serve}: the bridge service ({@link BridgeMain#serve}) in this process, until Ctrl-C or
 * SIGTERM. {@code -Dname=value} arguments become system properties first, so any Quarkus or AKB
 * property can be set on the command line.
 */
@Command(
    name = "serve",
    description =
        "Start the bridge service (the Quarkus application: targets, REST API, health, metrics)"
            + " and run until Ctrl-C. Configuration: application.properties, the environment, and"
            + " -Dname=value arguments (any quarkus.* or akb.* property), such as"
            + " -Dquarkus.http.port=8081.")
final class ServeCommand implements Runnable {
  @Mixin HelpOption help;

  /** {@code -Dname=value} arguments; picocli would take them for unknown options otherwise. */
  @Unmatched List<String> properties = new ArrayList<>();

  @Override
  public void run() {
    List<String> rest = new ArrayList<>();
    for (String argument : properties) {
      if (argument.startsWith("-D") && argument.contains("=")) {
        int equals = argument.indexOf('=');
        System.setProperty(argument.substring(2, equals), argument.substring(equals + 1));
      } else {
        rest.add(argument);
      }
    }
    BridgeMain.serve(rest.toArray(String[]::new));
  }
}
