package io.akb.runtime.topic;

import io.akb.runtime.schema.WriterSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer schemas of one or more schemas topics ({@code <prefix>_schemas}), read whole into
 * memory by a consumer of its own (no group, from the beginning): {@link
 * RecordValueDecoder.WriterSchemas} over Kafka.
 *
 * <p>Lazy: the consumer is created on the first {@link #catchUp}, so a reader of JSON values never
 * opens it. {@link #catchUp} reads every partition to its end offset of that moment; when that
 * brings nothing new it polls again for up to {@code wait}, for a schema whose write was still
 * under way when its record was read. A value that is no writer schema is logged and skipped (it
 * can only be a stranger's). Not thread-safe; close it with its reader (it may be used again after,
 * opening a new consumer).
 */
public final class SchemaTopicReader implements RecordValueDecoder.WriterSchemas, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchemaTopicReader.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final Map<String, Object> consumerConfig;
  private final List<String> topics;
  private final Duration wait;
  private final Map<Long, WriterSchema> schemas = new LinkedHashMap<>();
  private KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> assigned = new ArrayList<>();

  /**
   * @param consumerConfig Kafka client settings ({@code bootstrap.servers}, security); group and
   *     deserializers are set here
   * @param topics the schemas topics to read; a missing one holds nothing
   * @param wait how long {@link #catchUp} keeps polling when reading to the end found nothing new
   */
  public SchemaTopicReader(Map<String, ?> consumerConfig, List<String> topics, Duration wait) {
    this.consumerConfig = new HashMap<>(consumerConfig);
    this.topics = List.copyOf(topics);
    this.wait = wait;
  }

  @Override
  public WriterSchema find(long fingerprint) {
    return schemas.get(fingerprint);
  }

  /** Every schema read so far, in topic order. */
  public List<WriterSchema> all() {
    return List.copyOf(schemas.values());
  }

  @Override
  public void catchUp() {
    int before = schemas.size();
    readToEnd();
    long deadline = System.nanoTime() + wait.toNanos();
    while (schemas.size() == before && System.nanoTime() < deadline) {
      readToEnd();
      if (schemas.size() == before) {
        sleep();
      }
    }
  }

  @Override
  public String describe() {
    return topics.size() == 1 ? "schemas topic " + topics.get(0) : "schemas topics " + topics;
  }

  private void readToEnd() {
    if (consumer == null) {
      Map<String, Object> config = new HashMap<>(consumerConfig);
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "akb-schemas");
      consumer = new KafkaConsumer<>(config);
    }
    assignNewPartitions();
    if (assigned.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
    while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        if (record.value() == null) {
          continue;
        }
        try {
          WriterSchema schema = WriterSchema.parse(record.value());
          schemas.put(schema.fingerprint(), schema);
        } catch (IllegalArgumentException e) {
          log.warn(
              "Skipping {}/{}@{}: not an AKB writer schema ({})",
              record.topic(),
              record.partition(),
              record.offset(),
              e.getMessage());
        }
      }
    }
  }

  /** Assigns the partitions of topics that exist now, from their beginning. */
  private void assignNewPartitions() {
    List<TopicPartition> added = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (partitions == null) {
        continue;
      }
      for (PartitionInfo partition : partitions) {
        TopicPartition tp = new TopicPartition(topic, partition.partition());
        if (!assigned.contains(tp)) {
          added.add(tp);
        }
      }
    }
    if (!added.isEmpty()) {
      assigned.addAll(added);
      consumer.assign(assigned);
      consumer.seekToBeginning(added);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
      consumer = null;
    }
    // The schemas read stay valid; a later catchUp opens a new consumer and reads from the start.
    assigned.clear();
  }
}
