package io.akb.cache;

import io.akb.runtime.AkbException;
import io.akb.runtime.LocalCacheProvider;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Local DuckDB caches, PyAirbyte's {@code get_default_cache()} and {@code new_local_cache()}, typed
 * as {@link SqlCache}. {@code Airbyte.defaultCache()} and {@code Airbyte.newLocalCache(name)} of
 * connector-runtime open the same caches through {@link Provider} (a {@link LocalCacheProvider}
 * service, since connector-runtime cannot depend on this module).
 *
 * <pre>{@code
 * try (SqlCache cache = Caches.defaultCache()) {      // ./.cache/default_cache.duckdb
 *   ReadResult result = source.read(cache);
 *   cache.dataset("users").records();                 // fields and _airbyte_* columns
 * }
 * }</pre>
 *
 * <p>Each call opens the file: close the cache after use, DuckDB lets one process have it.
 */
public final class Caches {
  /** Where local caches live: {@code ./.cache}, relative to the working directory. */
  public static final String CACHE_ROOT = "./.cache";

  private static final Pattern CACHE_NAME = Pattern.compile("[A-Za-z0-9_]+");

  private Caches() {}

  /**
   * The default cache, {@link CacheLocation#DEFAULT} ({@code ./.cache/default_cache.duckdb}, the
   * {@code akb} command's default too), with {@link CacheOptions#defaults()}; opened, and created
   * when missing. PyAirbyte's own default file is {@code
   * ./.cache/default_cache/default_cache.duckdb}: pass that to {@code SqlCache.open} to share it.
   */
  public static SqlCache defaultCache() {
    return SqlCache.open(CacheLocation.parse(CacheLocation.DEFAULT), CacheOptions.defaults());
  }

  /** A local cache named {@code name}: {@code newLocalCache(name, null)}. */
  public static SqlCache newLocalCache(String name) {
    return newLocalCache(name, null);
  }

  /**
   * A local cache, PyAirbyte's {@code new_local_cache(cache_name, cache_dir)}: the DuckDB file
   * {@code db_<name>.duckdb} in {@code cacheDir} ({@code ./.cache/<name>} when null), with {@link
   * CacheOptions#defaults()}; opened, and created when missing.
   *
   * @param name letters, digits and underscores; null or empty for a new random name
   * @throws AkbException for a name with spaces or other characters, quoting it
   */
  public static SqlCache newLocalCache(String name, Path cacheDir) {
    return SqlCache.open(localCacheLocation(name, cacheDir), CacheOptions.defaults());
  }

  /** Where {@link #newLocalCache(String, Path)} puts a cache; see there. */
  public static CacheLocation localCacheLocation(String name, Path cacheDir) {
    String cacheName = name == null || name.isEmpty() ? randomName() : checkName(name);
    String file = "db_" + cacheName + ".duckdb";
    String target =
        cacheDir == null
            ? CACHE_ROOT + "/" + cacheName + "/" + file
            : cacheDir.resolve(file).toString();
    return new CacheLocation(CacheLocation.Kind.DUCKDB, target);
  }

  private static String checkName(String name) {
    if (name.contains(" ")) {
      throw invalidName(name, "a cache name cannot contain spaces");
    }
    if (!CACHE_NAME.matcher(name).matches()) {
      throw invalidName(
          name, "a cache name can only contain alphanumeric characters and underscores");
    }
    return name;
  }

  private static AkbException invalidName(String name, String why) {
    return new AkbException(
        "opening local cache '" + name + "'", why, "Use a name such as users_cache.");
  }

  /** A new name for an unnamed cache, as PyAirbyte's ULID: letters and digits. */
  private static String randomName() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** The {@link LocalCacheProvider} service behind {@code Airbyte.defaultCache()}. */
  public static final class Provider implements LocalCacheProvider {
    @Override
    public SqlCache defaultCache() {
      return Caches.defaultCache();
    }

    @Override
    public SqlCache newLocalCache(String name, Path cacheDir) {
      return Caches.newLocalCache(name, cacheDir);
    }
  }
}
