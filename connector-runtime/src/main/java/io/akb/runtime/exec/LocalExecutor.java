package io.akb.runtime.exec;

import io.akb.runtime.AkbException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a connector program on this machine: an executable on PATH ({@code source-faker}), a path to
 * one, or a command prefix such as {@code [venv/bin/python, venv/bin/source-faker]}. Each run gets
 * its own private temp dir for the config, catalog and state files.
 */
public final class LocalExecutor implements ConnectorExecutor {
  private final List<String> command;
  private final Map<String, String> environment;
  private final int tailLines;

  /**
   * @param command the program and any arguments before the Airbyte command
   * @param environment variables added to the connector's environment
   * @param tailLines stderr lines kept for error messages
   */
  public LocalExecutor(List<String> command, Map<String, String> environment, int tailLines) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("a local executor needs a program to run");
    }
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.tailLines = tailLines;
  }

  public LocalExecutor(List<String> command) {
    this(command, Map.of(), LogTail.DEFAULT_LINES);
  }

  /** The program {@code name} on PATH, if there is one. */
  public static Optional<Path> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null || name.contains("/")) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "local program " + String.join(" ", command);
  }

  @Override
  public void install() {
    String program = command.get(0);
    boolean runnable =
        program.contains("/")
            ? Files.isExecutable(Path.of(program))
            : findOnPath(program).isPresent();
    if (!runnable) {
      throw new AkbException(
          "starting " + program,
          program.contains("/")
              ? "the file " + program + " does not exist or is not executable"
              : program + " is not on PATH",
          "Install the connector, give its full path, or let AKB install it from PyPI (no local"
              + " executable option).");
    }
  }

  @Override
  public ConnectorProcess start(ConnectorInvocation invocation) {
    PrivateTempDir files = PrivateTempDir.create();
    try {
      List<String> arguments = new ArrayList<>(command);
      arguments.add(invocation.command());
      files
          .writeArguments(invocation)
          .forEach(
              (flag, file) -> {
                arguments.add(flag);
                arguments.add(file.toString());
              });
      arguments.addAll(invocation.extraArguments());
      ProcessBuilder builder = new ProcessBuilder(arguments).directory(files.path().toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!invocation.stdin()) {
        process.getOutputStream().close();
      }
      return new LocalProcess(
          process,
          files,
          Path.of(command.get(command.size() - 1)).getFileName().toString(),
          tailLines);
    } catch (IOException e) {
      files.close();
      throw new AkbException(
          "starting " + describe(),
          e.getMessage(),
          "Check that the program exists and is executable.",
          e);
    } catch (RuntimeException e) {
      files.close();
      throw e;
    }
  }
}
