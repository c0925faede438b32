package io.akb.connect.source;

import io.akb.runtime.AkbException;
import io.akb.runtime.topic.TopicRetention;
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
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the task's topics exist and tells their partition counts. A missing record topic is
 * created with {@code topic.partitions}; the state topic always with one partition (its events must
 * stay in order). Both are created with the configs of {@link TopicRetention} (by default keeping
 * records forever). An existing topic keeps its own partition count, which the task then uses, and
 * its own configs: one whose retention would delete records gets a WARN saying what to change.
 */
final class TopicProvisioner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 60;

  /** A topic the task writes to: its partition count and configs if it has to be created. */
  record WantedTopic(int partitions, Map<String, String> configs) {}

  private final Admin admin;
  private final short replicationFactor;
  private final TopicRetention retention;
  private final Map<String, Integer> known = new HashMap<>();

  TopicProvisioner(
      Map<String, Object> adminConfig, short replicationFactor, TopicRetention retention) {
    Map<String, Object> config = new HashMap<>(adminConfig);
    config.putIfAbsent("client.id", "akb-source-topics");
    this.admin = Admin.create(config);
    this.replicationFactor = replicationFactor;
    this.retention = retention;
  }

  /**
   * Creates the missing topics, warns about existing ones that would not keep their records, and
   * returns every topic's partition count.
   */
  Map<String, Integer> ensure(Map<String, WantedTopic> wanted) {
    Collection<String> unknown =
        wanted.keySet().stream().filter(t -> !known.containsKey(t)).toList();
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
                              Optional.of(wanted.get(topic).partitions()),
                              Optional.of(replicationFactor))
                          .configs(wanted.get(topic).configs()))
              .toList();
      known.putAll(existing);
      warnAboutShortRetention(existing.keySet());
      List<String> createdByOthers = new ArrayList<>();
      if (!missing.isEmpty()) {
        for (var result : admin.createTopics(missing).values().entrySet()) {
          try {
            result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // Not described: right after creation a broker may not know the topic yet.
            known.put(result.getKey(), wanted.get(result.getKey()).partitions());
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
        warnAboutShortRetention(described.keySet());
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

  /**
   * Logs a WARN for each topic whose effective retention (its own setting or the broker's default)
   * deletes records AKB's retention would keep: record timestamps are {@code emitted_at}, often
   * older than any retention, so the broker deletes them at once and readers miss them.
   */
  private void warnAboutShortRetention(Collection<String> topics) throws InterruptedException {
    if (topics.isEmpty()) {
      return;
    }
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs;
    try {
      configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Only a check: a principal without DescribeConfigs may still write to the topics.
      log.info("Could not check the retention of topics {}: {}", topics, e.toString());
      return;
    }
    for (var entry : configs.entrySet()) {
      Map<String, String> values = new HashMap<>();
      for (ConfigEntry config : entry.getValue().entries()) {
        values.put(config.name(), config.value());
      }
      String topic = entry.getKey().name();
      retention
          .shorterThanWanted(values)
          .forEach(
              (name, value) ->
                  log.warn(
                      "Topic {} has {}={}: the broker deletes records by their timestamp, which is"
                          + " the record's emitted_at and may be older than that, so readers of"
                          + " this topic would miss them. Set {}=-1 on the topic (kafka-configs.sh"
                          + " --alter --entity-type topics --entity-name {} --add-config {}=-1),"
                          + " or set this connector's topic.{} to {} if the limit is meant.",
                      topic,
                      name,
                      value,
                      name,
                      topic,
                      name,
                      name,
                      value));
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
