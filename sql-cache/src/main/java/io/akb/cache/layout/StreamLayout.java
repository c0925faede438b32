package io.akb.cache.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one stream is stored: its table, the column of each field with its current type, the resolved
 * write strategy, the primary key and the pending generation of a replace that has not completed
 * yet. Kept as JSON in AKB's {@code _akb_streams} table so field-to-column names stay the same
 * across restarts, even after collisions and widening.
 *
 * <p>Mutable: only the writing transaction changes it, and the cache forgets it on rollback.
 */
public final class StreamLayout {
  /** The columns every stream table has, before its data columns (PyAirbyte's names). */
  public static final String RAW_ID = "_airbyte_raw_id";

  public static final String EXTRACTED_AT = "_airbyte_extracted_at";
  public static final String META = "_airbyte_meta";
  public static final Set<String> INTERNAL_COLUMNS = Set.of(RAW_ID, EXTRACTED_AT, META);

  /**
   * Names the writer adds next to a table's columns while it applies a batch (the record's place in
   * its batch, its rank among duplicates): no data column gets them, or they would clash.
   */
  public static final Set<String> WRITER_COLUMNS = Set.of("_akb_seq", "_akb_rank");

  /** A data column: its identifier and its current type. */
  public record Column(String name, ColumnType type) {}

  private final String streamName;
  private String sourceName;
  private final String tableName;
  private WriteStrategy strategy;
  private List<String> primaryKey;
  private List<String> cursorField = List.of();
  private final LinkedHashMap<String, Column> columns;
  private String pendingTable;
  private String pendingSyncId;

  public StreamLayout(
      String streamName,
      String sourceName,
      String tableName,
      WriteStrategy strategy,
      List<String> primaryKey) {
    this.streamName = streamName;
    this.sourceName = sourceName;
    this.tableName = tableName;
    this.strategy = strategy;
    this.primaryKey = List.copyOf(primaryKey);
    this.columns = new LinkedHashMap<>();
  }

  public String streamName() {
    return streamName;
  }

  public String sourceName() {
    return sourceName;
  }

  public void sourceName(String value) {
    this.sourceName = value;
  }

  /** The stream's table (normalized, unquoted). */
  public String tableName() {
    return tableName;
  }

  /** APPEND, MERGE or REPLACE: never AUTO, which is resolved when the stream is registered. */
  public WriteStrategy strategy() {
    return strategy;
  }

  public void strategy(WriteStrategy value) {
    this.strategy = value;
  }

  /** Top-level field names of the primary key, empty when the stream has none. */
  public List<String> primaryKey() {
    return primaryKey;
  }

  public void primaryKey(List<String> value) {
    this.primaryKey = List.copyOf(value);
  }

  /** The cursor field path the stream was last read with, empty when it has none. */
  public List<String> cursorField() {
    return cursorField;
  }

  public void cursorField(List<String> value) {
    this.cursorField = value == null ? List.of() : List.copyOf(value);
  }

  /** Field name to column, in column order. */
  public Map<String, Column> columns() {
    return Collections.unmodifiableMap(columns);
  }

  public Column column(String field) {
    return columns.get(field);
  }

  public void putColumn(String field, Column column) {
    columns.put(field, column);
  }

  /** Identifiers already used in the table, internal columns included. */
  public Set<String> takenColumnNames() {
    Set<String> taken = new HashSet<>(INTERNAL_COLUMNS);
    taken.addAll(WRITER_COLUMNS);
    columns.values().forEach(c -> taken.add(c.name()));
    return taken;
  }

  /** The table that receives a running replace's rows, or null. */
  public String pendingTable() {
    return pendingTable;
  }

  /** The sync whose rows are in {@link #pendingTable()}, or null. */
  public String pendingSyncId() {
    return pendingSyncId;
  }

  public void pending(String table, String syncId) {
    this.pendingTable = table;
    this.pendingSyncId = syncId;
  }

  /** The physical tables of this stream: the table and a pending generation when there is one. */
  public List<String> physicalTables() {
    List<String> tables = new ArrayList<>(List.of(tableName));
    if (pendingTable != null) {
      tables.add(pendingTable);
    }
    return tables;
  }

  /** The JSON kept in {@code _akb_streams.layout}. */
  public String toJson() {
    ObjectNode node = AirbyteJson.MAPPER.createObjectNode();
    node.put("strategy", strategy.name());
    ArrayNode key = node.putArray("primary_key");
    primaryKey.forEach(key::add);
    ArrayNode cursor = node.putArray("cursor_field");
    cursorField.forEach(cursor::add);
    ArrayNode cols = node.putArray("columns");
    columns.forEach(
        (field, column) ->
            cols.addObject()
                .put("field", field)
                .put("column", column.name())
                .put("type", column.type().name()));
    node.put("pending_table", pendingTable);
    node.put("pending_sync_id", pendingSyncId);
    return node.toString();
  }

  /** Reads what {@link #toJson()} wrote. */
  public static StreamLayout fromJson(
      String streamName, String sourceName, String tableName, String json) {
    try {
      JsonNode node = AirbyteJson.MAPPER.readTree(json);
      List<String> key = new ArrayList<>();
      node.path("primary_key").forEach(k -> key.add(k.asText()));
      StreamLayout layout =
          new StreamLayout(
              streamName,
              sourceName,
              tableName,
              WriteStrategy.valueOf(node.path("strategy").asText()),
              key);
      List<String> cursor = new ArrayList<>();
      node.path("cursor_field").forEach(c -> cursor.add(c.asText()));
      layout.cursorField(cursor);
      for (JsonNode column : node.path("columns")) {
        layout.putColumn(
            column.path("field").asText(),
            new Column(
                column.path("column").asText(), ColumnType.valueOf(column.path("type").asText())));
      }
      layout.pending(
          textOrNull(node.get("pending_table")), textOrNull(node.get("pending_sync_id")));
      return layout;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable layout of stream " + streamName, e);
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
