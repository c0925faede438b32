package io.akb.cache;

import java.util.Locale;

/** How records of a stream are applied to its table (ARCHITECTURE.md). */
public enum WriteStrategy {
  /** Every record is a new row. */
  APPEND,
  /** Upsert on the primary key; duplicates within a batch are removed first (last one wins). */
  MERGE,
  /** A full refresh: the sync's rows replace the table when the sync completes. */
  REPLACE,
  /** MERGE with a primary key, APPEND with a cursor, else REPLACE. */
  AUTO;

  /** Parses {@code append}, {@code merge}, {@code replace} or {@code auto}, any case. */
  public static WriteStrategy fromProperty(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new io.akb.runtime.AkbException(
          "reading the write strategy",
          "'" + value + "' is not a write strategy",
          "Use one of append, merge, replace, auto.");
    }
  }
}
