package io.akb.bridge.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bridge's configuration, {@code akb.*} in {@code application.properties} or the environment
 * ({@code AKB_TARGETS__DUCK__CACHE} for {@code akb.targets.duck.cache}, as Quarkus maps names).
 * Defaults are given here, once; the README lists them from this file.
 */
@ConfigMapping(prefix = "akb")
public interface BridgeConfig {

  /** Kafka bootstrap servers every target reads from. Default {@code localhost:9092}. */
  @WithName("kafka.bootstrap-servers")
  @WithDefault("localhost:9092")
  String bootstrapServers();

  /**
   * Further Kafka consumer properties for every target ({@code
   * akb.kafka.consumer."security.protocol"=SSL}). Default: none.
   */
  @WithName("kafka.consumer")
  Map<String, String> consumer();

  /**
   * Prefix of each target's consumer group: the group is this plus the target's name. Default
   * {@code akb-bridge-}.
   */
  @WithName("group-prefix")
  @WithDefault("akb-bridge-")
  String groupPrefix();

  /**
   * Token the admin endpoints ({@code /targets/...}) require as {@code Authorization: Bearer
   * <token>}. Default: none, the endpoints are open (the HTTP server binds 127.0.0.1 by default).
   */
  @WithName("admin.token")
  Optional<String> adminToken();

  /**
   * Where destination targets store the offsets their destination confirmed, one set of rows per
   * target: {@code duckdb:PATH} or {@code postgres:JDBC_URL}, as for a cache (not the file of a
   * DuckDB cache target: a DuckDB file has one writer). Cache targets keep their offsets in their
   * cache. Default {@code duckdb:./.cache/akb_bridge_state.duckdb}.
   */
  @WithName("state-store")
  @WithDefault("duckdb:./.cache/akb_bridge_state.duckdb")
  String stateStore();

  /**
   * Where destination targets keep the config updates their destination sends (CONTROL messages,
   * such as a refreshed OAuth token): a private file per target, {@code bridge-<target>.json} (mode
   * 0600 in a 0700 directory), with which every later run of the destination starts. Default {@code
   * $AKB_CONFIG_UPDATES_DIR}, else {@code ~/.local/state/akb/config-updates}.
   */
  @WithName("config-updates-dir")
  Optional<String> configUpdatesDir();

  /** The targets, by name. Default: none (the bridge then only serves health and metrics). */
  Map<String, Target> targets();

  /**
   * One target: a SQL cache, or an Airbyte destination when {@code destination} is set, kept up to
   * date from the topics of one or more sources.
   */
  interface Target {
    /**
     * Where the cache is: {@code duckdb:PATH} or {@code postgres:JDBC_URL} (a {@code
     * postgresql://user:password@host/db} URL too). Default {@code
     * duckdb:./.cache/default_cache.duckdb}. Ignored when {@code destination} is set.
     */
    @WithDefault("duckdb:./.cache/default_cache.duckdb")
    String cache();

    /**
     * An Airbyte destination to write into instead of a cache, by name, such as {@code
     * destination-ailake}: installed and run as {@code akb} runs connectors (a PyPI venv by
     * default). Default: none (the target is a cache).
     */
    Optional<String> destination();

    /**
     * The destination's config as JSON; strings of the form {@code secret://NAME} are replaced by
     * the secret NAME from the environment or {@code .env} each time it runs. Default {@code {}}.
     */
    @WithName("destination-config")
    @WithDefault("{}")
    String destinationConfig();

    /** Destination version to install from PyPI. Default: the registry's pinned version. */
    Optional<String> version();

    /** A pip requirement to install instead of the PyPI package. Default: none. */
    @WithName("pip-url")
    Optional<String> pipUrl();

    /**
     * A Docker image to run the destination from (already on the local engine); {@code true} means
     * the registry's image. Default: none.
     */
    @WithName("docker-image")
    Optional<String> dockerImage();

    /** A program (on PATH or a path) to run as the destination. Default: none. */
    @WithName("local-executable")
    Optional<String> localExecutable();

    /**
     * Whether the sources' STATE messages pass through to the destination once their records are
     * in. Default {@code true}.
     */
    @WithName("source-states")
    @WithDefault("true")
    boolean sourceStates();

    /**
     * How long a STATE may wait for the destination's echo before the destination counts as failed
     * and is started again. Default {@code 5m}.
     */
    @WithName("state-echo-timeout")
    @WithDefault("5m")
    Duration stateEchoTimeout();

    /** How long a destination may take to finish once its input ends. Default {@code 10m}. */
    @WithName("finish-timeout")
    @WithDefault("10m")
    Duration finishTimeout();

