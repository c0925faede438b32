package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka (KRaft, broker and controller in one) inside this process, for {@code akb
 * sync} when no {@code KAFKA_BOOTSTRAP_SERVERS} is set.
 *
 * <p>Contract: it listens on 127.0.0.1 only, on ports chosen free at each start; its log lives
 * under {@code dataDir}, formatted on the first start and reused afterwards. Keeping the log is
 * what makes a second sync incremental end to end: the cache stores the topic offsets it has
 * applied, and those offsets only mean something on the same log. {@link #close()} shuts the broker
 * down cleanly so the next start needs no log recovery.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts the broker with its log under {@code dataDir} (created and formatted when empty).
   *
   * @throws AkbException when the directory cannot be used or the broker does not start
   */
  public static EmbeddedKafkaBroker start(Path dataDir) {
    return start(dataDir, freePort(), freePort());
  }

  /**
   * As {@link #start(Path)}, on these ports of 127.0.0.1: a broker started again on the same ports
   * and {@code dataDir} is the same broker to its clients (the fault tests restart one so).
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int brokerPort, int controllerPort) {
    Path logDir = dataDir.toAbsolutePath().resolve("log");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new AkbException(
          "starting the embedded Kafka broker",
          "its directory " + logDir + " cannot be created (" + e.getMessage() + ")",
          "Run akb sync from a directory you can write to, or set KAFKA_BOOTSTRAP_SERVERS.",
          e);
    }
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    // Static voters: the quorum is this one node, and its port may differ at every start.
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://127.0.0.1:"
            + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.putAll(singleNodeSettings());
    props.putAll(inProcessSettings());
    KafkaConfig config = new KafkaConfig(props, false);
    try {
      formatOnce(logDir);
    } catch (Exception e) {
      throw new AkbException(
          "preparing the embedded Kafka broker's log in " + logDir,
          String.valueOf(e.getMessage()),
          "Delete "
              + dataDir
              + " to start with an empty broker (the cache is then replayed"
              + " from the next sync only), or set KAFKA_BOOTSTRAP_SERVERS.",
          e);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      throw new AkbException(
          "starting the embedded Kafka broker",
          String.valueOf(e.getMessage()),
          "Another akb sync may be using "
              + dataDir
              + "; wait for it, or set"
              + " KAFKA_BOOTSTRAP_SERVERS.",
          e);
    }
    return new EmbeddedKafkaBroker(server, "127.0.0.1:" + brokerPort);
  }

  /**
   * Broker settings for a cluster of one node: every internal topic has one replica (more cannot be
   * placed), with one partition, as small ones start faster; a new consumer group starts at once.
   * The tests' in-JVM brokers use them too.
   */
  public static Map<String, String> singleNodeSettings() {
    return Map.of(
        "offsets.topic.replication.factor", "1",
        "offsets.topic.num.partitions", "1",
        "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1",
        "transaction.state.log.num.partitions", "1",
        "share.coordinator.state.topic.replication.factor", "1",
        "share.coordinator.state.topic.min.isr", "1",
        "group.initial.rebalance.delay.ms", "0",
        "num.partitions", "1");
  }

  /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Settings for a broker that shares its JVM (and its heap) with a Connect worker and the bridge,
   * as in {@code akb sync}: Kafka's defaults are sized for a broker alone on a server. The log
   * cleaner allocates its dedupe buffer on the heap at start-up, 128 MB by default, whether or not
   * a topic is ever compacted; 16 MB still holds the offsets of some 700,000 keys per cleaning. A
   * single local client needs neither 8 I/O threads nor 3 network threads, nor 500 queued requests
   * (each may hold a whole produce request).
   */
  public static Map<String, String> inProcessSettings() {
    return Map.of(
        "log.cleaner.dedupe.buffer.size", String.valueOf(16L * 1024 * 1024),
        "num.io.threads", "2",
        "num.network.threads", "2",
        "queued.max.requests", "32");
  }

  /** Shuts the broker down and waits for it, leaving a clean log for the next start. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  private static void formatOnce(Path logDir) throws Exception {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new AkbException(
          "starting the embedded Kafka broker",
          "no free port on 127.0.0.1 (" + e.getMessage() + ")",
          "Set KAFKA_BOOTSTRAP_SERVERS to use a running Kafka instead.",
          e);
    }
  }
}
