package io.akb.bridge.cli;

import io.akb.bridge.BridgeMain;
import io.akb.runtime.AkbException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Unmatched;

/**
 * {@code akb serve}: the bridge service until Ctrl-C or SIGTERM. Quarkus starts only from its
 * packaged application ({@code target/quarkus-app/quarkus-run.jar}, whose main is {@link
 * BridgeMain}), not from the command line's plain class path, so the service runs in a child JVM
 * with this one's output; {@code -Dname=value} arguments become its system properties.
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : properties) {
      if (!argument.startsWith("-D") || !argument.contains("=")) {
        throw new AkbException(
            "starting the bridge service",
            "'" + argument + "' is not a -Dname=value property",
            "Pass properties as -Dquarkus.http.port=8081; see 'akb serve --help'.");
      }
      command.add(argument);
    }
    command.add("-jar");
    command.add(quarkusRunJar().toString());
    try {
      Process service = new ProcessBuilder(command).inheritIO().start();
      // Ctrl-C reaches the child too; this hook covers a SIGTERM sent to this JVM alone.
      Runtime.getRuntime().addShutdownHook(new Thread(service::destroy, "akb-serve-stop"));
      int exit = service.waitFor();
      if (exit != 0 && exit != 130 && exit != 143) {
        throw new AkbException(
            "running the bridge service",
            "it exited with code " + exit,
            "See its log above; check the akb.* properties and that the HTTP port is free.");
      }
    } catch (IOException e) {
      throw new AkbException(
          "starting the bridge service", e.toString(), "Check the Java installation.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The packaged service next to the jar this command runs from. */
  private static Path quarkusRunJar() {
    Path jar;
    try {
      jar = Path.of(ServeCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    // target/bridge-service-*.jar, or target/classes when run from an IDE.
    Path target = jar.getParent();
    Path runJar = target.resolve("quarkus-app").resolve("quarkus-run.jar");
    if (!Files.isRegularFile(runJar)) {
      throw new AkbException(
          "starting the bridge service",
          "there is no packaged service at " + runJar,
          "Build it with './mvnw -B install -DskipTests' (./akb does so when sources changed).");
    }
    return runJar;
  }
}