    /**
     * Topic prefixes of the sources to read (the source connector's {@code topic.prefix}, such as
     * {@code airbyte.source-faker.}), comma-separated: every topic starting with one is read,
     * {@code <prefix>_state} as its state topic. Default: none.
     */
    @WithName("source-prefix")
    Optional<List<String>> sourcePrefixes();

    /**
     * Topics read in addition, by exact name, comma-separated; a name ending in {@code _state} is a
     * state topic. Default: none. One of {@code source-prefix} and {@code topics} is required.
     */
    Optional<List<String>> topics();

    /**
     * Default write strategy of the target's streams: {@code append}, {@code merge}, {@code
     * replace} or {@code auto} (merge with a primary key, append with a cursor, else replace). For
     * a destination it is the destination sync mode: {@code append}, {@code merge} is {@code
     * append_dedup}, {@code replace} is {@code overwrite} (each run of the destination replaces the
     * stream), {@code auto} is {@code append_dedup} with a primary key, else {@code append}.
     * Default {@code auto}.
     */
    @WithDefault("auto")
    String strategy();

    /**
     * Write strategy per stream name, such as {@code
     * akb.targets.duck.streams.users.strategy=merge}.
     */
    Map<String, StreamConfig> streams();

    /** Prefix of every stream table. Default: none. */
    @WithName("table-prefix")
    Optional<String> tablePrefix();

    /**
     * Database schema of the tables. Default {@code main} for DuckDB, {@code public} for
     * PostgreSQL.
     */
    Optional<String> schema();

    /** Batch limits: a batch is written once one of them is reached. */
    Batch batch();

    /** How often new topics (new streams) are looked for. Default {@code 5s}. */
    @WithName("topic-refresh-interval")
    @WithDefault("5s")
    Duration topicRefreshInterval();

    /**
     * Wait before a failed target opens its cache (or starts its destination) and consumer again; a
     * destination target doubles it after each failure in a row, up to 5 minutes. Default {@code
     * 5s}.
     */
    @WithName("retry-backoff")
    @WithDefault("5s")
    Duration retryBackoff();

    /**
     * What the target does when records it has not read yet are gone from Kafka (deleted by
     * retention or delete-records, or a topic deleted and recreated): {@code fail} turns it FAILED
     * at once, with the topic/partition, the offsets gone and the checkpoints that can no longer
     * complete, and it stays FAILED (no retry) until reset; {@code skip} logs that as a warning,
     * reads on from the first record there is and drops the checkpoints that can never complete.
     * Default {@code fail}.
     */
    @WithName("on-gap")
    @WithDefault("fail")
    String onGap();

    /**
     * Whether several bridge processes replay this target together ({@code true}; PostgreSQL caches
     * only): they share its record partitions through the target's consumer group, each storing the
     * offsets of the partitions it owns with its rows, and one of them applies the checkpoints once
     * every owner has applied its share. Default {@code false}: this process is the target's only
     * writer and fences any other.
     */
    @WithDefault("false")
    boolean shared();

    /**
     * The schema registry the source connector's converter writes to, as the converter's {@code
     * apicurio.registry.url} names it (Apicurio Registry's v2 API, such as {@code
     * http://registry:8080/apis/registry/v2}): record and state values framed by it (byte 0, the
     * writer schema's 8-byte global id, the Avro datum) are read with the schema fetched from it,
     * once per id. Default: none, and such a value fails the target naming this setting.
     */
    @WithName("schema-registry-url")
    Optional<String> schemaRegistryUrl();

    /**
     * Kafka consumer properties of this target only, over {@code akb.kafka.consumer}. Default:
     * none.
     */
    Map<String, String> kafka();
  }

  /** A stream's own settings. */
  interface StreamConfig {
    /** The stream's write strategy, over the target's. */
    String strategy();
  }

  /**
   * Limits of one batch: one cache transaction, or for a destination the records between two
   * offsets STATEs (max-bytes does not apply there).
   */
  interface Batch {
    /** Records per batch. Default {@code 10000}. */
    @WithName("max-records")
    @WithDefault("10000")
    int maxRecords();

    /**
     * Bytes of record values per batch (memory stays a small multiple of it). Default {@code
     * 16777216} (16 MiB).
     */
    @WithName("max-bytes")
    @WithDefault("16777216")
    long maxBytes();

    /** Longest time a record waits in a batch before it is written. Default {@code 1s}. */
    @WithName("max-wait")
    @WithDefault("1s")
    Duration maxWait();
  }
}
