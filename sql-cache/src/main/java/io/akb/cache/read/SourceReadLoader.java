package io.akb.cache.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.SqlCache;
import io.akb.cache.load.CacheLoader;
import io.akb.cache.load.CacheLoader.BatchLimits;
import io.akb.runtime.AkbException;
import io.akb.runtime.CachedDataset;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a source's {@code read} straight into a {@link SqlCache}, without Kafka: what {@code
 * source.read(sqlCache)} does. An adapter that turns the connector's messages into the events of
 * the {@link CacheLoader} core, which the bridge's cache targets drive too.
 *
 * <p>The connector's output is ordered, so a STATE needs no counts: it is complete once the records
 * before it are buffered, and is written in the same transaction as them (the loader keeps the
 * latest per stream). Transactions hold at most {@code batchRecords} records (bounded memory), and
 * one is written at the latest {@link #MAX_WAIT} after the oldest record or state it holds, so a
 * slow source's progress is saved regularly while a connector that checkpoints every few records
 * does not pay a commit per STATE. At the end the sync completes (replaced streams swap in their
 * new generation); when the connector fails, the records its last state covers stay, those read
 * after it are taken back (the next read resumes from that state and sends them again: an append
 * stream would hold them twice), the sync completes as failed (replaced streams keep their previous
 * generation) and the failure is rethrown.
 */
public final class SourceReadLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SourceReadLoader.class);

  /** Records per transaction when nothing else is asked. */
  public static final int DEFAULT_BATCH_RECORDS = 10_000;

  /** The longest a record or state waits for its transaction. */
  static final Duration MAX_WAIT = Duration.ofSeconds(2);

  /** The one position of a direct read, which checkpoints need not count. */
  private static final String POSITION = "read";

  private final SqlCache cache;
  private final BatchLimits limits;

  public SourceReadLoader(SqlCache cache, int batchRecords) {
    if (batchRecords < 1) {
      throw new IllegalArgumentException("batchRecords must be positive: " + batchRecords);
    }
    this.cache = cache;
    this.limits = new BatchLimits(batchRecords, Long.MAX_VALUE, MAX_WAIT);
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

    RawIds rawIds = new RawIds();
    CacheLoader<Void> loader = new CacheLoader<>(cache, rawIds);
    // Registered at once, so that a replaced stream's new generation starts before any record.
    loader.syncStarted(sourceName, syncId, List.copyOf(streams.values()), stream -> null);
    flush(loader);
    long seq = 0;
    try {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.RECORD && message.record() != null) {
          AirbyteRecordMessage record = message.record();
          if (!streams.containsKey(record.stream())) {
            continue; // a stream outside the catalog: connectors should not send it
          }
          // Bytes are not counted: a direct read bounds its batches by records.
          loader.record(
              sourceName,
              record.stream(),
              POSITION,
              seq,
              toCacheRecord(record, rawIds.of(POSITION, seq), syncId),
              0,
              false);
          seq++;
          counts.merge(record.stream(), 1L, Long::sum);
        } else if (message.type() == AirbyteMessage.Type.STATE && message.state() != null) {
          loader.checkpoint(sourceName, syncId, message.state(), null, null);
        } else {
          continue;
        }
        if (loader.isDue(limits)) {
          flush(loader);
        }
      }
      loader.syncCompleted(sourceName, syncId, true, null, null);
      flush(loader);
    } catch (AkbException connectorFailure) {
      LOG.warn(
          "{} failed after {} records; keeping those its last state covers",
          sourceName,
          counts.values().stream().mapToLong(Long::longValue).sum());
      try {
        // Every record before the states received is in the batch: they are kept, the records
        // after the last state are taken back (the next read, resuming from that state, sends
        // them again).
        loader.syncCompleted(sourceName, syncId, false, null, null);
        flush(loader);
      } catch (RuntimeException e) {
        connectorFailure.addSuppressed(e);
      }
      throw connectorFailure;
    }

    Map<String, CachedDataset> datasets = new LinkedHashMap<>();
    streams.keySet().forEach(name -> datasets.put(name, cache.dataset(name)));
    return new ReadResult(sourceName, counts, state(sourceName), datasets, cache);
  }

  private static void flush(CacheLoader<Void> loader) {
    loader.flush(written -> {}, Map::of);
  }

  private static CacheRecord toCacheRecord(
      AirbyteRecordMessage record, String rawId, String syncId) {
    JsonNode changes = record.meta() == null ? null : record.meta().get("changes");
    long emittedAt = record.emittedAt() == null ? System.currentTimeMillis() : record.emittedAt();
    return new CacheRecord(rawId, syncId, record.data(), emittedAt, changes);
  }

  /**
   * Raw ids of a direct read: a random 64-bit prefix per read and the record's number in the read,
   * as a UUID. A direct read is never replayed, so unique is as stable as it needs to be, and the
   * records are new to the cache (the loader uses the fast write, which looks no raw id up); {@link
   * UUID#randomUUID()} per record would cost a SecureRandom draw each. A function of the number, so
   * the loader names the rows a failed read takes back from numbers alone.
   */
  private static final class RawIds implements CacheLoader.RawIds {
    private final long prefix = UUID.randomUUID().getMostSignificantBits();

    @Override
    public String of(String position, long seq) {
      return new UUID(prefix, seq).toString();
    }
  }
}
