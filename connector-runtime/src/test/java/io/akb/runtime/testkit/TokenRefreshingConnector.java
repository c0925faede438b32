package io.akb.runtime.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

/**
 * A connector program (a bash script speaking the Airbyte protocol, source and destination in one)
 * that refreshes its OAuth token as real connectors do: a run started with any token but the
 * refreshed one sends a CONTROL {@code connectorConfig} message holding its config with the new
 * token, then logs that token on stdout (a LOG message) and stderr, where AKB must mask it. Every
 * run appends {@code <command> <token it was started with>} to its witness file, the config's
 * {@code witness} field, so a test sees which token each run got.
 *
 * <p>{@code read} sends one record of stream {@code runs}, {@code {"run": <n>}}, and a state;
 * {@code write} echoes every STATE it is sent. {@code check} succeeds at once, unless the config's
 * {@code on_check} is {@code refresh}: then it is a run like the others (witnessed, refreshing).
 * The spec: {@code access_token} (required, {@code airbyte_secret}), {@code witness} (required),
 * {@code client_id} (a string), {@code on_check} and {@code update}: {@code invalid} makes the
 * CONTROL config break the spec ({@code "client_id": 42}).
 *
 * <p>The refreshed token is {@code tok-2-SENTINEL-<random>}, written only into the script, never
 * into a config AKB is given: wherever it shows, AKB learned it from the CONTROL message.
 */
public final class TokenRefreshingConnector {
  /** The token the given config holds. */
  public static final String FIRST_TOKEN = "tok-1-initial";

  private static final String SPEC =
      "{\"type\":\"SPEC\",\"spec\":{\"connectionSpecification\":{\"type\":\"object\","
          + "\"required\":[\"access_token\",\"witness\"],\"properties\":{"
          + "\"access_token\":{\"type\":\"string\",\"airbyte_secret\":true},"
          + "\"client_id\":{\"type\":\"string\"},\"witness\":{\"type\":\"string\"},"
          + "\"on_check\":{\"type\":\"string\",\"enum\":[\"refresh\"]},"
          + "\"update\":{\"type\":\"string\",\"enum\":[\"valid\",\"invalid\"]}}},"
          + "\"supported_destination_sync_modes\":[\"append\",\"overwrite\"]}}";

  private static final String SUCCEEDED =
      "{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}";

  private static final String CATALOG =
      "{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":\"runs\",\"json_schema\":"
          + "{\"type\":\"object\",\"properties\":{\"run\":{\"type\":\"integer\"}}},"
          + "\"supported_sync_modes\":[\"full_refresh\"]}]}}";

  private final Path program;
  private final Path witness;
  private final String refreshedToken;

  private TokenRefreshingConnector(Path program, Path witness, String refreshedToken) {
    this.program = program;
    this.witness = witness;
    this.refreshedToken = refreshedToken;
  }

  /** Writes the program and an empty witness file into {@code dir}. */
  public static TokenRefreshingConnector create(Path dir) {
    String refreshed = "tok-2-SENTINEL-" + UUID.randomUUID().toString().replace("-", "");
    Path program = dir.resolve("token-refreshing-connector");
    Path witness = dir.resolve("token-refreshing-connector.runs");
    String script =
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "set -u",
            "NEW_TOKEN='" + refreshed + "'",
            "cmd=\"${1:-}\"",
            "emit() { printf '%s\\n' \"$1\"; }",
            "if [ \"$cmd\" = spec ]; then emit '" + SPEC + "'; exit 0; fi",
            "CONFIG=''; prev=''",
            "for arg in \"$@\"; do [ \"$prev\" = --config ] && CONFIG=$arg; prev=$arg; done",
            "conf=$(tr -d '\\n' < \"$CONFIG\")",
            "field() { printf '%s' \"$conf\" | sed -n \"s/.*\\\"$1\\\" *: *\\\"\\([^\\\"]*\\)\\\".*/\\1/p\"; }",
            "token=$(field access_token); witness=$(field witness); update=$(field update)",
            "case \"$cmd\" in",
            "  check) [ \"$(field on_check)\" = refresh ] || { emit '"
                + SUCCEEDED
                + "'; exit 0; } ;;",
            "  discover) emit '" + CATALOG + "'; exit 0 ;;",
            "esac",
            "printf '%s %s\\n' \"$cmd\" \"$token\" >> \"$witness\"",
            "run=$(grep -c . \"$witness\")",
            "if [ \"$token\" != \"$NEW_TOKEN\" ]; then",
            "  extra=''; [ \"$update\" = invalid ] && extra=',\"client_id\":42'",
            "  sent=$(printf '%s' \"$conf\" | sed \"s/\\\"access_token\\\" *: *\\\"[^\\\"]*\\\"/"
                + "\\\"access_token\\\":\\\"$NEW_TOKEN\\\"$extra/\")",
            "  emit \"{\\\"type\\\":\\\"CONTROL\\\",\\\"control\\\":{\\\"type\\\":\\\"CONNECTOR_CONFIG\\\","
                + "\\\"emitted_at\\\":1700000000000,\\\"connectorConfig\\\":{\\\"config\\\":$sent}}}\"",
            "  emit \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"WARN\\\","
                + "\\\"message\\\":\\\"refreshed the access token: $NEW_TOKEN\\\"}}\"",
            "  echo \"refreshed the access token: $NEW_TOKEN\" >&2",
            "fi",
            "emit \"{\\\"type\\\":\\\"LOG\\\",\\\"log\\\":{\\\"level\\\":\\\"WARN\\\","
                + "\\\"message\\\":\\\"run $run started with access token $token\\\"}}\"",
            "if [ \"$cmd\" = read ]; then",
            "  emit \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":\\\"runs\\\","
                + "\\\"data\\\":{\\\"run\\\":$run},\\\"emitted_at\\\":1700000000000}}\"",
            "  emit \"{\\\"type\\\":\\\"STATE\\\",\\\"state\\\":{\\\"type\\\":\\\"STREAM\\\","
                + "\\\"stream\\\":{\\\"stream_descriptor\\\":{\\\"name\\\":\\\"runs\\\"},"
                + "\\\"stream_state\\\":{\\\"run\\\":$run}}}}\"",
            "elif [ \"$cmd\" = check ]; then",
            "  emit '" + SUCCEEDED + "'",
            "else",
            "  # A destination echoes each STATE once the records before it are persisted.",
            "  while IFS= read -r line; do",
            "    case \"$line\" in *'\"type\":\"STATE\"'*) printf '%s\\n' \"$line\" ;; esac",
            "  done",
            "fi",
            "");
    try {
      Files.writeString(program, script);
      Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
      Files.writeString(witness, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TokenRefreshingConnector(program, witness, refreshed);
  }

  /** The program's path. */
  public Path program() {
    return program;
  }

  /** The token the connector sends in its CONTROL message: the sentinel no log may show. */
  public String refreshedToken() {
    return refreshedToken;
  }

  /** A config with {@link #FIRST_TOKEN} and this connector's witness file. */
  public ObjectNode config() {
    return AirbyteJson.MAPPER
        .createObjectNode()
        .put("access_token", FIRST_TOKEN)
        .put("witness", witness.toString());
  }

  /** Options that run this program for any connector name. */
  public ConnectorOptions options() {
    return ConnectorOptions.defaults().withLocalExecutable(program.toString());
  }

  /** Each run so far, oldest first: {@code read tok-1-initial}, {@code write tok-2-...}. */
  public List<String> runs() {
    try {
      return Files.readAllLines(witness).stream().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
