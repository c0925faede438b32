package io.akb.bridge.target;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/** The one poll of both replicators. */
final class TopicPolling {
  private TopicPolling() {}

  /**
   * Polls, or waits {@code timeout} when nothing is assigned yet: a target started before its
   * source has created any topic (a fresh docker compose, {@code akb serve} before the connector)
   * waits for the topic refresh to find them, where {@link Consumer#poll} would throw.
   */
  static ConsumerRecords<byte[], byte[]> poll(Consumer<byte[], byte[]> consumer, Duration timeout) {
    if (!consumer.assignment().isEmpty()) {
      return consumer.poll(timeout);
    }
    try {
      Thread.sleep(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ConsumerRecords.empty();
  }
}
