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
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once: a worker with {@code exactly.once.source.support=enabled}, the connector with
 * {@code transaction.boundary=connector}, the task restarted in the middle of a sync. A
 * read_committed consumer sees every number once: the records after the last checkpoint were in an
 * open transaction that was aborted, and the new task resumed from that checkpoint's state.
 */
@Tag("fault") // the fault suite: ./run-tests --faults SEEDS
class ExactlyOnceSourceIT {
  private static final int COUNT = 3000;

  @TempDir Path tmp;

  @Test
  void aTaskKilledMidSyncLeavesNoDuplicateAndNoGap() throws Exception {
    Path program = ConnectTestCluster.countingSource(tmp);
    try (ConnectTestCluster cluster = ConnectTestCluster.start("akb-eos-it", true)) {
      String prefix = "eos.";
      String stateTopic = prefix + "_state";
      Map<String, String> config = cluster.slowExactlyOnceCountingSource(program, prefix, COUNT);
      cluster.connect.configureConnector("eos", config);

      // Mid-sync: a few checkpoints are committed, the sync is far from done (it takes 30 s, so
      // the restart lands before its end even on a loaded machine: a restart after a successful
      // sync waits for the next interval, and there would be no second sync to check).
      List<JsonNode> before =
          cluster.awaitStateEvents(
              stateTopic, true, e -> count(e, "CHECKPOINT", null) >= 3, Duration.ofMinutes(2));
      assertThat(count(before, "SYNC_COMPLETED", null)).isZero();
      cluster.connect.restartTask("eos", 0);

      List<JsonNode> events =
          cluster.awaitStateEvents(
              stateTopic,
              true,
              e -> count(e, "SYNC_COMPLETED", "SUCCEEDED") == 1,
              Duration.ofMinutes(3));
      assertThat(count(events, "SYNC_STARTED", null)).isEqualTo(2);

      List<ConsumerRecord<byte[], byte[]>> records = cluster.readAll(prefix + "numbers", true);
      List<Long> ids = records.stream().map(r -> json(r.value()).path("id").asLong()).toList();
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(ids)
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, COUNT).boxed().toList());

      // The second sync's counts plus the first sync's last committed checkpoint cover the topic.
      Map<String, Long> actual = new TreeMap<>();
      records.forEach(r -> actual.merge(r.topic() + "/" + r.partition(), 1L, Long::sum));
      String firstSync = events.get(0).path("sync_id").asText();
      Map<String, Long> expected = new TreeMap<>();
      events.stream()
          .filter(e -> e.path("type").asText().equals("CHECKPOINT"))
          .filter(e -> e.path("sync_id").asText().equals(firstSync))
          .reduce((a, b) -> b)
          .orElseThrow()
          .path("counts")
          .fields()
          .forEachRemaining(f -> expected.merge(f.getKey(), f.getValue().asLong(), Long::sum));
      events.stream()
          .filter(e -> e.path("type").asText().equals("SYNC_COMPLETED"))
          .findFirst()
          .orElseThrow()
          .path("counts")
          .fields()
          .forEachRemaining(f -> expected.merge(f.getKey(), f.getValue().asLong(), Long::sum));
      assertThat(actual).isEqualTo(expected);
    }
  }
}
