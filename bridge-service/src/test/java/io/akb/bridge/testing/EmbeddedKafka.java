package io.akb.bridge.testing;

import io.akb.bridge.local.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real KRaft broker (combined controller and broker) in the test JVM, shared by every test of
 * the run and stopped when the JVM exits; {@code KAFKA_BOOTSTRAP_SERVERS} uses an outside one.
 */
public final class EmbeddedKafka {
  private static String bootstrapServers;

  private EmbeddedKafka() {}

  /** Bootstrap servers of the shared broker, started on first use. */
  public static synchronized String bootstrapServers() {
    if (bootstrapServers != null) {
      return bootstrapServers;
    }
    String outside = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    if (outside != null && !outside.isBlank()) {
      return bootstrapServers = outside;
    }
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
      // The settings of akb sync's own one-node broker, so the tests run on what users get.
      EmbeddedKafkaBroker.singleNodeSettings().forEach(builder::setConfigProp);
      EmbeddedKafkaBroker.inProcessSettings().forEach(builder::setConfigProp);
      KafkaClusterTestKit cluster =
          builder.setConfigProp("auto.create.topics.enable", "false").build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      // Closing is bounded: surefire gives a forked JVM 30 s to exit, and a broker's controlled
      // shutdown can take longer than that; its temp dirs go with the JVM's temp files anyway.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    Thread closer =
                        new Thread(
                            () -> {
                              try {
                                cluster.close();
                              } catch (Exception e) {
                                // the JVM is ending anyway
                              }
                            });
                    closer.setDaemon(true);
                    closer.start();
                    try {
                      closer.join(10_000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      return bootstrapServers = cluster.bootstrapServers();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the embedded Kafka broker", e);
    }
  }

  /** Whether {@code topic} exists on the shared broker. */
  public static boolean topicExists(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      return consumer.listTopics(Duration.ofSeconds(30)).containsKey(topic);
    }
  }

  /**
   * Every record of {@code topic} on the shared broker now, from the beginning of each partition to
   * its end; fails after 30 s rather than wait for records that never come.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " to its end took over 30 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers());
    props.put("enable.auto.commit", false);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Creates topics with the given partition counts (replication factor 1). */
  public static void createTopics(Map<String, Integer> partitions) {
    createTopics(bootstrapServers(), partitions);
  }

  /** As {@link #createTopics(Map)}, on the broker at {@code bootstrap}. */
  public static void createTopics(String bootstrap, Map<String, Integer> partitions) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> topics =
          partitions.entrySet().stream()
              .map(entry -> new NewTopic(entry.getKey(), entry.getValue(), (short) 1))
              .toList();
      admin.createTopics(topics).all().get();
      // A new partition's leader can answer NOT_LEADER for a moment after creation, and a
      // producer sending then may stall its batch until it expires: wait until each leader
      // answers a ListOffsets request.
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all =
          new java.util.HashMap<>();
      partitions.forEach(
          (topic, count) -> {
            for (int partition = 0; partition < count; partition++) {
              all.put(
                  new org.apache.kafka.common.TopicPartition(topic, partition),
                  org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
          });
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        try {
          admin.listOffsets(all).all().get();
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not create topics " + partitions.keySet(), e);
    }
  }
}
