package io.akb.cache.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.WriteStrategy;
import io.akb.cache.layout.ColumnType;
import io.akb.cache.layout.StreamLayout;
import io.akb.runtime.protocol.AirbyteJson;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch of a stream: evolves the table to fit the batch (new fields add columns, values
 * that do not fit widen their column, noted in the row's {@code _airbyte_meta}), bulk-loads the
 * batch as text into a staging table, then applies it with one set-based statement per strategy:
 *
 * <ul>
 *   <li>append and replace: insert rows whose {@code _airbyte_raw_id} the table does not hold yet,
 *       so a replayed batch never doubles a row;
 *   <li>merge: keep the last record per key of the batch, delete the table's rows with those keys,
 *       insert;
 *   <li>replace: rows go to the sync's pending generation table, swapped in at completeSync.
 * </ul>
 */
final class StreamWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);
  static final String SEQ = "_akb_seq";
  private static final String STAGING = "_akb_staging";

  private final JdbcSqlCache cache;

  StreamWriter(JdbcSqlCache cache) {
    this.cache = cache;
  }

  void write(JdbcCacheTransaction tx, StreamLayout layout, List<CacheRecord> records)
      throws SQLException {
    int columnsBefore = layout.columns().size();
    Map<String, ColumnType> widened = evolveToRecords(layout, records);
    for (String field : layout.primaryKey()) {
      if (layout.column(field) == null) {
        // A key field neither the schema nor the batch holds: its column stays null, merged as one
        // key.
        addColumn(layout, field, ColumnType.VARCHAR);
      }
    }
    boolean newGeneration =
        layout.strategy() == WriteStrategy.REPLACE
            && preparePendingGeneration(tx, layout, records.get(0).syncId());
    if (newGeneration || !widened.isEmpty() || layout.columns().size() != columnsBefore) {
      tx.saveLayout(layout);
    }
    List<String> fields = new ArrayList<>(layout.columns().keySet());
    List<String> stagedColumns = new ArrayList<>();
    stagedColumns.add(StreamLayout.RAW_ID);
    stagedColumns.add(StreamLayout.EXTRACTED_AT);
    stagedColumns.add(StreamLayout.META);
    fields.forEach(f -> stagedColumns.add(layout.column(f).name()));

    Connection connection = tx.connection();
    SqlDialect dialect = cache.dialect();
    dialect.loadStaging(
        connection, STAGING, stagedColumns, new StagedRows(layout, fields, records, widened));
    try (Statement statement = connection.createStatement()) {
      String target =
          layout.strategy() == WriteStrategy.REPLACE ? layout.pendingTable() : layout.tableName();
      if (layout.strategy() == WriteStrategy.MERGE) {
        merge(statement, layout, target, stagedColumns, fields);
      } else {
        appendNew(statement, layout, target, stagedColumns, fields);
      }
      statement.execute("DROP TABLE " + dialect.quote(STAGING));
    }
  }

  /** The select list casting each staged text column to its column's type. */
  private String castColumns(StreamLayout layout, List<String> fields, String alias) {
    SqlDialect dialect = cache.dialect();
    StringBuilder select = new StringBuilder();
    select.append(alias).append('.').append(dialect.quote(StreamLayout.RAW_ID));
    select
        .append(", ")
        .append(
            dialect.castFromText(
                alias + "." + dialect.quote(StreamLayout.EXTRACTED_AT), ColumnType.TIMESTAMP_TZ));
    select
        .append(", ")
        .append(
            dialect.castFromText(alias + "." + dialect.quote(StreamLayout.META), ColumnType.JSON));
    for (String field : fields) {
      StreamLayout.Column column = layout.column(field);
      select
          .append(", ")
          .append(dialect.castFromText(alias + "." + dialect.quote(column.name()), column.type()));
    }
    return select.toString();
  }

  private String columnList(List<String> columns) {
    StringBuilder list = new StringBuilder();
    for (String column : columns) {
      if (list.length() > 0) {
        list.append(", ");
      }
      list.append(cache.quote(column));
    }
    return list.toString();
  }

  private void appendNew(
      Statement statement,
      StreamLayout layout,
      String target,
      List<String> columns,
      List<String> fields)
      throws SQLException {
    String rawId = cache.quote(StreamLayout.RAW_ID);
    String sql =
        "INSERT INTO "
            + cache.qualified(target)
            + " ("
            + columnList(columns)
            + ")"
            + " SELECT "
            + castColumns(layout, fields, "s")
            + " FROM (SELECT *, row_number() OVER (PARTITION BY "
            + rawId
            + " ORDER BY "
            + cache.quote(SEQ)
            + " DESC) AS _akb_rank FROM "
            + cache.quote(STAGING)
            + ") s"
            + " WHERE s._akb_rank = 1 AND NOT EXISTS (SELECT 1 FROM "
            + cache.qualified(target)
            + " t WHERE t."
            + rawId
            + " = s."
            + rawId
            + ")"
            + " ORDER BY s."
            + cache.quote(SEQ);
    statement.executeUpdate(sql);
  }

  private void merge(
      Statement statement,
      StreamLayout layout,
      String target,
      List<String> columns,
      List<String> fields)
      throws SQLException {
    SqlDialect dialect = cache.dialect();
    List<String> keyColumns = new ArrayList<>();
    for (String field : layout.primaryKey()) {
      keyColumns.add(layout.column(field).name());
    }
    String partition = columnList(keyColumns);
    String latest = "_akb_latest";
    statement.execute(
        "CREATE TEMPORARY TABLE "
            + dialect.quote(latest)
            + " AS SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY "
            + partition
            + " ORDER BY "
            + dialect.quote(SEQ)
            + " DESC) AS _akb_rank FROM "
            + dialect.quote(STAGING)
            + ") s WHERE s._akb_rank = 1");
    // Equality joins use the key indexes; keys holding a null are matched in a second, rare pass.
    StringBuilder equal = new StringBuilder();
    StringBuilder nullSafe = new StringBuilder();
    StringBuilder anyNull = new StringBuilder();
    for (String field : layout.primaryKey()) {
      StreamLayout.Column column = layout.column(field);
      String staged = dialect.castFromText("s." + dialect.quote(column.name()), column.type());
      String current = "t." + dialect.quote(column.name());
      equal.append(equal.length() > 0 ? " AND " : "").append(current).append(" = ").append(staged);
      nullSafe
          .append(nullSafe.length() > 0 ? " AND " : "")
          .append("(")
          .append(current)
          .append(" = ")
          .append(staged)
          .append(" OR (")
          .append(current)
          .append(" IS NULL AND s.")
          .append(dialect.quote(column.name()))
          .append(" IS NULL))");
      anyNull
          .append(anyNull.length() > 0 ? " OR " : "")
          .append(dialect.quote(column.name()))
          .append(" IS NULL");
    }
    String table = cache.qualified(target);
    statement.executeUpdate(
        "DELETE FROM "
            + table
            + " t WHERE EXISTS (SELECT 1 FROM "
            + dialect.quote(latest)
            + " s WHERE "
            + equal
            + ")");
    try (ResultSet nulls =
        statement.executeQuery(
            "SELECT count(*) FROM " + dialect.quote(latest) + " WHERE " + anyNull)) {
      nulls.next();
      if (nulls.getLong(1) > 0) {
        statement.executeUpdate(
            "DELETE FROM "
                + table
                + " t WHERE EXISTS (SELECT 1 FROM "
                + dialect.quote(latest)
                + " s WHERE "
                + nullSafe
                + ")");
      }
    }
    statement.executeUpdate(
        "INSERT INTO "
            + table
            + " ("
            + columnList(columns)
            + ") SELECT "
            + castColumns(layout, fields, "s")
            + " FROM "
            + dialect.quote(latest)
            + " s ORDER BY s."
            + dialect.quote(SEQ));
    statement.execute("DROP TABLE " + dialect.quote(latest));
  }

  /**
   * A replace writes into a pending table owned by the sync; a pending table of an older sync that
   * never completed is dropped first, so generations never mix. Returns whether it created one.
   */
  private boolean preparePendingGeneration(
      JdbcCacheTransaction tx, StreamLayout layout, String syncId) throws SQLException {
    if (layout.pendingTable() != null && Objects.equals(layout.pendingSyncId(), syncId)) {
      return false;
    }
    try (Statement statement = tx.connection().createStatement()) {
      if (layout.pendingTable() != null) {
        LOG.info(
            "Dropping the unfinished generation of stream {} (sync {})",
            layout.streamName(),
            layout.pendingSyncId());
        statement.execute("DROP TABLE IF EXISTS " + cache.qualified(layout.pendingTable()));
      }
    }
    Set<String> taken = new HashSet<>(cache.takenTableNames());
    String pending = cache.normalizer().unique(layout.tableName() + "_akb_next", taken);
    layout.pending(pending, syncId);
    tx.createTable(layout, pending);
    return true;
  }

  /**
   * Adds columns for fields the layout lacks and widens columns whose type cannot hold a value of
   * the batch. Returns the widened columns' previous types by field.
   */
  private Map<String, ColumnType> evolveToRecords(StreamLayout layout, List<CacheRecord> records)
      throws SQLException {
    Map<String, ColumnType> previous = new LinkedHashMap<>();
    Map<String, ColumnType> wanted = new HashMap<>();
    for (CacheRecord record : records) {
      JsonNode data = record.data();
      if (data == null || !data.isObject()) {
        continue;
      }
      var fields = data.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        JsonNode value = field.getValue();
        if (value.isNull()) {
          continue;
        }
        StreamLayout.Column column = layout.column(field.getKey());
        ColumnType type =
            wanted.getOrDefault(field.getKey(), column == null ? null : column.type());
        if (type == null) {
          wanted.put(field.getKey(), ColumnType.inferFrom(value));
          continue;
        }
        if (type.text(value) == null) {
          ColumnType wider = type;
          while (wider.text(value) == null) {
            wider = wider.widenFor(value);
          }
          wanted.put(field.getKey(), wider);
        }
      }
    }
    for (Map.Entry<String, ColumnType> entry : wanted.entrySet()) {
      StreamLayout.Column column = layout.column(entry.getKey());
      if (column == null) {
        addColumn(layout, entry.getKey(), entry.getValue());
      } else if (column.type() != entry.getValue()) {
        previous.put(entry.getKey(), column.type());
        changeColumnType(layout, entry.getKey(), entry.getValue());
      }
    }
    return previous;
  }

  void addColumn(StreamLayout layout, String field, ColumnType type) throws SQLException {
    String name = cache.normalizer().unique(field, layout.takenColumnNames());
    layout.putColumn(field, new StreamLayout.Column(name, type));
    try (Statement statement = cache.writer().createStatement()) {
      for (String table : layout.physicalTables()) {
        statement.execute(
            "ALTER TABLE "
                + cache.qualified(table)
                + " ADD COLUMN "
                + cache.quote(name)
                + " "
                + cache.dialect().sqlType(type));
      }
    }
  }

  void changeColumnType(StreamLayout layout, String field, ColumnType type) throws SQLException {
    StreamLayout.Column column = layout.column(field);
    LOG.info(
        "Widening column {} of stream {} from {} to {}",
        column.name(),
        layout.streamName(),
        column.type(),
        type);
    try (Statement statement = cache.writer().createStatement()) {
      for (String table : layout.physicalTables()) {
        for (String sql :
            cache.dialect().alterColumnType(cache.qualified(table), column.name(), type)) {
          statement.execute(sql);
        }
      }
    }
    layout.putColumn(field, new StreamLayout.Column(column.name(), type));
  }

  /** The batch as staged text rows, computed one row at a time (bounded memory). */
  private final class StagedRows implements Iterator<Object[]> {
    private final StreamLayout layout;
    private final List<String> fields;
    private final List<CacheRecord> records;
    private final Map<String, ColumnType> widened;
    private final ColumnType[] types;
    private int index;

    StagedRows(
        StreamLayout layout,
        List<String> fields,
        List<CacheRecord> records,
        Map<String, ColumnType> widened) {
      this.layout = layout;
      this.fields = fields;
      this.records = records;
      this.widened = widened;
      this.types = new ColumnType[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        types[i] = layout.column(fields.get(i)).type();
      }
    }

    @Override
    public boolean hasNext() {
      return index < records.size();
    }

    @Override
    public Object[] next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      CacheRecord record = records.get(index);
      Object[] row = new Object[4 + fields.size()];
      row[0] = (long) index;
      index++;
      row[1] = record.rawId();
      row[2] = Instant.ofEpochMilli(record.emittedAt()).toString();
      JsonNode data = record.data();
      ArrayNode changes = null;
      for (int i = 0; i < fields.size(); i++) {
        JsonNode value = data == null ? null : data.get(fields.get(i));
        if (value == null || value.isNull()) {
          continue;
        }
        row[4 + i] = cache.dialect().storable(types[i].text(value));
        ColumnType before = widened.get(fields.get(i));
        if (before != null && before.text(value) == null) {
          if (changes == null) {
            changes = AirbyteJson.MAPPER.createArrayNode();
          }
          changes
              .addObject()
              .put("field", fields.get(i))
              .put("change", "WIDENED")
              .put("reason", "DESTINATION_TYPECAST_ERROR")
              .put(
                  "detail",
                  "column "
                      + layout.column(fields.get(i)).name()
                      + " changed from "
                      + before
                      + " to "
                      + types[i]);
        }
      }
      row[3] = cache.dialect().storable(meta(record, changes).toString());
      return row;
    }

    private ObjectNode meta(CacheRecord record, ArrayNode widenings) {
      ObjectNode meta = AirbyteJson.MAPPER.createObjectNode();
      ArrayNode changes = meta.putArray("changes");
      if (record.changes() != null && record.changes().isArray()) {
        changes.addAll((ArrayNode) record.changes());
      }
      if (widenings != null) {
        changes.addAll(widenings);
      }
      if (record.syncId() != null) {
        meta.put("sync_id", record.syncId());
      }
      return meta;
    }
  }
}
