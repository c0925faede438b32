package io.akb.connect.source;

import static io.akb.connect.ConnectTestCluster.count;
import static io.akb.connect.ConnectTestCluster.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.connect.ConnectTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stopped and started again under a running source task, with exactly-once support: the
 * sync goes on once the broker is back (the task's producer waits for it instead of failing the
 * task), and a read_committed consumer sees every number once, none lost, none doubled.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class BrokerRestartSourceIT {
  private static final int COUNT = 3000;

  @TempDir Path tmp;

  @Test
  void aBrokerRestartMidSyncLosesAndDoublesNoRecord() throws Exception {
    Path program = ConnectTestCluster.countingSource(tmp);
    try (ConnectTestCluster cluster = ConnectTestCluster.start("akb-broker-restart-it", true)) {
      String prefix = "restart.";
      String stateTopic = prefix + "_state";
      Map<String, String> config = cluster.slowExactlyOnceCountingSource(program, prefix, COUNT);
      cluster.connect.configureConnector("restart", config);

      // Mid-sync (it takes 30 s): the broker goes away for a while, then comes back.
      List<JsonNode> before =
          cluster.awaitStateEvents(
              stateTopic, true, e -> count(e, "CHECKPOINT", null) >= 3, Duration.ofMinutes(2));
      assertThat(count(before, "SYNC_COMPLETED", null)).isZero();
      cluster.connect.kafka().stopOnlyBrokers();
      Thread.sleep(10_000);
      cluster.connect.kafka().restartOnlyBrokers();

      List<JsonNode> events =
          cluster.awaitStateEvents(
              stateTopic,
              true,
              e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") >= 1,
              Duration.ofMinutes(4));
      List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(prefix + "numbers", true);
      List<Long> ids = records.stream().map(r -> json(r.value()).path("id").asLong()).toList();
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(ids)
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());
      assertThat(count(events, "SYNC_COMPLETED", "FAILED"))
          .as("the broker's absence is waited out, not a failed sync: %s", cluster.statusText())
          .isZero();
    }
  }
}
