package io.akb.bridge.replay;

import io.akb.runtime.topic.StateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side both replicators share: how a target's consumer is configured, which partitions it
 * reads, how it polls, commits and closes, and how offsets are keyed in a store. Each replicator
 * keeps its own loop; this holds only what is the same in both.
 */
final class TargetConsumer {
  private static final Logger log = LoggerFactory.getLogger(TargetConsumer.class);

  private TargetConsumer() {}

  /**
   * A consumer for {@code settings}: its group id, no auto commit (the target stores its offsets
   * itself and seeks to them), byte values, and only committed records of transactional producers.
   * No automatic offset reset: a fetch from an offset the broker no longer has throws {@link
   * OffsetOutOfRangeException}, which {@link #gaps(Consumer, OffsetOutOfRangeException)} turns into
   * the records gone, instead of moving on silently.
   */
  /**
   * How long a call to the broker (topics, offsets, a commit) may wait for its answer, unless the
   * target's {@code kafka."default.api.timeout.ms"} says otherwise.
   */
  static final Duration API_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Why a call to Kafka timed out, for a target's status: which broker, what to check, and that the
   * target tries again by itself ({@code retryIn}).
   */
  static String unanswered(
      TargetSettings settings,
      org.apache.kafka.common.errors.TimeoutException e,
      Duration retryIn) {
    String bootstrap = settings.kafka().getOrDefault("bootstrap.servers", "(no bootstrap.servers)");
    return "Kafka at "
        + bootstrap
        + " did not answer ("
        + e.getMessage()
        + "). Check that the broker runs and that "
        + bootstrap
        + " is its address (akb.kafka.bootstrap-servers); the target tries again in "
        + retryIn.toSeconds()
        + " s, and goes on from its stored offsets once the broker answers.";
  }

