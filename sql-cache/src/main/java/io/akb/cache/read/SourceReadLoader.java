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
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a source's {@code read} straight into a {@link SqlCache}, without Kafka: what {@code
 * source.read(sqlCache)} does.
 *
 * <p>Records are buffered per stream and written with {@link CacheTransaction#write} (the fast
 * path: every record is new, with a random raw id) in transactions of at most {@link
 * #DEFAULT_BATCH_RECORDS} records (bounded memory). A STATE is written in the same transaction as
 * every record before it, so the stored state never points past the stored records. At the end the
 * sync completes (replaced streams swap in their new generation); when the connector fails, the
 * records read so far stay, the sync completes as failed (replaced streams keep their previous
 * generation) and the failure is rethrown.
 */
public final class SourceReadLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SourceReadLoader.class);

  /** Records per transaction when nothing else is asked. */
  public static final int DEFAULT_BATCH_RECORDS = 10_000;

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
    int buffered = 0;
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
              .add(toCacheRecord(record, syncId));
          counts.merge(record.stream(), 1L, Long::sum);
          if (++buffered >= batchRecords) {
            flush(sourceName, buffers, null);
            buffered = 0;
          }
        } else if (message.type() == AirbyteMessage.Type.STATE && message.state() != null) {
          flush(sourceName, buffers, message.state());
          buffered = 0;
        }
      }
      flush(sourceName, buffers, null);
      complete(sourceName, syncId, true);
    } catch (AkbException connectorFailure) {
      LOG.warn(
          "{} failed; keeping the {} records read so far",
          sourceName,
          counts.values().stream().mapToLong(Long::longValue).sum());
      try {
        flush(sourceName, buffers, null);
        complete(sourceName, syncId, false);
      } catch (RuntimeException e) {
        connectorFailure.addSuppressed(e);
      }
      throw connectorFailure;
    }

    Map<String, CachedDataset> datasets = new LinkedHashMap<>();
    streams.keySet().forEach(name -> datasets.put(name, new SqlCachedDataset(cache, name)));
    return new ReadResult(sourceName, counts, state(sourceName), datasets, cache);
  }

  private static CacheRecord toCacheRecord(AirbyteRecordMessage record, String syncId) {
    JsonNode changes = record.meta() == null ? null : record.meta().get("changes");
    long emittedAt = record.emittedAt() == null ? System.currentTimeMillis() : record.emittedAt();
    // A direct read is never replayed, so a random id is as stable as it needs to be, and the
    // records are new to the cache: flush uses the fast write, which looks no raw id up.
    return new CacheRecord(UUID.randomUUID().toString(), syncId, record.data(), emittedAt, changes);
  }

  private void flush(
      String sourceName,
      Map<String, List<CacheRecord>> buffers,
      io.akb.runtime.protocol.AirbyteStateMessage state) {
    if (buffers.isEmpty() && state == null) {
      return;
    }
    try (CacheTransaction tx = cache.begin()) {
      for (Map.Entry<String, List<CacheRecord>> entry : buffers.entrySet()) {
        tx.write(sourceName, entry.getKey(), entry.getValue());
      }
      if (state != null) {
        tx.writeState(sourceName, state);
      }
      tx.commit();
    }
    buffers.clear();
  }

  private void complete(String sourceName, String syncId, boolean succeeded) {
    try (CacheTransaction tx = cache.begin()) {
      tx.completeSync(sourceName, syncId, succeeded);
      tx.commit();
    }
  }

  /** A stream of a SQL cache, read back through the cache. */
  private record SqlCachedDataset(SqlCache cache, String streamName) implements CachedDataset {
    @Override
    public long count() {
      return cache.count(streamName);
    }

    @Override
    public Stream<JsonNode> records() {
      return cache.rows(streamName);
    }
  }
}
