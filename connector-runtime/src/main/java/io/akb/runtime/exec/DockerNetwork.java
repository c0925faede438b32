package io.akb.runtime.exec;

import io.akb.runtime.AkbException;
import java.util.Locale;

/**
 * The network a connector container gets. Only these two: AKB never puts a connector on a Docker
 * bridge network, so it needs neither iptables nor a bridge on the engine's host.
 */
public enum DockerNetwork {
  /** The host's network: the connector reaches what the host reaches (APIs, local databases). */
  HOST("host"),
  /** No network at all: for connectors that only read or write mounted files. */
  NONE("none");

  private final String mode;

  DockerNetwork(String mode) {
    this.mode = mode;
  }

  /** The engine's network mode, as {@code docker run --network} takes it. */
  public String mode() {
    return mode;
  }

  /** Parses {@code host} or {@code none} (any case), failing with the allowed values. */
  public static DockerNetwork fromOption(String value) {
    for (DockerNetwork network : values()) {
      if (network.mode.equals(value == null ? "" : value.trim().toLowerCase(Locale.ROOT))) {
        return network;
      }
    }
    throw new AkbException(
        "Docker network option",
        "'" + value + "' is not a network AKB runs connectors on",
        "Use 'host' (the default) or 'none'.");
  }
}
