package io.akb.connect.source;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * Chooses the Kafka partition of each record itself (the topic contract), so the task knows how
 * many records of a sync went to each partition. A keyed record goes to murmur2(key) like Kafka's
 * default partitioner, so one key always lands in one partition; an unkeyed one round robin. Not
 * thread-safe: one per task.
 */
final class PartitionChooser {
  private final Map<String, Integer> nextRoundRobin = new HashMap<>();

  /**
   * @param keyText the key's canonical text (its JSON), or null for an unkeyed record
   */
  int choose(String topic, int partitions, String keyText) {
    if (partitions <= 1) {
      return 0;
    }
    if (keyText != null) {
      byte[] bytes = keyText.getBytes(StandardCharsets.UTF_8);
      return Utils.toPositive(Utils.murmur2(bytes)) % partitions;
    }
    int next = nextRoundRobin.merge(topic, 1, Integer::sum) - 1;
    return Math.floorMod(next, partitions);
  }
}
