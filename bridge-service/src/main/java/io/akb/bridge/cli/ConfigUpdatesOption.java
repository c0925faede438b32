package io.akb.bridge.cli;

import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.control.ConfigUpdates;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config-updates-dir}: where the commands that run a connector with a config keep the
 * config updates it sends (a CONTROL message with an OAuth token it refreshed), so that the next
 * command starts with them. Only the adapter to {@link ConfigUpdates}, which stores, checks, merges
 * and masks.
 *
 * <p>Contract: the command-line runner of connector {@code NAME} is {@code akb-NAME}, one file for
 * every command ({@code check}, {@code read}, {@code write}, ...), so an update one command stored
 * is what the next starts with; {@code akb sync} passes the directory on to its Connect task
 * instead (whose runner is {@code connect-source-akb-sync-NAME}).
 */
final class ConfigUpdatesOption {
  /** The runner name of connector {@code NAME} on the command line is {@code akb-NAME}. */
  static final String RUNNER_PREFIX = "akb-";

  @Option(
      names = "--config-updates-dir",
      paramLabel = "DIR",
      description =
          "Where config updates the connector sends (a refreshed OAuth token) are kept, as"
              + " akb-NAME.json (private: 0700 directory, 0600 file; akb sync's Connect task"
              + " keeps the source's as connect-source-akb-sync-NAME.json); the next command for"
              + " NAME starts with them. Default: $"
              + ConfigUpdates.DIRECTORY_ENV
              + ", else ~/.local/state/akb/config-updates.")
  Path directory;

  /** The directory asked for on the command line, absolute; null when the default applies. */
  Path explicitDirectory() {
    return directory == null ? null : directory.toAbsolutePath().normalize();
  }

  /** The updates of the command-line runner of connector {@code connectorName}. */
  ConfigUpdates of(String connectorName) {
    Path dir = explicitDirectory();
    return ConfigUpdates.in(
        dir != null ? dir : ConfigUpdates.defaultDirectory(), RUNNER_PREFIX + connectorName);
  }

  /** {@code options} that keep {@code connectorName}'s updates here. */
  ConnectorOptions applyTo(ConnectorOptions options, String connectorName) {
    return options.withConfigUpdates(of(connectorName));
  }
}
