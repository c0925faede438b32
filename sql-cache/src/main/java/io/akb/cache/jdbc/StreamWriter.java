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
 *   <li>append: insert rows whose {@code _airbyte_raw_id} the table does not hold yet, so a
 *       replayed batch never doubles a row;
 *   <li>merge: keep the last record per key of the batch, delete the table's rows with those keys,
 *       insert;
 *   <li>replace: append into the sync's pending generation table, swapped in at completeSync.
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
    long started = System.nanoTime();
    int columnsBefore = layout.columns().size();
    BatchTexts batch = evolveToRecords(layout, records);
    for (String field : layout.primaryKey()) {
      if (layout.column(field) == null) {
        // Neither the schema nor the data named this key field yet: merge still needs its column.
        addColumn(layout, field, ColumnType.VARCHAR);
      }
    }
    boolean newGeneration =
        layout.strategy() == WriteStrategy.REPLACE
            && preparePendingGeneration(tx, layout, records.get(0).syncId());
    if (newGeneration || !batch.widenedFrom.isEmpty() || layout.columns().size() != columnsBefore) {
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
    long evolved = System.nanoTime();
    dialect.loadStaging(
        connection, STAGING, stagedColumns, new StagedRows(layout, fields, records, batch));
    long staged = System.nanoTime();
    try (Statement statement = connection.createStatement()) {
      String target =
          layout.strategy() == WriteStrategy.REPLACE ? layout.pendingTable() : layout.tableName();
      if (layout.strategy() == WriteStrategy.MERGE) {
        merge(statement, layout, target, stagedColumns, fields);
      } else {
        appendNew(statement, layout, target, stagedColumns, fields, records);
      }
      statement.execute("DROP TABLE " + dialect.quote(STAGING));
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{} records of {}: evolve {} ms, stage {} ms, apply {} ms",
          records.size(),
          layout.streamName(),
          (evolved - started) / 1_000_000,
          (staged - evolved) / 1_000_000,
          (System.nanoTime() - staged) / 1_000_000);
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

  /**
   * The staged rows, only the last one (highest {@code _akb_seq}) per value of {@code
   * partitionColumns}: duplicates within a batch are removed first, the last record wins.
   */
  private String latestPerKey(String partitionColumns) {
    return "(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY "
        + partitionColumns
        + " ORDER BY "
        + cache.quote(SEQ)
        + " DESC) AS _akb_rank FROM "
        + cache.quote(STAGING)
        + ") ranked WHERE ranked._akb_rank = 1)";
  }

  /**
   * Inserts the batch's records whose raw id the table does not hold. A re-applied record carries
   * its original {@code emitted_at} too, so the lookup only considers rows extracted within the
   * batch's time range: DuckDB skips the other row groups by their min/max, and the cost stays flat
   * as the table grows.
   */
  private void appendNew(
      Statement statement,
      StreamLayout layout,
      String target,
      List<String> columns,
      List<String> fields,
      List<CacheRecord> records)
      throws SQLException {
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    for (CacheRecord record : records) {
      earliest = Math.min(earliest, record.emittedAt());
      latest = Math.max(latest, record.emittedAt());
    }
    String extractedAt = "t." + cache.quote(StreamLayout.EXTRACTED_AT);
    String timeRange =
        extractedAt
            + " >= "
            + timestamp(earliest)
            + " AND "
            + extractedAt
            + " <= "
            + timestamp(latest)
            + " AND ";
    String rawId = cache.quote(StreamLayout.RAW_ID);
    String sql =
        "INSERT INTO "
            + cache.qualified(target)
            + " ("
            + columnList(columns)
            + ")"
            + " SELECT "
            + castColumns(layout, fields, "s")
            + " FROM "
            + latestPerKey(rawId)
            + " s WHERE NOT EXISTS (SELECT 1 FROM "
            + cache.qualified(target)
            + " t WHERE "
            + timeRange
            + "t."
            + rawId
            + " = s."
            + rawId
            + ")"
            + " ORDER BY s."
            + cache.quote(SEQ);
    statement.executeUpdate(sql);
  }

  private String timestamp(long epochMillis) {
    return cache
        .dialect()
        .castFromText("'" + Instant.ofEpochMilli(epochMillis) + "'", ColumnType.TIMESTAMP_TZ);
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
            + " AS SELECT * FROM "
            + latestPerKey(partition)
            + " s");
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
    String deleteMatching =
        "DELETE FROM "
            + table
            + " t WHERE EXISTS (SELECT 1 FROM "
            + dialect.quote(latest)
            + " s WHERE ";
    statement.executeUpdate(deleteMatching + equal + ")");
    try (ResultSet nulls =
        statement.executeQuery(
            "SELECT count(*) FROM " + dialect.quote(latest) + " WHERE " + anyNull)) {
      nulls.next();
      if (nulls.getLong(1) > 0) {
        statement.executeUpdate(deleteMatching + nullSafe + ")");
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
  boolean preparePendingGeneration(JdbcCacheTransaction tx, StreamLayout layout, String syncId)
      throws SQLException {
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
   * The batch's canonical texts, computed once while the types are checked: {@code texts[r][i]} is
   * record r's text for field {@code fieldIndex} i. Fields retyped during the batch are computed
   * again when staged, with their final type.
   */
  private static final class BatchTexts {
    final Map<String, Integer> fieldIndex = new HashMap<>();
    final String[][] texts;
    final Set<String> retyped = new HashSet<>();
    final Map<String, ColumnType> widenedFrom = new LinkedHashMap<>();

    BatchTexts(int records) {
      texts = new String[records][];
    }

    String text(int record, String field) {
      Integer index = fieldIndex.get(field);
      String[] row = texts[record];
      return index == null || row == null || index >= row.length ? null : row[index];
    }
  }

  /**
   * Adds columns for fields the layout lacks and widens columns whose type cannot hold a value of
   * the batch, computing each value's text on the way.
   */
  private BatchTexts evolveToRecords(StreamLayout layout, List<CacheRecord> records)
      throws SQLException {
    BatchTexts batch = new BatchTexts(records.size());
    Map<String, ColumnType> wanted = new HashMap<>();
    for (int r = 0; r < records.size(); r++) {
      JsonNode data = records.get(r).data();
      if (data == null || !data.isObject()) {
        continue;
      }
      String[] row = new String[Math.max(batch.fieldIndex.size(), data.size())];
      var fields = data.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        JsonNode value = field.getValue();
        if (value.isNull()) {
          continue;
        }
        String name = field.getKey();
        ColumnType type = wanted.get(name);
        if (type == null) {
          StreamLayout.Column column = layout.column(name);
          type = column == null ? ColumnType.inferFrom(value) : column.type();
          wanted.put(name, type);
        }
        String text = type.text(value);
        if (text == null) {
          ColumnType wider = type;
          while (text == null) {
            wider = wider.widenFor(value);
            text = wider.text(value);
          }
          wanted.put(name, wider);
          batch.retyped.add(name);
        }
        int index = batch.fieldIndex.computeIfAbsent(name, k -> batch.fieldIndex.size());
        if (index >= row.length) {
          row = java.util.Arrays.copyOf(row, Math.max(index + 1, row.length * 2));
        }
        row[index] = text;
      }
      batch.texts[r] = row;
    }
    for (Map.Entry<String, ColumnType> entry : wanted.entrySet()) {
      StreamLayout.Column column = layout.column(entry.getKey());
      if (column == null) {
        addColumn(layout, entry.getKey(), entry.getValue());
      } else if (column.type() != entry.getValue()) {
        batch.widenedFrom.put(entry.getKey(), column.type());
        changeColumnType(layout, entry.getKey(), entry.getValue());
      }
    }
    return batch;
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
    private final BatchTexts batch;
    private final boolean[] retyped;
    private final ColumnType[] widenedFrom;
    private final ColumnType[] types;
    private int index;

    StagedRows(
        StreamLayout layout, List<String> fields, List<CacheRecord> records, BatchTexts batch) {
      this.layout = layout;
      this.fields = fields;
      this.records = records;
      this.batch = batch;
      this.retyped = new boolean[fields.size()];
      this.widenedFrom = new ColumnType[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        retyped[i] = batch.retyped.contains(fields.get(i));
        widenedFrom[i] = batch.widenedFrom.get(fields.get(i));
      }
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
      int r = index++;
      CacheRecord record = records.get(r);
      Object[] row = new Object[4 + fields.size()];
      row[0] = (long) r;
      row[1] = record.rawId();
      row[2] = Instant.ofEpochMilli(record.emittedAt()).toString();
      JsonNode data = record.data();
      ArrayNode changes = null;
      for (int i = 0; i < fields.size(); i++) {
        String text;
        JsonNode value = null;
        if (retyped[i]) {
          value = data == null ? null : data.get(fields.get(i));
          text = value == null || value.isNull() ? null : types[i].text(value);
        } else {
          text = batch.text(r, fields.get(i));
        }
        if (text == null) {
          continue;
        }
        row[4 + i] = cache.dialect().storable(text);
        ColumnType before = widenedFrom[i];
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
