package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.testing.AkbCli;
import io.akb.runtime.destination.TestDestinations;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.testkit.FakeConnector;
import io.akb.runtime.testkit.TokenRefreshingConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb sync NAME --destination DEST} (PyAirbyte's {@code pyab sync}) as a user runs it: the
 * embedded broker, the Connect source task running a local source program, then the bridge's
 * destination target feeding a real local destination program that appends every record it gets to
 * a file, which is read back. A destination that crashes fails the sync with its own error; a
 * destination config its spec refuses fails before any broker starts.
 */
class SyncToDestinationIT {
  private static final int RECORDS = 25;

  @TempDir Path dir;

  /** users (key id): {@value #RECORDS} records, then a state. */
  private Path source() {
    String catalog =
        "{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":\"users\",\"json_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}},"
            + "\"supported_sync_modes\":[\"full_refresh\",\"incremental\"],"
            + "\"source_defined_cursor\":true,\"default_cursor_field\":[\"id\"],"
            + "\"source_defined_primary_key\":[[\"id\"]]}]}}";
    return FakeConnector.withSpec(
            dir,
            "source-users",
            "case \"$1\" in\n"
                + "  check) echo '{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":"
                + "{\"status\":\"SUCCEEDED\"}}' ;;\n"
                + "  discover) echo '"
                + catalog
                + "' ;;\n"
                + "  read)\n"
                + "    for i in $(seq 1 "
                + RECORDS
                + "); do\n"
                + "      echo "
                + "\"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":\\\"users\\\","
                + "\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1700000000000}}\"\n"
                + "    done\n"
                + "    echo '"
                + FakeConnector.state("users", RECORDS).replace("cursor", "id")
                + "' ;;\n"
                + "esac")
        .path();
  }

  private AkbCli.Run sync(String destination, Path program, String destinationConfig)
      throws Exception {
    return AkbCli.run(
        dir,
        "sync",
        "source-users",
        "--local-executable",
        source().toString(),
        "--config",
        "{\"api_key\": \"k\"}",
        "--destination",
        destination,
        "--destination-local-executable",
        program.toString(),
        "--destination-config",
        destinationConfig);
  }

  @Test
  void theSourcesRecordsArriveInTheDestinationAndItsFailureFailsTheSync() throws Exception {
    Path destination = TestDestinations.misbehavingProgram();
    Path arrived = dir.resolve("arrived.jsonl");

    AkbCli.Run synced =
        sync(
            "destination-file",
            destination,
            AirbyteJson.MAPPER
                .createObjectNode()
                .put("records_file", arrived.toString())
                .toString());

    assertThat(synced.exitCode()).as(synced.output()).isZero();
    assertThat(synced.stderr()).as("log lines go to the run's log file").doesNotContain("INFO ");
    assertThat(synced.stdout())
        .contains("Synced source-users in ")
        .contains(RECORDS + " records from 1 streams")
        .contains("destination: destination-file")
        .contains("target akb-sync-source-users-to-destination-file");
    List<Integer> ids = new ArrayList<>();
    for (String line : Files.readAllLines(arrived)) {
      JsonNode record = AirbyteJson.parse(line).get("record");
      assertThat(record.get("stream").asText()).isEqualTo("users");
      ids.add(record.get("data").get("id").asInt());
    }
    assertThat(ids).containsExactlyElementsOf(IntStream.rangeClosed(1, RECORDS).boxed().toList());

    // Another destination, another target: it replays the topics from their start and crashes.
    AkbCli.Run crashed = sync("destination-crashing", destination, "{\"crash_after_records\": 5}");

    assertThat(crashed.exitCode()).as(crashed.output()).isEqualTo(1);
    assertThat(crashed.stderr())
        .contains("Error: writing to destination-crashing failed")
        .contains("cannot store record 6: disk on fire");
  }

  @Test
  void aDestinationConfigItsSpecRefusesFailsBeforeAnyBrokerStarts() throws Exception {
    TokenRefreshingConnector program = TokenRefreshingConnector.create(dir);

    AkbCli.Run refused = sync("destination-token", program.program(), "{\"witness\": 7}");

    assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
    assertThat(refused.stderr()).contains("destination-token").contains("access_token");
    assertThat(dir.resolve(".cache").resolve("kafka")).doesNotExist();
    assertThat(program.runs()).as("the destination never ran a write").isEmpty();
  }
}
