package io.akb.runtime.topic;

/** Header names on record topics (the topic contract in ARCHITECTURE.md). Values are UTF-8. */
public final class RecordHeaders {
  public static final String STREAM = "airbyte.stream";
  public static final String NAMESPACE = "airbyte.namespace";
  public static final String SYNC_ID = "airbyte.sync_id";

  /**
   * The stream's generation (see {@link StreamGenerations}), decimal: a new one starts whenever the
   * stream is read from scratch. Absent on records of writers that did not set one.
   */
  public static final String GENERATION_ID = "airbyte.generation_id";

  /** The record's {@code meta.changes} as JSON, only when the connector reported changes. */
  public static final String META = "airbyte.meta";

  private RecordHeaders() {}
}
