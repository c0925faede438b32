package io.akb.bridge.cli;

import io.akb.cache.CacheLocation;
import io.akb.runtime.AkbException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A SQL cache named on the command line to be read: {@code duckdb:PATH}, {@code postgres:JDBC_URL}
 * (or a {@code postgresql://} URL), or the bare path of a DuckDB file.
 */
final class CacheArgument {
  private CacheArgument() {}

  /** A cache location, also from the bare path of a DuckDB file. */
  static CacheLocation location(String text) {
    String value = text.strip();
    boolean named =
        value.startsWith("duckdb:")
            || value.startsWith("postgres")
            || value.startsWith("jdbc:postgresql:");
    return CacheLocation.parse(named ? value : "duckdb:" + value);
  }

  /**
   * A cache location that must hold data already: opening a missing DuckDB file would create an
   * empty one, so that is refused with what to do instead.
   *
   * @throws AkbException when the DuckDB file does not exist
   */
  static CacheLocation existing(String text) {
    CacheLocation location = location(text);
    if (location.kind() == CacheLocation.Kind.DUCKDB
        && !Files.isRegularFile(Path.of(location.target()))) {
      throw new AkbException(
          "reading the cache " + text,
          "there is no DuckDB file at " + Path.of(location.target()).toAbsolutePath().normalize(),
          "Run akb read or akb sync first, or pass the path of an existing .duckdb file.");
    }
    return location;
  }
}
