package io.akb.bridge.testing;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;

/** Takes records away from the shared broker the way retention or an operator does. */
public final class TopicRecords {
  private TopicRecords() {}

  /** Deletes the records of {@code topic}/{@code partition} before {@code offset}. */
  public static void deleteBefore(String topic, int partition, long offset) {
    try (Admin admin = admin()) {
      admin
          .deleteRecords(
              Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset)))
          .all()
          .get();
    } catch (Exception e) {
      throw new IllegalStateException("could not delete records of " + topic, e);
    }
  }

  /** Deletes {@code topic} and waits until the broker no longer lists it. */
  public static void deleteTopic(String topic) {
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(topic)).all().get();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (admin.listTopics().names().get().contains(topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + topic + " is still listed");
        }
        Thread.sleep(100);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not delete topic " + topic, e);
    }
  }

  private static Admin admin() {
    Properties props = new Properties();
    props.put("bootstrap.servers", EmbeddedKafka.bootstrapServers());
    return Admin.create(props);
  }
}
