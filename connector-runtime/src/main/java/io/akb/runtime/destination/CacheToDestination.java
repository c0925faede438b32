package io.akb.runtime.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.CachedRecord;
import io.akb.runtime.ReadableCache;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.AirbyteStreamState;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.StreamDescriptor;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The messages of a write from a {@link ReadableCache}: each stream's records in the cache's order,
 * then a STREAM state holding the {@link CachedRecord.Position} of the last record sent. The
 * destination echoes that state once it has persisted the records, so the confirmed states say, per
 * stream, how far the destination has the cache; the next write starts after that position.
 *
 * <ul>
 *   <li>A stream kept across reads (destination sync mode {@code append} or {@code append_dedup})
 *       sends the records after its confirmed position, with a state every {@link
 *       #STATE_EVERY_RECORDS} records, so a failed write resumes near where it stopped.
 *   <li>A stream a read replaces ({@code overwrite}) is sent whole, with one state at its end, and
 *       only when it holds a record after its confirmed position (a new generation): resending an
 *       unchanged table would only rewrite the same rows, and part of a table must never overwrite
 *       the destination's whole one.
 *   <li>A stream with nothing to send is left out of the catalog, so the destination does not touch
 *       it (an empty {@code overwrite} stream would empty its table).
 * </ul>
 *
 * <p>The position is by extraction time: a record that reaches the cache after a write with an
 * extraction time older than the confirmed position (a late Kafka partition applied out of time
 * order) is not sent by later writes.
 */
public final class CacheToDestination implements Iterator<AirbyteMessage>, AutoCloseable {
  /** The field of a state's {@code stream_state} that holds the position. */
  public static final String POSITION_FIELD = "akb_cache_position";

  /** Records of an incremental stream between two states. */
  public static final int STATE_EVERY_RECORDS = 10_000;

  private final ReadableCache cache;
  private final List<Plan> plans = new ArrayList<>();
  private int planIndex = -1;
  private Stream<CachedRecord> openRecords;
  private Iterator<CachedRecord> current;
  private CachedRecord.Position lastSent;
  private long sentInStream;
  private final ArrayList<AirbyteMessage> ready = new ArrayList<>();

  /** What to send of one stream. */
  private record Plan(ConfiguredAirbyteStream stream, CachedRecord.Position after) {
    boolean overwrite() {
      return stream.destinationSyncMode() == DestinationSyncMode.OVERWRITE;
    }
  }

  /**
   * Plans a write of {@code streams} (every stream of the cache when empty) after the positions in
   * {@code confirmed}.
   *
   * @throws AkbException naming the cache's streams when one of {@code streams} is not in it
   */
  public CacheToDestination(
      ReadableCache cache, List<String> streams, List<AirbyteStateMessage> confirmed) {
    this.cache = cache;
    List<String> available = cache.streams();
    List<String> selected = streams == null || streams.isEmpty() ? available : streams;
    List<String> unknown = selected.stream().filter(s -> !available.contains(s)).toList();
    if (!unknown.isEmpty()) {
      throw new AkbException(
          "writing from " + cache.describe(),
          "the cache has no stream named " + String.join(", ", unknown),
          available.isEmpty()
              ? "The cache holds no stream yet: read a source into it first."
              : "Streams in the cache: " + String.join(", ", available) + ".");
    }
    Map<String, CachedRecord.Position> positions = positions(confirmed);
    for (String name : selected) {
      ConfiguredAirbyteStream stream = cache.configuredStream(name);
      CachedRecord.Position after = positions.get(descriptor(stream).qualifiedName());
      boolean somethingNew;
      try (Stream<CachedRecord> newer = cache.records(name, after)) {
        somethingNew = newer.findFirst().isPresent();
      }
      if (somethingNew) {
        Plan plan = new Plan(stream, after);
        plans.add(plan.overwrite() ? new Plan(stream, null) : plan);
      }
    }
  }

  /** The catalog of the streams that have something to send; empty when none has. */
  public ConfiguredAirbyteCatalog catalog() {
    return new ConfiguredAirbyteCatalog(plans.stream().map(Plan::stream).toList(), null);
  }

  /** Whether no stream has anything to send. */
  public boolean isEmpty() {
    return plans.isEmpty();
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty()) {
      if (current != null && current.hasNext()) {
        emit(current.next());
      } else if (current != null) {
        endStream();
      } else if (planIndex + 1 < plans.size()) {
        startStream(plans.get(++planIndex));
      } else {
        return false;
      }
    }
    return true;
  }

  @Override
  public AirbyteMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.remove(0);
  }

  /** Releases the cache cursor of the stream being sent, if any. */
  @Override
  public void close() {
    if (openRecords != null) {
      openRecords.close();
      openRecords = null;
    }
    current = null;
  }

  private void startStream(Plan plan) {
    openRecords = cache.records(plan.stream().stream().name(), plan.after());
    current = openRecords.iterator();
    lastSent = null;
    sentInStream = 0;
  }

  private void emit(CachedRecord record) {
    ConfiguredAirbyteStream stream = plans.get(planIndex).stream();
    JsonNode meta = null;
    if (record.changes() != null && !record.changes().isNull()) {
      ObjectNode node = AirbyteJson.MAPPER.createObjectNode();
      node.set("changes", record.changes());
      meta = node;
    }
    ready.add(
        AirbyteMessage.of(
            new AirbyteRecordMessage(
                stream.stream().namespace(),
                stream.stream().name(),
                record.data(),
                record.position().extractedAt().toEpochMilli(),
                meta,
                null)));
    lastSent = record.position();
    sentInStream++;
    if (!plans.get(planIndex).overwrite() && sentInStream % STATE_EVERY_RECORDS == 0) {
      ready.add(AirbyteMessage.of(positionState(descriptor(stream), lastSent)));
    }
  }

  private void endStream() {
    ConfiguredAirbyteStream stream = plans.get(planIndex).stream();
    boolean stateAlreadySent =
        !plans.get(planIndex).overwrite() && sentInStream % STATE_EVERY_RECORDS == 0;
    if (lastSent != null && !stateAlreadySent) {
      ready.add(AirbyteMessage.of(positionState(descriptor(stream), lastSent)));
    }
    close();
  }

  /** A STREAM state saying the destination has the stream up to {@code position}. */
  public static AirbyteStateMessage positionState(
      StreamDescriptor stream, CachedRecord.Position position) {
    ObjectNode streamState = AirbyteJson.MAPPER.createObjectNode();
    streamState
        .putObject(POSITION_FIELD)
        .put("extracted_at", position.extractedAt().toString())
        .put("raw_id", position.rawId());
    return new AirbyteStateMessage(
        AirbyteStateType.STREAM,
        new AirbyteStreamState(stream, streamState, null),
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * The position each confirmed state holds, per qualified stream name; states without a position
   * (a source's own states) are ignored.
   */
  public static Map<String, CachedRecord.Position> positions(List<AirbyteStateMessage> states) {
    Map<String, CachedRecord.Position> positions = new HashMap<>();
    for (AirbyteStateMessage state : states == null ? List.<AirbyteStateMessage>of() : states) {
      if (state.effectiveType() != AirbyteStateType.STREAM
          || state.stream() == null
          || state.stream().streamDescriptor() == null
          || state.stream().streamState() == null) {
        continue;
      }
      JsonNode position = state.stream().streamState().get(POSITION_FIELD);
      if (position == null || !position.hasNonNull("extracted_at")) {
        continue;
      }
      try {
        positions.put(
            state.stream().streamDescriptor().qualifiedName(),
            new CachedRecord.Position(
                Instant.parse(position.get("extracted_at").asText()),
                position.path("raw_id").asText()));
      } catch (DateTimeParseException e) {
        throw new AkbException(
            "reading a confirmed cache position",
            "'" + position.get("extracted_at").asText() + "' is not an ISO-8601 instant",
            "Restore states a write from a cache confirmed, unchanged.");
      }
    }
    return positions;
  }

  private static StreamDescriptor descriptor(ConfiguredAirbyteStream stream) {
    return new StreamDescriptor(stream.stream().name(), stream.stream().namespace());
  }
}
