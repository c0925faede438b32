package io.akb.bridge.replay;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.AkbException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one target needs to replay topics into its cache or its destination, independent of
 * how it was configured ({@code application.properties} through {@code BridgeConfig}, or a test).
 *
 * @param name the target's name: its consumer group is {@code groupPrefix + name} and its offsets
 *     are stored under this name (in the cache, or in the bridge's state store for a destination)
 * @param cache where the cache lives; null for a destination target
 * @param cacheOptions table prefix, schema and default write strategy (a destination target uses
 *     only the strategy, as its streams' destination sync mode)
 * @param sourcePrefixes topic prefixes of the sources to read: every topic starting with one is
 *     read, {@code <prefix>_state} as its state topic
 * @param topics topics read in addition, by exact name; one ending in {@code _state} is a state
 *     topic
 * @param streamStrategies write strategy per stream name, overriding the cache's default
 * @param batchMaxRecords a batch is written once it holds this many records
 * @param batchMaxBytes ... or this many bytes of record values
 * @param batchMaxWait ... or when its oldest record waited this long
 * @param topicRefreshInterval how often new topics (new streams) are looked for
 * @param retryBackoff wait before a failed target opens its cache and consumer again
 * @param kafka Kafka consumer properties ({@code bootstrap.servers} at least); the group id, the
 *     deserializers and offset handling are set by the target itself
 * @param destination the destination a destination target writes into; null for a cache target
 * @param onGap what the target does when records it has not read are gone from Kafka ({@link
 *     RecordGap}); null means {@link RecordGap.GapPolicy#FAIL}
 * @param shared whether several bridge processes replay this target together, sharing its record
 *     partitions through its consumer group ({@link SharedTargetAssignor}); PostgreSQL caches only
 * @param schemaRegistryUrl the schema registry (Apicurio Registry's v2 API) where the writer
 *     schemas of registry-framed values are ({@code akb.targets.<name>.schema-registry-url}); null
 *     when none, where such a value fails the target naming the setting
 */
public record TargetSettings(
    String name,
    CacheLocation cache,
    CacheOptions cacheOptions,
    List<String> sourcePrefixes,
    List<String> topics,
    Map<String, WriteStrategy> streamStrategies,
    int batchMaxRecords,
    long batchMaxBytes,
    Duration batchMaxWait,
    Duration topicRefreshInterval,
    Duration retryBackoff,
    String groupId,
    Map<String, String> kafka,
    DestinationSettings destination,
    RecordGap.GapPolicy onGap,
    boolean shared,
    String schemaRegistryUrl) {

  /** The setting that names the schema registry, for messages. */
  public String schemaRegistrySetting() {
    return "akb.targets." + name + ".schema-registry-url";
  }

  public TargetSettings {
    onGap = onGap == null ? RecordGap.GapPolicy.FAIL : onGap;
    sourcePrefixes = List.copyOf(sourcePrefixes);
    topics = List.copyOf(topics);
    streamStrategies = Map.copyOf(streamStrategies);
    kafka = Map.copyOf(kafka);
    if ((cache == null) == (destination == null)) {
      throw new AkbException(
          "configuring target '" + name + "'",
          "a target writes into either a cache or a destination",
          "Set akb.targets." + name + ".cache or .destination, not both.");
    }
    if (sourcePrefixes.isEmpty() && topics.isEmpty()) {
      throw new AkbException(
          "configuring target '" + name + "'",
          "it names no topics to read",
          "Set akb.targets." + name + ".source-prefix (such as airbyte.source-faker.) or .topics.");
    }
    if (shared && (cache == null || cache.kind() != CacheLocation.Kind.POSTGRES)) {
      throw new AkbException(
          "configuring target '" + name + "'",
          cache == null
              ? "a destination target is replayed by one bridge process, not shared"
              : "a DuckDB file has a single writer, so one bridge process replays it",
          "Remove akb.targets."
              + name
              + ".shared, or cache into PostgreSQL (cache=postgres:jdbc:postgresql://...) to spread"
              + " the target over several bridge processes.");
    }
    if (batchMaxRecords < 1 || batchMaxBytes < 1) {
      throw new AkbException(
          "configuring target '" + name + "'",
          "batch sizes must be positive",
          "Set akb.targets." + name + ".batch.max-records and .batch.max-bytes above zero.");
    }
  }

  /**
   * What the target writes into, for operators: {@code DUCKDB:path} or {@code destination:name}.
   */
  public String describeTarget() {
    return destination != null ? "destination:" + destination.name() : cache.describe();
  }

  /** The write strategy of a stream: its own, else the cache's default. */
  public WriteStrategy strategyFor(String stream) {
    return streamStrategies.getOrDefault(stream, cacheOptions.defaultStrategy());
  }

  /** Whether this target reads a topic (a source's schemas topic is read apart, not replayed). */
  public boolean reads(String topic) {
    return topics.contains(topic)
        || sourcePrefixes.stream()
            .anyMatch(
                prefix ->
                    topic.startsWith(prefix)
                        && !topic.equals(io.akb.runtime.topic.TopicNames.schemasTopic(prefix)));
  }

  /**
   * The schemas topics of the sources this target reads, where Avro values' writer schemas are:
   * {@code <prefix>_schemas} of each source prefix and of each state topic named in {@code topics}.
   */
  public List<String> schemasTopics() {
    java.util.Set<String> schemas = new java.util.LinkedHashSet<>();
    sourcePrefixes.forEach(
        prefix -> schemas.add(io.akb.runtime.topic.TopicNames.schemasTopic(prefix)));
    topics.stream()
        .filter(topic -> topic.endsWith("_state"))
        .forEach(
            topic ->
                schemas.add(topic.substring(0, topic.length() - "state".length()) + "schemas"));
    return List.copyOf(schemas);
  }

  /** Whether a topic this target reads is a state topic rather than a record topic. */
  public boolean isStateTopic(String topic) {
    if (topics.contains(topic)) {
      return topic.endsWith("_state");
    }
    return sourcePrefixes.stream()
        .anyMatch(prefix -> topic.equals(io.akb.runtime.topic.TopicNames.stateTopic(prefix)));
  }
}
