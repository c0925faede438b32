package io.akb.runtime.destination;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.Destination;
import io.akb.runtime.Source;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PyAirbyte's {@code destination.write(source)}: the real faker into the CDK test destination. */
class DestinationFromSourceIT {
  @TempDir Path dir;

  Source faker(int count) throws Exception {
    return Airbyte.getSource(
            "source-faker",
            // always_updated=false: a record once read is not read again from a later state.
            AirbyteJson.parse(
                "{\"count\":" + count + ",\"seed\":7,\"parallelism\":1,\"always_updated\":false}"),
            ConnectorOptions.defaults())
        .selectStreams(List.of("users"));
  }

  Set<Long> userIds() throws Exception {
    Set<Long> ids = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("users.jsonl"))) {
      ids.add(AirbyteJson.parse(line).get("data").get("id").asLong());
    }
    return ids;
  }

  @Test
  void secondWriteSendsOnlyWhatTheDestinationHasNotConfirmed() throws Exception {
    JsonNode config = AirbyteJson.parse("{\"directory\":\"" + dir + "\"}");
    Destination destination =
        Airbyte.getDestination(
            TestDestinations.JSON_LINES,
            config,
            ConnectorOptions.defaults().withPipUrl(TestDestinations.jsonLinesPackage().toString()));

    WriteResult first = destination.write(faker(20));

    assertThat(first.recordsWritten()).isEqualTo(20);
    assertThat(first.recordsConfirmed()).isEqualTo(20);
    assertThat(first.confirmedStates()).isNotEmpty();
    assertThat(destination.confirmedStates("source-faker")).isNotEmpty();
    assertThat(userIds()).hasSize(20);

    // The same source again: it starts from the confirmed state, so nothing is sent twice.
    WriteResult second = destination.write(faker(20));
    assertThat(second.recordsWritten()).isZero();

    assertThat(Files.readAllLines(dir.resolve("users.jsonl"))).hasSize(20);
  }
}
