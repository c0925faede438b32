package io.akb.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} command line (and the scripts around it) run as a user runs them: every
 * command's output goes to a log file under {@code target/}, and a failing command fails the test
 * with the end of that log.
 */
final class Docker {
  /** The repository root: the build context of both Dockerfiles. */
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private static final Path LOGS = Path.of("target", "docker-logs");

  private Docker() {}

  /** Whether a Docker engine answers on this machine. */
  static boolean engineAnswers() {
    try {
      Process process = new ProcessBuilder("docker", "info").redirectErrorStream(true).start();
      process.getInputStream().transferTo(OutputStream.nullOutputStream());
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false; // no docker command
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Runs {@code command} in the repository root with its output in {@code
   * target/docker-logs/<log>}; returns that output once it exited 0 within {@code timeoutMinutes}.
   */
  static String run(String log, int timeoutMinutes, String... command)
      throws IOException, InterruptedException {
    return run(log, timeoutMinutes, Map.of(), command);
  }

  /** {@link #run(String, int, String...)} with {@code environment} added to this JVM's. */
  static String run(
      String log, int timeoutMinutes, Map<String, String> environment, String... command)
      throws IOException, InterruptedException {
    Files.createDirectories(LOGS);
    Path logFile = LOGS.resolve(log);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    boolean exited = process.waitFor(timeoutMinutes, TimeUnit.MINUTES);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    String output = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(exited && process.exitValue() == 0)
        .as(
            "%s %s (log %s):%n%s",
            String.join(" ", command),
            exited ? "exited " + process.exitValue() : "did not end in " + timeoutMinutes + " min",
            logFile.toAbsolutePath(),
            tail(output))
        .isTrue();
    return output;
  }

  /** Starts a detached container on the host network; returns its name. */
  static String start(String name, List<String> options, String image)
      throws IOException, InterruptedException {
    run("rm-" + name + ".log", 2, "docker", "rm", "-f", name);
    List<String> command = new ArrayList<>(List.of("docker", "run", "-d"));
    command.addAll(List.of("--name", name, "--network", "host"));
    command.addAll(options);
    command.add(image);
    run("run-" + name + ".log", 2, command.toArray(String[]::new));
    return name;
  }

  /** The container's log so far, for failure messages. */
  static String logs(String container) {
    try {
      return tail(run("logs-" + container + ".log", 1, "docker", "logs", container));
    } catch (IOException | InterruptedException | AssertionError e) {
      return "(no log of " + container + ": " + e.getMessage() + ")";
    }
  }

  /** Removes the container with its log kept under target/docker-logs. */
  static void remove(String container) {
    try {
      run("logs-" + container + ".log", 1, "docker", "logs", container);
      run("rm-" + container + ".log", 2, "docker", "rm", "-f", container);
    } catch (IOException | InterruptedException | AssertionError e) {
      // a container left behind is removed by the next run's start
    }
  }

  static String tail(String output) {
    List<String> lines = output.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
