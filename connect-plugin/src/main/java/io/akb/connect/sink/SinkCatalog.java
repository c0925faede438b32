package io.akb.connect.sink;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The configured catalog the destination gets: the {@code catalog} option as given, or the streams
 * of the {@code SYNC_STARTED} events on the source's state topic, each with the configured
 * destination sync mode.
 */
final class SinkCatalog {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration READ_LIMIT = Duration.ofMinutes(2);

  private SinkCatalog() {}

  /**
   * The catalog for a task.
   *
   * @throws AkbException when neither the option nor the state topic names any stream
   */
  static ConfiguredAirbyteCatalog of(AirbyteSinkConfig config) {
    ConfiguredAirbyteCatalog given = config.catalog();
    if (given != null) {
      return given;
    }
    String stateTopic = config.stateTopic();
    if (stateTopic == null) {
      throw new AkbException(
          "Building the destination's catalog",
          "neither "
              + AirbyteSinkConfig.CATALOG_CONFIG
              + " nor "
              + AirbyteSinkConfig.STATE_TOPIC_CONFIG
              + " is set",
          "Set state.topic to the source connector's <prefix>_state topic, or give the"
              + " configured catalog as JSON in catalog.");
    }
    List<StateEvent> started = readSyncStarted(config.stateConsumerProperties(), stateTopic);
    ConfiguredAirbyteCatalog catalog = TopicCatalog.merge(started, config.destinationSyncMode());
    if (catalog.streams().isEmpty()) {
      throw new AkbException(
          "Building the destination's catalog",
          "the state topic " + stateTopic + " has no SYNC_STARTED event yet",
          "Start the source connector first (its first sync writes the catalog), or give the"
              + " configured catalog in catalog.");
    }
    return catalog;
  }

  /** Reads the state topic from its start to its current end, keeping SYNC_STARTED events. */
  private static List<StateEvent> readSyncStarted(Map<String, Object> props, String topic) {
    Map<String, Object> consumerProps = new LinkedHashMap<>(props);
    consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<StateEvent> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      if (partitions.isEmpty()) {
        return events;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new AkbException(
              "Reading the state topic " + topic,
              "its end was not reached within " + READ_LIMIT.toMinutes() + " min",
              "Check that the brokers in bootstrap.servers are reachable.");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          StateEvent event = TopicCatalog.parseEvent(record.value());
          if (event != null && event.type() == StateEvent.Type.SYNC_STARTED) {
            events.add(event);
          }
        }
      }
    }
    return events;
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
