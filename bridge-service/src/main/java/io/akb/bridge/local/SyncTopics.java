package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.topic.StateEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What {@code akb sync} reads from Kafka to follow a sync, apart from the cache: the events of the
 * source's state topic written after a given offset, and the end offsets of its record topics.
 *
 * <p>Contract: {@link #open} notes where the state topic and every existing record topic of the
 * prefix end, before the connector starts; {@link #pollEvents} then returns only events written
 * after that point, with their offsets, and {@link #recordsSinceStart} counts the records written
 * to each topic since then. Used from one thread.
 */
final class SyncTopics implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A state event with its offset on the state topic. */
  record PositionedEvent(long offset, StateEvent event) {}

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String prefix;
  private final Map<String, Long> baseline = new HashMap<>();

  private SyncTopics(Admin admin, KafkaConsumer<byte[], byte[]> consumer, String prefix) {
    this.admin = admin;
    this.consumer = consumer;
    this.prefix = prefix;
  }

  /** Notes where the topics under {@code prefix} end now; events are read from there on. */
  static SyncTopics open(String bootstrapServers, String prefix, String stateTopic) {
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "akb-sync-progress");
    Admin admin = Admin.create(adminProps);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "akb-sync-progress");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // It follows the state topic before the task creates it: asking for it must not create it
    // with the broker's defaults (a 7-day retention), which the task would then only warn about.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
    SyncTopics topics = new SyncTopics(admin, consumer, prefix);
    try {
      topics.baseline.putAll(topics.endOffsets(topics.existingTopics()));
      TopicPartition state = new TopicPartition(stateTopic, 0);
      consumer.assign(List.of(state));
      // A state topic created later by the task starts at 0, which is also what baseline says.
      consumer.seek(state, topics.baseline.getOrDefault(stateTopic, 0L));
    } catch (RuntimeException e) {
      topics.close();
      throw e;
    }
    return topics;
  }

  /** Events written to the state topic since {@link #open}, waiting at most {@code timeout}. */
  List<PositionedEvent> pollEvents(Duration timeout) {
    List<PositionedEvent> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      try {
        StateEvent event = AirbyteJson.MAPPER.readValue(record.value(), StateEvent.class);
        if (event != null && event.type() != null) {
          events.add(new PositionedEvent(record.offset(), event));
        }
      } catch (IOException | RuntimeException e) {
        // Not a state event: the bridge skips it too.
      }
    }
    return events;
  }

  /**
   * Every event on the state topic up to its end as of now (events written before this call),
   * waiting at most {@code timeout}; what was read by then when the broker is slower, and nothing
   * when the state topic does not exist.
   */
  List<PositionedEvent> pollToEnd(Duration timeout) {
    List<PositionedEvent> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      TopicPartition state = consumer.assignment().iterator().next();
      if (!endOffsets(List.of(state.topic())).containsKey(state.topic())) {
        return events; // not created yet: the consumer would wait for it until the timeout
      }
      // read_committed: the end is the last stable offset, which the consumer can reach.
      Long end = consumer.endOffsets(List.of(state), timeout).get(state);
      while (end != null && consumer.position(state, timeout) < end) {
        if (System.nanoTime() > deadline) {
          break;
        }
        events.addAll(pollEvents(Duration.ofMillis(200)));
      }
    } catch (org.apache.kafka.common.KafkaException | AkbException e) {
      // No answer: the caller reports what it knows without the events.
    }
    return events;
  }

  /** Records written to each of {@code topics} since {@link #open}. */
  Map<String, Long> recordsSinceStart(List<String> topics) {
    Map<String, Long> ends = endOffsets(topics);
    Map<String, Long> records = new HashMap<>();
    ends.forEach((topic, end) -> records.put(topic, end - baseline.getOrDefault(topic, 0L)));
    return records;
  }

  private List<String> existingTopics() {
    try {
      return admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
          .filter(name -> name.startsWith(prefix))
          .toList();
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(e);
    }
  }

  /** Sum of the end offsets of every partition, per topic; a topic not there yet is left out. */
  private Map<String, Long> endOffsets(List<String> topics) {
    Map<String, Long> ends = new HashMap<>();
    if (topics.isEmpty()) {
      return ends;
    }
    try {
      Map<String, TopicDescription> described = new HashMap<>();
      admin
          .describeTopics(topics)
          .topicNameValues()
          .forEach(
              (name, future) -> {
                try {
                  described.put(name, future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                  // Not created yet.
                } catch (TimeoutException | InterruptedException e) {
                  throw unreachable(e);
                }
              });
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      described.forEach(
          (name, description) ->
              description
                  .partitions()
                  .forEach(
                      partition ->
                          request.put(
                              new TopicPartition(name, partition.partition()),
                              OffsetSpec.latest())));
      if (request.isEmpty()) {
        return ends;
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
          admin.listOffsets(request).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      offsets.forEach((partition, info) -> ends.merge(partition.topic(), info.offset(), Long::sum));
      return ends;
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(e);
    }
  }

  private static AkbException unreachable(Exception e) {
    return new AkbException(
        "following the sync's topics",
        "Kafka did not answer (" + e.getMessage() + ")",
        "Check that the broker in KAFKA_BOOTSTRAP_SERVERS is running.",
        e);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
