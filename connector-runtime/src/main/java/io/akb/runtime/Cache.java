package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;

/**
 * Where {@link Source#read(Cache)} puts a source's records and states, PyAirbyte's cache: the SQL
 * caches (DuckDB, PostgreSQL) of {@code sql-cache} and the Kafka cache of {@code bridge-service}
 * implement it.
 *
 * <p>Contract: {@link #state} returns what {@link #write} stored last for the same source, so a
 * second read resumes incremental streams. {@link #write} consumes {@code messages} to their end
 * (the caller closes them), stores every RECORD of the catalog's streams, and stores a STATE only
 * once every record before it is stored: after a crash, the stored state never points past the
 * stored records. A failure of the connector surfaces from {@code messages.hasNext()} as an {@link
 * AkbException}, which {@code write} lets through after keeping what was complete.
 */
public interface Cache {

  /**
   * The state to resume {@code sourceName}'s incremental streams from: a JSON array of STATE
   * message payloads (STREAM or GLOBAL), or null when the cache holds none.
   */
  JsonNode state(String sourceName);

  /**
   * Stores a read of {@code source}: its records and states, as described on the interface.
   *
   * @return what was read: record counts and the datasets to read back per stream
   */
  ReadResult write(Source source, ConfiguredAirbyteCatalog catalog, MessageStream messages);
}
