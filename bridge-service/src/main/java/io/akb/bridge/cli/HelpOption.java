package io.akb.bridge.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} for the subcommands. Not picocli's standard help mixin: its {@code --version}
 * would clash with the connector's {@code --version} option.
 */
final class HelpOption {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  boolean help;
}
