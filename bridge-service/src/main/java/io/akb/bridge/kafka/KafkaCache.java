package io.akb.bridge.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.Cache;
import io.akb.runtime.CachedDataset;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.ContractRecord;
import io.akb.runtime.topic.RecordPartitioner;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.StreamGenerations;
import io.akb.runtime.topic.SyncWriter;
import io.akb.runtime.topic.TopicNames;
import io.akb.runtime.topic.TopicRetention;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link Cache} that is a set of Kafka topics: {@code source.read(kafkaCache)} reads a source
 * straight into the topic contract of ARCHITECTURE.md, with the plain Kafka producer (idempotent,
 * {@code acks=all}), without a Connect worker. The bridge's targets replay these topics as they
 * replay the source connector's.
 *
 * <p>What goes on the topics is {@link SyncWriter}'s, as for the source connector: record topics
 * per stream (created when missing with {@code partitions} partitions, kept forever), the state
 * topic {@code <prefix>_state} with key {@link #TASK}. This class only sends it, and waits for
 * every record before a {@code CHECKPOINT} to be acknowledged before sending the checkpoint.
 *
 * <p>{@link #state} reads the state topic back: the latest checkpointed state per stream (or the
 * latest GLOBAL / LEGACY one), so a second read is incremental. The prefix is the one given, or
 * {@link TopicNames#defaultPrefix} of the source's name, as the source connector's default. Not
 * thread-safe; close it to release the producer.
 */
public final class KafkaCache implements Cache, AutoCloseable {
  /** The task id this cache writes on the state topic (the source connector writes its own). */
  public static final String TASK = "java-api";

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, Object> clientConfig;
  private final String prefix;
  private final int partitions;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();

  /**
   * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}
   * @param prefix the topic prefix, or null for {@code airbyte.<source name>.}
   * @param partitions partitions of record topics this cache creates (existing ones keep theirs)
   */
  public KafkaCache(Map<String, Object> clientConfig, String prefix, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be positive: " + partitions);
    }
    this.clientConfig = Map.copyOf(clientConfig);
    this.prefix = prefix;
    this.partitions = partitions;
    Properties props = properties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("enable.idempotence", "true");
    props.put("acks", "all");
    // One request in flight per broker: right after the cache creates its topics a broker may
    // answer the first batches with NOT_LEADER, and several batches in flight then came back
    // OUT_OF_ORDER_SEQUENCE until their delivery timeout (seen in KafkaCacheIT under load).
    props.put("max.in.flight.requests.per.connection", "1");
    props.putIfAbsent("linger.ms", "5");
    producer = new KafkaProducer<>(props);
  }

  /** A cache on {@code bootstrapServers} with the default prefix and one partition per topic. */
  public KafkaCache(String bootstrapServers) {
    this(Map.of("bootstrap.servers", bootstrapServers), null, 1);
  }

  /** The topic prefix used for {@code sourceName}. */
  public String prefix(String sourceName) {
    return prefix != null ? prefix : TopicNames.defaultPrefix(sourceName);
  }

  @Override
  public JsonNode state(String sourceName) {
    Map<String, JsonNode> latest = readStateTopic(sourceName).latestStates();
    if (latest.isEmpty()) {
      return null;
    }
    ArrayNode array = AirbyteJson.MAPPER.createArrayNode();
    latest.values().forEach(array::add);
    return array;
  }

  /**
   * What the state topic says of a source: its latest state per stream (key namespace NUL name; a
   * GLOBAL or LEGACY state, key "", stands for every stream), and the newest generation of each
   * stream its syncs started.
   */
  private record StateTopicView(
      Map<String, JsonNode> latestStates, Map<StreamDescriptor, Long> generations) {
    boolean hasState(StreamDescriptor stream) {
      return latestStates.containsKey("")
          || latestStates.containsKey(stateKey(stream.namespace(), stream.name()));
    }

    static String stateKey(String namespace, String name) {
      return (namespace == null || namespace.isEmpty() ? "" : namespace) + "\u0000" + name;
    }
  }

  private StateTopicView readStateTopic(String sourceName) {
    String stateTopic = TopicNames.stateTopic(prefix(sourceName));
    Map<String, JsonNode> latest = new LinkedHashMap<>();
    Map<StreamDescriptor, Long> generations = new LinkedHashMap<>();
    try (Stream<ConsumerRecord<byte[], byte[]>> records = readTopic(stateTopic)) {
      records.forEach(
          record -> {
            StateEvent event = AirbyteJson.convert(json(record.value()), StateEvent.class);
            if (event.type() == StateEvent.Type.SYNC_STARTED && event.catalog() != null) {
              generations.putAll(
                  StreamGenerations.newest(generations, StreamGenerations.of(event.catalog())));
            }
            if (event.type() != StateEvent.Type.CHECKPOINT || event.state() == null) {
              return;
            }
            AirbyteStateMessage state = event.state();
            JsonNode payload = AirbyteJson.MAPPER.valueToTree(state);
            if (state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null) {
              latest.remove("");
              StreamDescriptor stream = state.stream().streamDescriptor();
              latest.put(StateTopicView.stateKey(stream.namespace(), stream.name()), payload);
            } else {
              latest.clear();
              latest.put("", payload);
            }
          });
    }
    return new StateTopicView(latest, generations);
  }

  @Override
  public ReadResult write(Source source, ConfiguredAirbyteCatalog catalog, MessageStream messages) {
    String sourceName = source.name();
    String topicPrefix = prefix(sourceName);
    // Named over every stream the source offers, as the source connector does: streams whose
    // names collide after sanitizing get distinct topics, the same ones whatever is selected.
    List<StreamDescriptor> offered = new ArrayList<>();
    if (source.discoveredCatalog().streams() != null) {
      source.discoveredCatalog().streams().forEach(s -> offered.add(s.descriptor()));
    }
    catalog.streams().forEach(s -> offered.add(s.stream().descriptor()));
    Map<StreamDescriptor, String> recordTopics = TopicNames.recordTopics(topicPrefix, offered);
    Set<String> topics = new LinkedHashSet<>();
    catalog
        .streams()
        .forEach(s -> topics.add(recordTopics.get(TopicNames.streamKey(s.stream().descriptor()))));
    Map<String, Integer> partitionsByTopic =
        ensureTopics(TopicNames.stateTopic(topicPrefix), topics);

    // Source.read(cache) resumed from this topic's states: a stream without one starts anew.
    StateTopicView stateTopic = readStateTopic(sourceName);
    ConfiguredAirbyteCatalog withGenerations =
        StreamGenerations.assign(
            catalog, stateTopic.generations(), stateTopic::hasState, System.currentTimeMillis());
    SyncWriter sync =
        new SyncWriter(
            TASK,
            sourceName,
            topicPrefix,
            withGenerations,
            recordTopics,
            partitionsByTopic,
            new RecordPartitioner());
    send(sync.started());
    try {
      while (messages.hasNext()) {
        for (ContractRecord record : sync.onMessage(messages.next())) {
          if (record instanceof ContractRecord.Event event
              && event.event().type() == StateEvent.Type.CHECKPOINT) {
            // The checkpoint must not get ahead of its records: wait until they are all acked.
            flush();
          }
          send(record);
        }
      }
      complete(sync, null);
    } catch (AkbException connectorFailure) {
      try {
        complete(sync, connectorFailure.getMessage());
      } catch (RuntimeException e) {
        connectorFailure.addSuppressed(e);
      }
      throw connectorFailure;
    }

    Map<String, Long> recordsRead = new LinkedHashMap<>();
    Map<String, CachedDataset> datasets = new LinkedHashMap<>();
    sync.recordsPerStream()
        .forEach(
            (stream, records) -> {
              recordsRead.merge(stream.name(), records, Long::sum);
              datasets.put(
                  stream.name(), new TopicDataset(stream.name(), recordTopics.get(stream)));
            });
    return new ReadResult(sourceName, recordsRead, state(sourceName), datasets);
  }

  /** Ends the sync once its records are acknowledged, so its events count only what landed. */
  private void complete(SyncWriter sync, String error) {
    flush();
    sync.completed(error).forEach(this::send);
    flush();
  }

  private void send(ContractRecord record) {
    ProducerRecord<byte[], byte[]> sent =
        new ProducerRecord<>(
            record.topic(),
            record.partition(),
            record.timestamp(),
            record.keyBytes(),
            record.valueBytes());
    record.headers().forEach((name, value) -> sent.headers().add(name, bytes(value)));
    producer.send(sent, this::noteFailure);
  }

  /** Waits until everything sent is acknowledged; fails when a send failed (counts would lie). */
  private void flush() {
    producer.flush();
    Exception failure = sendFailure.get();
    if (failure != null) {
      throw new AkbException(
          "Writing to the Kafka cache's topics",
          "a record was not acknowledged: " + failure.getMessage(),
          "Check that the brokers are reachable and the topics writable; the read stopped so"
              + " that no checkpoint gets ahead of its records.",
          failure);
    }
  }

  private void noteFailure(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
    if (e != null) {
      sendFailure.compareAndSet(null, e);
    }
  }

  /** Creates missing topics; returns every topic's partition count. */
  private Map<String, Integer> ensureTopics(String stateTopic, Set<String> recordTopics) {
    Set<String> topics = new LinkedHashSet<>();
    topics.add(stateTopic);
    topics.addAll(recordTopics);
    try (Admin admin = Admin.create(properties())) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          int count = topic.equals(stateTopic) ? 1 : partitions;
          // Kept forever: record timestamps are emitted_at, often older than any retention.
          missing.add(
              new NewTopic(topic, Optional.of(count), Optional.empty())
                  .configs(
                      topic.equals(stateTopic)
                          ? TopicRetention.FOREVER.stateTopicConfigs()
                          : TopicRetention.FOREVER.recordTopicConfigs(false)));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
      Map<String, Integer> partitionsByTopic = new HashMap<>();
      for (Map.Entry<String, TopicDescription> description :
          admin.describeTopics(topics).allTopicNames().get().entrySet()) {
        partitionsByTopic.put(description.getKey(), description.getValue().partitions().size());
      }
      return partitionsByTopic;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException("Creating the Kafka cache's topics " + topics, "interrupted", "", e);
    } catch (Exception e) {
      throw new AkbException(
          "Creating the Kafka cache's topics " + topics,
          String.valueOf(e.getMessage()),
          "Check bootstrap.servers and that this client may describe and create topics.",
          e);
    }
  }

  /**
   * Every record of a topic from its beginning to its end as of the call, lazily; close the stream
   * to release the consumer. A missing topic has no records.
   */
  private Stream<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
    Properties props = properties();
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    props.put("enable.auto.commit", "false");
    props.put("isolation.level", "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
    try {
      List<TopicPartition> partitions;
      try {
        partitions =
            consumer.partitionsFor(topic, TIMEOUT).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
      } catch (UnknownTopicOrPartitionException e) {
        partitions = List.of();
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, TIMEOUT));
      end.entrySet()
          .removeIf(entry -> consumer.position(entry.getKey(), TIMEOUT) >= entry.getValue());
      TopicIterator iterator = new TopicIterator(consumer, end);
      return StreamSupport.stream(
              Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED), false)
          .onClose(consumer::close);
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /** Polls until every partition has reached its end offset. */
  private static final class TopicIterator
      implements java.util.Iterator<ConsumerRecord<byte[], byte[]>> {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> remaining;
    private java.util.Iterator<ConsumerRecord<byte[], byte[]>> batch =
        java.util.Collections.emptyIterator();

    TopicIterator(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
      this.consumer = consumer;
      this.remaining = end;
    }

    @Override
    public boolean hasNext() {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!batch.hasNext() && !remaining.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new AkbException(
              "Reading back topic partitions " + remaining.keySet(),
              "no record arrived for " + TIMEOUT.toSeconds() + " s",
              "Check that the brokers are reachable.");
        }
        var records = consumer.poll(Duration.ofMillis(500));
        List<ConsumerRecord<byte[], byte[]>> kept = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
          Long end = remaining.get(new TopicPartition(record.topic(), record.partition()));
          if (end != null && record.offset() < end) {
            kept.add(record);
          }
        }
        // Transaction markers take offsets too: the end is reached by position, not by record.
        remaining
            .entrySet()
            .removeIf(entry -> consumer.position(entry.getKey()) >= entry.getValue());
        batch = kept.iterator();
      }
      return batch.hasNext();
    }

    @Override
    public ConsumerRecord<byte[], byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return batch.next();
    }
  }

  /** A stream's records as its topic holds them: every record, all syncs, in partition order. */
  private final class TopicDataset implements CachedDataset {
    private final String streamName;
    private final String topic;

    TopicDataset(String streamName, String topic) {
      this.streamName = streamName;
      this.topic = topic;
    }

    @Override
    public String streamName() {
      return streamName;
    }

    @Override
    public long count() {
      try (Stream<ConsumerRecord<byte[], byte[]>> records = readTopic(topic)) {
        return records.count();
      }
    }

    @Override
    public Stream<JsonNode> records() {
      return readTopic(topic).map(record -> json(record.value()));
    }
  }

  private Properties properties() {
    Properties props = new Properties();
    props.putAll(clientConfig);
    return props;
  }

  private static JsonNode json(byte[] value) {
    try {
      return AirbyteJson.MAPPER.readTree(value);
    } catch (java.io.IOException e) {
      throw new AkbException(
          "Reading a record of the Kafka cache", "it is not JSON: " + e.getMessage(), "", e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }
}
