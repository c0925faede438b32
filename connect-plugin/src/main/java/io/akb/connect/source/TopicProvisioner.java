package io.akb.connect.source;

import io.akb.runtime.AkbException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the task's topics exist and tells their partition counts. A missing record topic is
 * created with {@code topic.partitions}; the state topic always with one partition (its events must
 * stay in order). An existing topic keeps its own partition count, which the task then uses.
 */
final class TopicProvisioner implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 60;

  private final Admin admin;
  private final short replicationFactor;
  private final Map<String, Integer> known = new HashMap<>();

  TopicProvisioner(Map<String, Object> adminConfig, short replicationFactor) {
    Map<String, Object> config = new HashMap<>(adminConfig);
    config.putIfAbsent("client.id", "akb-source-topics");
    this.admin = Admin.create(config);
    this.replicationFactor = replicationFactor;
  }

  /** Creates the missing topics and returns every topic's partition count. */
  Map<String, Integer> ensure(Map<String, Integer> wantedPartitions) {
    Collection<String> unknown =
        wantedPartitions.keySet().stream().filter(t -> !known.containsKey(t)).toList();
    if (unknown.isEmpty()) {
      return known;
    }
    try {
      Map<String, Integer> existing = describe(unknown);
      List<NewTopic> missing =
          unknown.stream()
              .filter(topic -> !existing.containsKey(topic))
              .map(
                  topic ->
                      new NewTopic(
                          topic,
                          Optional.of(wantedPartitions.get(topic)),
                          Optional.of(replicationFactor)))
              .toList();
      known.putAll(existing);
      List<String> createdByOthers = new ArrayList<>();
      if (!missing.isEmpty()) {
        for (var result : admin.createTopics(missing).values().entrySet()) {
          try {
            result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // Not described: right after creation a broker may not know the topic yet.
            known.put(result.getKey(), wantedPartitions.get(result.getKey()));
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
            createdByOthers.add(result.getKey());
          }
        }
      }
      // Another task (or a user) created these first: wait until their count is known.
      long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS);
      while (!createdByOthers.isEmpty()) {
        Map<String, Integer> described = describe(createdByOthers);
        known.putAll(described);
        createdByOthers.removeAll(described.keySet());
        if (!createdByOthers.isEmpty()) {
          if (System.currentTimeMillis() > deadline) {
            throw new TimeoutException(
                "topics " + createdByOthers + " exist but cannot be described");
          }
          Thread.sleep(200);
        }
      }
      return known;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new AkbException(
          "Creating topics " + unknown,
          String.valueOf(cause.getMessage()),
          "Check bootstrap.servers and that the connector's principal may create and describe"
              + " topics.",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException("Creating topics " + unknown, "interrupted", null, e);
    }
  }

  private Map<String, Integer> describe(Collection<String> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<String, Integer> partitions = new HashMap<>();
    for (var result : admin.describeTopics(topics).topicNameValues().entrySet()) {
      try {
        TopicDescription description = result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        partitions.put(result.getKey(), description.partitions().size());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return partitions;
  }

  @Override
  public void close() {
    admin.close();
  }
}