  static KafkaConsumer<byte[], byte[]> open(
      TargetSettings settings, SharedTargetAssignor.Share share) {
    Properties props = new Properties();
    props.putAll(settings.kafka());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // Transactional producers (exactly-once Connect) leave aborted records that must not be read.
    props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "akb-bridge-" + settings.name());
    // Kafka's 60 s default kept a target RUNNING, without a word, for a minute after its broker
    // went away (a metadata or offsets call blocks that long); then it failed in Kafka's words.
    props.putIfAbsent(
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(API_TIMEOUT.toMillis()));
    if (share != null) {
      // The instances of a shared target split it in their group, by AKB's assignor: it needs the
      // classic protocol (assignors run in the clients) and gets the instance's share as an object.
      props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      props.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          SharedTargetAssignor.CONFIG_STRATEGY);
      props.put(SharedTargetAssignor.SHARE_CONFIG, share);
    }
    return new KafkaConsumer<>(props);
  }

  /** The topics {@code settings} reads that exist now, sorted. */
  static Set<String> topicsToRead(Consumer<byte[], byte[]> consumer, TargetSettings settings) {
    Set<String> topics = new java.util.TreeSet<>();
    for (String topic : consumer.listTopics().keySet()) {
      if (settings.reads(topic)) {
        topics.add(topic);
      }
    }
    return topics;
  }

  /** Partitions of the topics {@code settings} reads that are not in {@code known}. */
  static List<TopicPartition> partitionsToRead(
      Consumer<byte[], byte[]> consumer, TargetSettings settings, Set<TopicPartition> known) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (Map.Entry<String, List<PartitionInfo>> topic : consumer.listTopics().entrySet()) {
      if (settings.reads(topic.getKey())) {
        for (PartitionInfo info : topic.getValue()) {
          TopicPartition partition = new TopicPartition(topic.getKey(), info.partition());
          if (!known.contains(partition)) {
            partitions.add(partition);
          }
        }
      }
    }
    return partitions;
  }

  /**
   * Polls, or waits {@code timeout} when nothing is assigned yet: a target started before its
   * source has created any topic (a fresh docker compose, {@code akb serve} before the connector)
   * waits for the topic refresh to find them, where {@link Consumer#poll} would throw.
   */
  static ConsumerRecords<byte[], byte[]> poll(Consumer<byte[], byte[]> consumer, Duration timeout) {
    // A subscribed consumer polls even with nothing assigned: polling is how it joins its group.
    if (!consumer.assignment().isEmpty() || !consumer.subscription().isEmpty()) {
      return consumer.poll(timeout);
    }
    try {
      Thread.sleep(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ConsumerRecords.empty();
  }

  /**
   * Commits {@code nextOffsets} so that Kafka's tools see the target's progress; the target's own
   * store stays the source of truth, so a failed commit is only logged.
   */
  static void commitQuietly(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> nextOffsets, String target) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    nextOffsets.forEach((partition, next) -> commit.put(partition, new OffsetAndMetadata(next)));
    consumer.commitAsync(
        commit,
        (offsets, error) -> {
          if (error != null) {
            log.debug("Target {} could not commit offsets to Kafka", target, error);
          }
        });
  }

  /** Closes a consumer (null: nothing), logging rather than throwing: the target starts over. */
  static void closeQuietly(Consumer<byte[], byte[]> consumer, String target) {
    if (consumer != null) {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("Closing the consumer of target {}", target, e);
      }
    }
  }

  /**
   * Waits {@code duration} in steps of 50 ms, running {@code between} after each step (the target's
   * commands, so callers are not kept waiting), until {@code stop} says so; false when the thread
   * was interrupted.
   */
  static boolean sleep(Duration duration, BooleanSupplier stop, Runnable between) {
    long until = System.nanoTime() + duration.toNanos();
    while (!stop.getAsBoolean() && System.nanoTime() < until) {
      between.run();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * The records gone ({@link RecordGap#find}) for a target about to read each partition from the
   * offset in {@code expected}; asks the broker for the partitions' first and end offsets.
   */
  static List<RecordGap> gaps(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> expected) {
    if (expected.isEmpty()) {
      return List.of();
    }
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(expected.keySet());
    Map<TopicPartition, Long> ends = consumer.endOffsets(expected.keySet());
    List<RecordGap> gaps = new ArrayList<>();
    expected.forEach(
        (partition, offset) ->
            RecordGap.find(
                    partition,
                    offset,
                    beginnings.getOrDefault(partition, 0L),
                    ends.getOrDefault(partition, Long.MAX_VALUE))
                .ifPresent(gaps::add));
    return gaps;
  }

  /** The records gone behind a poll whose fetch offsets were out of range. */
  static List<RecordGap> gaps(Consumer<byte[], byte[]> consumer, OffsetOutOfRangeException e) {
    return gaps(consumer, e.offsetOutOfRangePartitions());
  }

  /**
   * Whether the consumer's position in each of {@code partitions} has reached the end offset the
   * broker gives now: every record written before this call has been read.
   */
  static boolean readToEnd(Consumer<byte[], byte[]> consumer, Set<TopicPartition> partitions) {
    Duration timeout = Duration.ofSeconds(5);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
    for (TopicPartition partition : partitions) {
      if (consumer.position(partition, timeout) < ends.getOrDefault(partition, 0L)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Pauses every record partition and the partitions of {@code gaps}: a target that found records
   * gone reads only its state topics on, to tell which checkpoints wait on them.
   */
  static void pauseAllButStateTopics(
      Consumer<byte[], byte[]> consumer, TargetSettings settings, List<RecordGap> gaps) {
    Set<TopicPartition> stop = new HashSet<>();
    for (TopicPartition partition : consumer.assignment()) {
      if (!settings.isStateTopic(partition.topic())) {
        stop.add(partition);
      }
    }
    gaps.forEach(gap -> stop.add(new TopicPartition(gap.topic(), gap.partition())));
    consumer.pause(stop);
  }

  /** Whether every state topic partition that is not paused has been read to its end offset. */
  static boolean stateTopicsReadToEnd(Consumer<byte[], byte[]> consumer, TargetSettings settings) {
    Set<TopicPartition> readable = new HashSet<>();
    for (TopicPartition partition : consumer.assignment()) {
      if (settings.isStateTopic(partition.topic()) && !consumer.paused().contains(partition)) {
        readable.add(partition);
      }
    }
    return readToEnd(consumer, readable);
  }

  /** The key of a partition's offset in a store: {@code topic/partition}. */
  static String key(TopicPartition partition) {
    return StateEvent.countsKey(partition.topic(), partition.partition());
  }

  /** The partition of a {@link #key}. */
  static TopicPartition partitionOf(String key) {
    int slash = key.lastIndexOf('/');
    return new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
  }
}
