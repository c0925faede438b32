package io.akb.cache;

/**
 * Where a cache lives, parsed from {@code duckdb:PATH} or {@code postgres:JDBC_URL} (also {@code
 * postgresql://...} URLs). The default is DuckDB at {@code ./.cache/default_cache.duckdb}.
 */
public record CacheLocation(Kind kind, String target) {
  public static final String DEFAULT = "duckdb:./.cache/default_cache.duckdb";

  /** Database kinds. */
  public enum Kind {
    DUCKDB,
    POSTGRES
  }

  /**
   * The location fit to show (REST, logs, messages): {@code kind:target} with any password in the
   * target masked.
   */
  public String describe() {
    return kind + ":" + withoutPassword(target);
  }

  /**
   * {@code text} with the password of a {@code password=} parameter (JDBC URLs, {@code ;}- or
   * {@code &}-separated) or of a {@code user:password@} URL part replaced by {@code ***}.
   */
  public static String withoutPassword(String text) {
    return text.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(://[^:/@]+:)[^@/]*@", "$1***@");
  }

  /** Parses a location string; see the class comment for the forms. */
  public static CacheLocation parse(String text) {
    return CacheDialects.parseLocation(text);
  }
}
