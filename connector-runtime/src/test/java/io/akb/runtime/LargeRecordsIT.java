package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records far above Jackson's default string limit (20 MB) but under the line limit (64 MiB) reach
 * the caller whole. Runs in its own failsafe execution with a larger heap than {@link
 * ConnectorFailuresIT}'s, whose small heap proves an oversized line is never held whole: parsing a
 * 50 MB record takes a few times its size in memory.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class LargeRecordsIT {
  @TempDir Path dir;

  /**
   * Skips (reported, not silent) in the small-heap execution, which {@code -Dit.test=...} also
   * makes run this class; the large-records execution runs it for real.
   */
  @BeforeAll
  static void needsTheLargeRecordsHeap() {
    assumeTrue(
        Runtime.getRuntime().maxMemory() >= 512L * 1024 * 1024,
        "needs a heap of 512 MB or more: runs in failsafe's large-records execution");
  }

  private Source source(FakeConnector connector) {
    ObjectNode config = AirbyteJson.MAPPER.createObjectNode();
    config.put("api_key", "not-a-secret");
    return Airbyte.getSource("source-fake", config, connector.options())
        .selectStreams(List.of("users"));
  }

  /** Answers discover with one stream, users; {@code read} runs {@code body}. */
  private FakeConnector connector(String readBody) {
    return FakeConnector.withSpec(
        dir,
        "source-fake",
        "if [ \"$1\" = discover ]; then echo '{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":"
            + "\"users\",\"json_schema\":{},\"supported_sync_modes\":[\"full_refresh\"]}]}}'; exit 0; fi\n"
            + readBody);
  }

  @Test
  void aFiftyMegabyteRecordArrivesIntact() {
    int size = 50 * 1024 * 1024;
    FakeConnector connector =
        connector(
            "printf '{\"type\":\"RECORD\",\"record\":{\"stream\":\"users\",\"data\":{\"id\":1,"
                + "\"blob\":\"'\n"
                + "head -c "
                + size
                + " /dev/zero | tr '\\0' 'x'\n"
                + "printf '\"},\"emitted_at\":1700000000000}}\\n'\n"
                + "echo '"
                + FakeConnector.record("users", 2)
                + "'\n");
    List<AirbyteMessage> records = new ArrayList<>();
    try (MessageStream messages = source(connector).read()) {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD) {
          records.add(message);
        }
      }
    }
    assertThat(records).hasSize(2);
    String blob = records.get(0).record().data().get("blob").asText();
    assertThat(blob).hasSize(size);
    assertThat(blob.chars().allMatch(c -> c == 'x')).isTrue();
    assertThat(records.get(1).record().data().get("id").asInt()).isEqualTo(2);
  }
}
