package io.akb.runtime.topic;

import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The configured catalog a destination gets when it is fed from topics: the streams of the {@code
 * SYNC_STARTED} events on the sources' state topics, each with its destination sync mode.
 */
public final class TopicCatalog {
  private TopicCatalog() {}

  /**
   * The streams of all events, the newest event's version of each stream winning, with the
   * destination sync mode {@code modeOf} gives each: {@code append_dedup} needs a primary key, so a
   * stream without one is appended.
   */
  public static ConfiguredAirbyteCatalog merge(
      List<StateEvent> syncStarted, Function<ConfiguredAirbyteStream, DestinationSyncMode> modeOf) {
    Map<String, ConfiguredAirbyteStream> streams = new LinkedHashMap<>();
    for (StateEvent event : syncStarted) {
      if (event == null
          || event.type() != StateEvent.Type.SYNC_STARTED
          || event.catalog() == null
          || event.catalog().streams() == null) {
        continue;
      }
      for (ConfiguredAirbyteStream stream : event.catalog().streams()) {
        streams.put(stream.stream().descriptor().qualifiedName(), withMode(stream, modeOf));
      }
    }
    return new ConfiguredAirbyteCatalog(new ArrayList<>(streams.values()), null);
  }

  /** {@link #merge(List, Function)} with one mode for every stream. */
  public static ConfiguredAirbyteCatalog merge(
      List<StateEvent> syncStarted, DestinationSyncMode mode) {
    return merge(syncStarted, stream -> mode);
  }

  private static ConfiguredAirbyteStream withMode(
      ConfiguredAirbyteStream stream,
      Function<ConfiguredAirbyteStream, DestinationSyncMode> modeOf) {
    DestinationSyncMode mode = modeOf.apply(stream);
    boolean hasKey = stream.primaryKey() != null && !stream.primaryKey().isEmpty();
    DestinationSyncMode effective =
        mode == DestinationSyncMode.APPEND_DEDUP && !hasKey ? DestinationSyncMode.APPEND : mode;
    return new ConfiguredAirbyteStream(
        stream.stream(),
        stream.syncMode(),
        stream.cursorField(),
        effective,
        stream.primaryKey(),
        // One destination run replays records of many syncs, so of many generations: the
        // generation of the last SYNC_STARTED would be wrong for the earlier records (and a
        // destination that truncates older generations would drop them). Records carry theirs.
        null,
        null,
        stream.syncId(),
        stream.unknownFields());
  }

  /**
   * A state-topic value as an event, or null when it is not one (other writers, tombstones), read
   * as JSON only: a registry-framed event fails naming the setting ({@link
   * RecordValueDecoder#decodeEvent}).
   */
  public static StateEvent parseEvent(byte[] value) {
    return new RecordValueDecoder(null).decodeEvent(value);
  }
}
