import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.bridge.kafka.KafkaCache;
import io.akb.bridge.local.EmbeddedKafkaBroker;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetReplicator;
import io.akb.bridge.replay.TargetSettings;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.Airbyte;
import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The side-by-side benchmark's Kafka part, compiled by bench/side-by-side against AKB's own class
 * path (the {@code akb} launcher's) and run on it:
 *
 * <ul>
 *   <li>{@code broker DIR BOOTSTRAP_FILE}: AKB's embedded KRaft broker (the one {@code akb sync}
 *       starts), its address written to BOOTSTRAP_FILE, until the process is terminated.
 *   <li>{@code fill BOOTSTRAP PROGRAM CONFIG PREFIX DATA_JSONL TOPIC}: the recorded stream into
 *       topics twice: through AKB's topic contract (the local program read into {@code KafkaCache},
 *       schemaless JSON values keyed by id), and into TOPIC as Connect JSON with its schema in every
 *       value (what the Debezium JDBC sink reads: it needs a schema to make columns).
 *   <li>{@code bridge BOOTSTRAP PREFIX CACHE STRATEGY RECORDS}: the bridge's replay engine (one
 *       cache target, the bridge service's default batch settings) until it applied RECORDS.
 *   <li>{@code contract BOOTSTRAP PROGRAM CONFIG PREFIX PARTITIONS}: the recorded stream through
 *       the topic contract only, into record topics of PARTITIONS partitions (bench/bridge-scaling).
 *   <li>{@code shared-bridge BOOTSTRAP PREFIX CACHE GROUP}: one process of a shared target (append,
 *       the service's default batches) in consumer group GROUP, until terminated.
 * </ul>
 */
public class TopicBench {
  /** Debezium's semantic type names: PostgreSQL gets timestamptz and json columns from them. */
  private static final String SCHEMA =
      "{\"type\":\"struct\",\"name\":\"users\",\"optional\":false,\"fields\":["
          + field("id", "int64", null, false)
          + "," + field("created_at", "string", "io.debezium.time.ZonedTimestamp", true)
          + "," + field("updated_at", "string", "io.debezium.time.ZonedTimestamp", true)
          + "," + strings("name", "title")
          + "," + field("age", "int64", null, true)
          + "," + strings("email", "telephone", "gender", "language", "academic_degree", "nationality",
              "occupation", "height", "blood_type")
          + "," + field("weight", "int64", null, true)
          + "," + field("address", "string", "io.debezium.data.Json", true)
          + "]}";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "broker" -> broker(Path.of(args[1]), Path.of(args[2]));
      case "fill" -> fill(args[1], args[2], args[3], args[4], Path.of(args[5]), args[6]);
      case "bridge" -> bridge(args[1], args[2], args[3], args[4], Long.parseLong(args[5]));
      case "contract" -> contract(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]));
      case "shared-bridge" -> sharedBridge(args[1], args[2], args[3], args[4]);
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static void broker(Path dir, Path bootstrapFile) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      stopped.countDown();
    }));
    Files.writeString(bootstrapFile, broker.bootstrapServers());
    System.out.println("broker at " + broker.bootstrapServers());
    stopped.await();
  }

  static void fill(String bootstrap, String program, String config, String prefix, Path data, String topic)
      throws Exception {
    long start = System.nanoTime();
    Source source = Airbyte.getSource("source-replay", AirbyteJson.MAPPER.readTree(config),
        ConnectorOptions.defaults().withLocalExecutable(program));
    source.selectStreams(List.of("users"));
    ReadResult read;
    try (KafkaCache cache = new KafkaCache(Map.of("bootstrap.servers", bootstrap), prefix, 1)) {
      read = source.read(cache);
    }
    System.out.printf("topic contract: %d records under %s in %.1f s%n",
        read.totalRecordsRead(), prefix, (System.nanoTime() - start) / 1e9);

    start = System.nanoTime();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("linger.ms", "5");
    props.put("batch.size", "262144");
    long records = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        BufferedReader lines = Files.newBufferedReader(data, StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        ObjectNode payload = (ObjectNode) AirbyteJson.MAPPER.readTree(line);
        JsonNode address = payload.get("address");
        payload.put("address", address == null ? null : address.toString());
        String value = "{\"schema\":" + SCHEMA + ",\"payload\":" + payload + "}";
        producer.send(new ProducerRecord<>(topic, null, value.getBytes(StandardCharsets.UTF_8)));
        records++;
      }
      producer.flush();
    }
    System.out.printf("connect json: %d records into %s in %.1f s%n", records, topic,
        (System.nanoTime() - start) / 1e9);
  }

  static void contract(String bootstrap, String program, String config, String prefix, int partitions)
      throws Exception {
    long start = System.nanoTime();
    Source source = Airbyte.getSource("source-replay", AirbyteJson.MAPPER.readTree(config),
        ConnectorOptions.defaults().withLocalExecutable(program));
    source.selectStreams(List.of("users"));
    ReadResult read;
    try (KafkaCache cache = new KafkaCache(Map.of("bootstrap.servers", bootstrap), prefix, partitions)) {
      read = source.read(cache);
    }
    System.out.printf("topic contract: %d records under %s (%d partitions) in %.1f s%n",
        read.totalRecordsRead(), prefix, partitions, (System.nanoTime() - start) / 1e9);
  }

  static void sharedBridge(String bootstrap, String prefix, String cache, String group)
      throws Exception {
    TargetSettings settings = new TargetSettings("bench", CacheLocation.parse(cache),
        new CacheOptions("", null, WriteStrategy.APPEND), List.of(prefix), List.of(), Map.of(),
        10_000, 16L * 1024 * 1024, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
        group, Map.of("bootstrap.servers", bootstrap, "session.timeout.ms", "6000",
            "heartbeat.interval.ms", "1000"),
        null, RecordGap.GapPolicy.FAIL, true);
    TargetReplicator target = new TargetReplicator(settings, null);
    Runtime.getRuntime().addShutdownHook(new Thread(target::close));
    target.run();
  }

  static void bridge(String bootstrap, String prefix, String cache, String strategy, long records)
      throws Exception {
    // The bridge service's defaults (README: batch.max-records=10000, batch.max-bytes=16 MiB,
    // batch.max-wait=1s, topic-refresh-interval=5s, retry-backoff=5s).
    TargetSettings settings = new TargetSettings("bench", CacheLocation.parse(cache),
        new CacheOptions("", null, WriteStrategy.fromProperty(strategy)), List.of(prefix), List.of(),
        Map.of(), 10_000, 16L * 1024 * 1024, Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), "akb-bench-" + System.nanoTime(), Map.of("bootstrap.servers", bootstrap),
        null, RecordGap.GapPolicy.FAIL, false);
    TargetReplicator target = new TargetReplicator(settings, null);
    long start = System.nanoTime();
    Thread thread = new Thread(target, "akb-target-bench");
    thread.start();
    while (target.recordsApplied() < records) {
      if (!thread.isAlive()) {
        throw new IllegalStateException("the target stopped: " + target.status());
      }
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    target.close();
    thread.join();
    System.out.printf("bridge: %d records applied in %.1f s%n", target.recordsApplied(), seconds);
    System.out.printf("BENCH_TARGET_SECONDS=%.3f%n", seconds);
  }

  private static String field(String name, String type, String semantic, boolean optional) {
    return "{\"field\":\"" + name + "\",\"type\":\"" + type + "\",\"optional\":" + optional
        + (semantic == null ? "" : ",\"name\":\"" + semantic + "\"") + "}";
  }

  private static String strings(String... names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      out.append(out.length() == 0 ? "" : ",").append(field(name, "string", null, true));
    }
    return out.toString();
  }
}
