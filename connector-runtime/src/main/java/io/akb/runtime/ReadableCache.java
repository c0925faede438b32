package io.akb.runtime;

import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cache whose streams can be read back in a stable order, so {@link Destination#write(
 * ReadableCache)} can send them to a destination and a later write can send only what came after.
 * The SQL caches (DuckDB, PostgreSQL) of {@code sql-cache} implement it.
 */
public interface ReadableCache {

  /**
   * What and where the cache is ("DuckDB file /data/cache.duckdb"), for messages; also the name a
   * {@link Destination} keeps its confirmed positions in this cache under.
   */
  String describe();

  /** The names of the streams the cache holds. */
  List<String> streams();

  /**
   * A stream as the cache holds it, as a configured stream for a destination's catalog: the JSON
   * schema it was read with, its primary key and cursor, the sync mode (incremental when the cache
   * keeps the stream's rows across reads, full refresh when a read replaces them) and the matching
   * destination sync mode ({@code append_dedup} with a primary key, {@code append}, or {@code
   * overwrite} for full refresh).
   *
   * @throws AkbException naming the cache's streams when it has no such stream
   */
  ConfiguredAirbyteStream configuredStream(String stream);

  /**
   * A stream's records after {@code after} (every record when null), ordered by {@link
   * CachedRecord.Position}. Lazy: close the stream (try-with-resources) to release the cache's
   * cursor.
   */
  Stream<CachedRecord> records(String stream, CachedRecord.Position after);

  /**
   * The states a destination confirmed from this cache, one per stream, as {@link
   * #saveDestinationPositions} stored them: where its next write from this cache starts. Empty when
   * the destination never wrote from this cache.
   *
   * @param destination the destination's {@link Destination#positionsKey() key}
   */
  List<AirbyteStateMessage> destinationPositions(String destination);

  /**
   * Stores the states a destination confirmed from this cache (replacing what was stored for it),
   * so a later process, such as the next {@code akb write}, continues where this one ended.
   */
  void saveDestinationPositions(String destination, List<AirbyteStateMessage> states);
}
