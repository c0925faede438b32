package io.akb.runtime.topic;

import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.protocol.SyncMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which generation of each stream a sync writes (the topic contract in ARCHITECTURE.md): a stream's
 * generation starts whenever it is read from scratch (a full refresh, or an incremental stream
 * without a state: its first sync, or after its state was reset), and every record carries it in
 * the {@code airbyte.generation_id} header, so any Kafka consumer sees a refresh: the records of
 * older generations are superseded by the new generation once a sync of it has completed.
 *
 * <p>A new generation's id is the sync's start in epoch milliseconds, or one more than the last one
 * when that is larger (a clock set back): ids only grow, also after a writer lost what it knew
 * (offsets reset, a stream moved to another task). An incremental sync from a state keeps the
 * stream's last generation. Airbyte's {@code generation_id} of the configured stream carries it;
 * {@code minimum_generation_id} stays 0, since the topics keep every generation and each consumer
 * decides whether to keep older ones (a replace target keeps only its last complete sync).
 */
public final class StreamGenerations {
  private StreamGenerations() {}

  /**
   * {@code catalog} with each stream's generation set.
   *
   * @param previous the last generation each stream was written with ({@link
   *     TopicNames#streamKey}); a stream missing has none known
   * @param hasState whether the sync resumes a stream ({@link TopicNames#streamKey}) from a state
   * @param startedAtMs when the sync starts
   */
  public static ConfiguredAirbyteCatalog assign(
      ConfiguredAirbyteCatalog catalog,
      Map<StreamDescriptor, Long> previous,
      Predicate<StreamDescriptor> hasState,
      long startedAtMs) {
    List<ConfiguredAirbyteStream> streams = new ArrayList<>(catalog.streams().size());
    for (ConfiguredAirbyteStream configured : catalog.streams()) {
      StreamDescriptor stream = TopicNames.streamKey(configured.stream().descriptor());
      Long last = previous.get(stream);
      boolean fromScratch =
          configured.syncMode() != SyncMode.INCREMENTAL || !hasState.test(stream) || last == null;
      long generation =
          fromScratch ? Math.max(startedAtMs, last == null ? 0 : last + 1) : last.longValue();
      streams.add(
          new ConfiguredAirbyteStream(
              configured.stream(),
              configured.syncMode(),
              configured.cursorField(),
              configured.destinationSyncMode(),
              configured.primaryKey(),
              generation,
              0L,
              configured.syncId(),
              configured.unknownFields()));
    }
    return new ConfiguredAirbyteCatalog(streams, catalog.unknownFields());
  }

  /** The generation of each stream of {@code catalog} ({@link TopicNames#streamKey}), if set. */
  public static Map<StreamDescriptor, Long> of(ConfiguredAirbyteCatalog catalog) {
    Map<StreamDescriptor, Long> generations = new LinkedHashMap<>();
    for (ConfiguredAirbyteStream configured : catalog.streams()) {
      if (configured.generationId() != null) {
        generations.put(
            TopicNames.streamKey(configured.stream().descriptor()), configured.generationId());
      }
    }
    return generations;
  }

  /** The larger generation of each stream of {@code a} and {@code b}: the newest known. */
  public static Map<StreamDescriptor, Long> newest(
      Map<StreamDescriptor, Long> a, Map<StreamDescriptor, Long> b) {
    Map<StreamDescriptor, Long> newest = new LinkedHashMap<>(a);
    b.forEach((stream, generation) -> newest.merge(stream, generation, Math::max));
    return newest;
  }
}
