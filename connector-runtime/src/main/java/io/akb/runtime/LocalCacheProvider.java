package io.akb.runtime;

import java.nio.file.Path;

/**
 * Opens the local caches of {@link Airbyte#defaultCache()} and {@link Airbyte#newLocalCache}: a
 * service ({@code META-INF/services/io.akb.runtime.LocalCacheProvider}) that {@code sql-cache}
 * provides, since connector-runtime cannot depend on it. Users call {@code Airbyte} (or {@code
 * io.akb.cache.Caches}), not this.
 */
public interface LocalCacheProvider {

  /** The default cache, opened (created when missing). */
  Cache defaultCache();

  /**
   * A named local cache, opened (created when missing).
   *
   * @param name the cache's name: letters, digits and underscores; null for a new random name
   * @param cacheDir the directory of its file, or null for {@code ./.cache/<name>}
   */
  Cache newLocalCache(String name, Path cacheDir);
}
