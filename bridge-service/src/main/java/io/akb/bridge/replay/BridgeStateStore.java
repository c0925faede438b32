package io.akb.bridge.replay;

import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.StoredOffset;
import java.util.Map;

/**
 * Where destination targets keep their confirmed offsets ({@code akb.state-store}): a DuckDB file
 * or a PostgreSQL database, holding the SQL cache's offsets table ({@code _akb_offsets}, one row
 * per target and {@code topic/partition}), so a destination target stores its offsets exactly as a
 * cache target does in its cache. Cache targets keep theirs in their own cache, in the same
 * transaction as their rows.
 *
 * <p>Thread-safe: every destination target of the bridge shares one store, opened on first use and
 * held until {@link #close()} (a DuckDB file allows one writing process).
 */
public final class BridgeStateStore implements AutoCloseable {
  /** The default location, next to the default cache. */
  public static final String DEFAULT = "duckdb:./.cache/akb_bridge_state.duckdb";

  private final CacheLocation location;
  private SqlCache store;

  public BridgeStateStore(CacheLocation location) {
    this.location = location;
  }

  /** The offsets {@code target} stored last: {@code topic/partition} to position. */
  public synchronized Map<String, StoredOffset> load(String target) {
    return open().storedOffsets(target);
  }

  /** Stores offsets of {@code target} (other partitions keep theirs), in one transaction. */
  public synchronized void save(String target, Map<String, StoredOffset> offsets) {
    try (CacheTransaction tx = open().begin()) {
      tx.saveOffsets(target, offsets);
      tx.commit();
    }
  }

  /** Where the store is, for messages. */
  public String describe() {
    return location.describe();
  }

  private SqlCache open() {
    if (store == null) {
      store = SqlCache.open(location, CacheOptions.defaults());
    }
    return store;
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }
}
