package io.akb.cache.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.runtime.AkbException;
import io.akb.runtime.CachedDataset;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a source's {@code read} straight into a {@link SqlCache}, without Kafka: what {@code
 * source.read(sqlCache)} does.
 *
 * <p>Records are buffered per stream and written with {@link CacheTransaction#write} (the fast
 * path: every record is new, with a random raw id) in transactions of at most {@link
 * #DEFAULT_BATCH_RECORDS} records (bounded memory). A STATE is written in the same transaction as
 * every record before it or a later one, so the stored state never points past the stored records;
 * states do not force a commit of their own (a connector may send one every few records, and each
 * DuckDB commit costs milliseconds), except when the last commit is older than {@link
 * #STATE_COMMIT_INTERVAL}, so a slow source's progress is still saved regularly. At the end the
 * sync completes (replaced streams swap in their new generation); when the connector fails, the
 * records read so far stay, the sync completes as failed (replaced streams keep their previous
 * generation) and the failure is rethrown.
 */
public final class SourceReadLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SourceReadLoader.class);

  /** Records per transaction when nothing else is asked. */
  public static final int DEFAULT_BATCH_RECORDS = 10_000;

  /** A STATE commits what came before it once the last commit is this old. */
  static final Duration STATE_COMMIT_INTERVAL = Duration.ofSeconds(2);

  private final SqlCache cache;
  private final int batchRecords;

  public SourceReadLoader(SqlCache cache, int batchRecords) {
    if (batchRecords < 1) {
      throw new IllegalArgumentException("batchRecords must be positive: " + batchRecords);
    }
    this.cache = cache;
    this.batchRecords = batchRecords;
  }

  /** The cache's states for {@code sourceName} as a JSON array of STATE payloads, or null. */
  public JsonNode state(String sourceName) {
    Map<String, JsonNode> states = cache.states(sourceName);
    if (states.isEmpty()) {
      return null;
    }
    ArrayNode array = AirbyteJson.MAPPER.createArrayNode();
    states.values().forEach(array::add);
    return array;
  }

  /** Consumes {@code messages} into the cache; see the class comment. */
  public ReadResult load(
      String sourceName, ConfiguredAirbyteCatalog catalog, MessageStream messages) {
    String syncId = UUID.randomUUID().toString();
    Map<String, ConfiguredAirbyteStream> streams = new LinkedHashMap<>();
    catalog.streams().forEach(s -> streams.put(s.stream().name(), s));
    Map<String, Long> counts = new LinkedHashMap<>();
    streams.keySet().forEach(name -> counts.put(name, 0L));

    try (CacheTransaction tx = cache.begin()) {
      for (ConfiguredAirbyteStream stream : streams.values()) {
        tx.registerStream(sourceName, stream, null, syncId);
      }
      tx.commit();
    }

    Map<String, List<CacheRecord>> buffers = new HashMap<>();
    PendingStates states = new PendingStates();
    RawIds rawIds = new RawIds();
    int buffered = 0;
    long lastCommit = System.nanoTime();
    try {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD && message.record() != null) {
          AirbyteRecordMessage record = message.record();
          if (!streams.containsKey(record.stream())) {
            continue; // a stream outside the catalog: connectors should not send it
          }
          buffers
              .computeIfAbsent(record.stream(), s -> new ArrayList<>())
              .add(toCacheRecord(record, rawIds.next(), syncId));
          counts.merge(record.stream(), 1L, Long::sum);
          if (++buffered >= batchRecords) {
            flush(sourceName, buffers, states);
            buffered = 0;
            lastCommit = System.nanoTime();
          }
        } else if (message.type() == AirbyteMessage.Type.STATE && message.state() != null) {
          states.add(message.state());
          if (System.nanoTime() - lastCommit >= STATE_COMMIT_INTERVAL.toNanos()) {
            flush(sourceName, buffers, states);
            buffered = 0;
            lastCommit = System.nanoTime();
          }
        }
      }
      flush(sourceName, buffers, states);
      complete(sourceName, syncId, true);
    } catch (AkbException connectorFailure) {
      LOG.warn(
          "{} failed; keeping the {} records read so far",
          sourceName,
          counts.values().stream().mapToLong(Long::longValue).sum());
      try {
        flush(sourceName, buffers, states); // every record before these states is in buffers
        complete(sourceName, syncId, false);
      } catch (RuntimeException e) {
        connectorFailure.addSuppressed(e);
      }
      throw connectorFailure;
    }

    Map<String, CachedDataset> datasets = new LinkedHashMap<>();
    streams.keySet().forEach(name -> datasets.put(name, cache.dataset(name)));
    return new ReadResult(sourceName, counts, state(sourceName), datasets, cache);
  }

  private static CacheRecord toCacheRecord(
      AirbyteRecordMessage record, String rawId, String syncId) {
    JsonNode changes = record.meta() == null ? null : record.meta().get("changes");
    long emittedAt = record.emittedAt() == null ? System.currentTimeMillis() : record.emittedAt();
    return new CacheRecord(rawId, syncId, record.data(), emittedAt, changes);
  }

  /**
   * Raw ids of a direct read: a random 64-bit prefix per read and a counter, as a UUID. A direct
   * read is never replayed, so unique is as stable as it needs to be, and the records are new to
   * the cache (flush uses the fast write, which looks no raw id up); {@link UUID#randomUUID()} per
   * record would cost a SecureRandom draw each.
   */
  private static final class RawIds {
    private final long prefix = UUID.randomUUID().getMostSignificantBits();
    private long next;

    String next() {
      return new UUID(prefix, next++).toString();
    }
  }

  /**
   * The states received since the last commit, the latest one per stream: a newer STREAM state of a
   * stream replaces its older one, and a GLOBAL or LEGACY state stands for every stream.
   */
  private static final class PendingStates {
    private final Map<String, AirbyteStateMessage> latest = new LinkedHashMap<>();

    void add(AirbyteStateMessage state) {
      if (state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null) {
        StreamDescriptor stream = state.stream().streamDescriptor();
        latest.remove(""); // a shared state before a per-stream one is its predecessor
        latest.remove(stream.qualifiedName());
        latest.put(stream.qualifiedName(), state);
      } else {
        latest.clear();
        latest.put("", state);
      }
    }

    boolean isEmpty() {
      return latest.isEmpty();
    }

    Iterable<AirbyteStateMessage> inOrder() {
      return latest.values();
    }

    void clear() {
      latest.clear();
    }
  }

  private void flush(
      String sourceName, Map<String, List<CacheRecord>> buffers, PendingStates states) {
    if (buffers.isEmpty() && states.isEmpty()) {
      return;
    }
    try (CacheTransaction tx = cache.begin()) {
      for (Map.Entry<String, List<CacheRecord>> entry : buffers.entrySet()) {
        tx.write(sourceName, entry.getKey(), entry.getValue());
      }
      for (AirbyteStateMessage state : states.inOrder()) {
        tx.writeState(sourceName, state);
      }
      tx.commit();
    }
    buffers.clear();
    states.clear();
  }

  private void complete(String sourceName, String syncId, boolean succeeded) {
    try (CacheTransaction tx = cache.begin()) {
      tx.completeSync(sourceName, syncId, succeeded);
      tx.commit();
    }
  }
}
