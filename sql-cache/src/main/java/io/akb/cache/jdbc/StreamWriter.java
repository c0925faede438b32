package io.akb.cache.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.WriteStrategy;
import io.akb.cache.layout.ColumnType;
import io.akb.cache.layout.StreamLayout;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
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
 * that do not fit widen their column, noted in the row's {@code _airbyte_meta}, as is a value the
 * database stores only with a change, a {@link ChangedValue}), converting each value once into what
 * the dialect's bulk load takes (typed values for DuckDB's appender, text for PostgreSQL's COPY),
 * then loads it the cheapest way its strategy allows:
 *
 * <ul>
 *   <li>append and replace ({@link #write} with {@code replay} false): straight into the table (a
 *       replace into the sync's pending generation, swapped in at completeSync), no staging: the
 *       caller guarantees the records are new;
 *   <li>merge: into a staging table with the target's column types, then set-based: keep the last
 *       record per key of the batch, delete the table's rows with those keys (restricted to the
 *       batch's key range, so DuckDB skips row groups by their min/max), insert;
 *   <li>replay ({@code replay} true): staged as for merge, and records whose {@code
 *       _airbyte_raw_id} the table already holds are skipped, so a replayed batch never doubles a
 *       row.
 * </ul>
 */
final class StreamWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StreamWriter.class);
  static final String SEQ = "_akb_seq";
  private static final String STAGING = "_akb_staging";
  private static final String LATEST = "_akb_latest";

  private final JdbcSqlCache cache;

  StreamWriter(JdbcSqlCache cache) {
    this.cache = cache;
  }

  /**
   * Writes {@code records} following the layout's strategy. With {@code replay} false the records
   * are new to the table (the caller's offsets rule a repeat out) and are stored as given, each
   * one; with {@code replay} true a record whose raw id the table holds is skipped.
   */
  void write(
      JdbcCacheTransaction tx, StreamLayout layout, List<CacheRecord> records, boolean replay)
      throws SQLException {
    long started = System.nanoTime();
    int columnsBefore = layout.columns().size();
    BatchValues batch = evolveToRecords(tx, layout, records);
    boolean keyColumnMissing =
        layout.primaryKey().stream().anyMatch(field -> layout.column(field) == null);
    boolean generationMissing =
        layout.strategy() == WriteStrategy.REPLACE
            && !Objects.equals(layout.pendingSyncId(), records.get(0).syncId());
    if (batch == null || (keyColumnMissing || generationMissing) && tx.lockSchema()) {
      // A shared target's schema is locked now and the layout read again: another process may
      // have made this change already.
      write(tx, cache.writerLayout(layout.streamName()), records, replay);
      return;
    }
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
    String target =
        layout.strategy() == WriteStrategy.REPLACE ? layout.pendingTable() : layout.tableName();
    Connection connection = tx.connection();
    SqlDialect dialect = cache.dialect();
    List<String> columns = tableColumns(connection, target);
    boolean direct = !replay && layout.strategy() != WriteStrategy.MERGE;
    long evolved = System.nanoTime();
    long loaded;
    if (direct) {
      dialect.bulkLoad(
          connection,
          cache.schema(),
          target,
          columns,
          new LoadRows(layout, columns, records, batch, false));
      loaded = System.nanoTime();
    } else {
      try (Statement statement = connection.createStatement()) {
        statement.execute(dialect.createStagingTable(STAGING, cache.qualified(target)));
        List<String> staged = new ArrayList<>();
        staged.add(SEQ);
        staged.addAll(columns);
        dialect.bulkLoad(
            connection, null, STAGING, staged, new LoadRows(layout, columns, records, batch, true));
        loaded = System.nanoTime();
        if (replay) {
          dropStoredRecords(statement, target, records);
        }
        if (layout.strategy() == WriteStrategy.MERGE) {
          merge(statement, layout, target, columns);
        } else {
          insertStaged(statement, target, columns);
        }
        statement.execute("DROP TABLE " + dialect.quote(STAGING));
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{} records of {}: evolve {} ms, load {} ms, apply {} ms",
          records.size(),
          layout.streamName(),
          (evolved - started) / 1_000_000,
          (loaded - evolved) / 1_000_000,
          (System.nanoTime() - loaded) / 1_000_000);
    }
  }

  /**
   * The table's columns in the table's order, as the database has them in this transaction: a typed
   * append fills columns by position, so the order comes from the table, not the layout.
   */
  private List<String> tableColumns(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet none =
            statement.executeQuery("SELECT * FROM " + cache.qualified(table) + " LIMIT 0")) {
      ResultSetMetaData metadata = none.getMetaData();
      List<String> columns = new ArrayList<>(metadata.getColumnCount());
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        columns.add(metadata.getColumnName(i));
      }
      return columns;
    }
  }

  private String columnList(String alias, List<String> columns) {
    StringBuilder list = new StringBuilder();
    for (String column : columns) {
      if (list.length() > 0) {
        list.append(", ");
      }
      if (alias != null) {
        list.append(alias).append('.');
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
   * Removes from the staging table the records whose raw id the table holds. A re-applied record
   * carries its original {@code emitted_at} too, so the lookup only considers rows extracted within
   * the batch's time range: DuckDB skips the other row groups by their min/max, and the cost stays
   * flat as the table grows.
   */
  private void dropStoredRecords(Statement statement, String target, List<CacheRecord> records)
      throws SQLException {
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    for (CacheRecord record : records) {
      earliest = Math.min(earliest, record.emittedAt());
      latest = Math.max(latest, record.emittedAt());
    }
    String extractedAt = "t." + cache.quote(StreamLayout.EXTRACTED_AT);
    String rawId = cache.quote(StreamLayout.RAW_ID);
    statement.executeUpdate(
        "DELETE FROM "
            + cache.quote(STAGING)
            + " s WHERE EXISTS (SELECT 1 FROM "
            + cache.qualified(target)
            + " t WHERE "
            + extractedAt
            + " >= "
            + timestamp(earliest)
            + " AND "
            + extractedAt
            + " <= "
            + timestamp(latest)
            + " AND t."
            + rawId
            + " = s."
            + rawId
            + ")");
  }

  /** Appends the staged records not stored yet, each raw id once (a replay may repeat one). */
  private void insertStaged(Statement statement, String target, List<String> columns)
      throws SQLException {
    statement.executeUpdate(
        "INSERT INTO "
            + cache.qualified(target)
            + " ("
            + columnList(null, columns)
            + ") SELECT "
            + columnList("s", columns)
            + " FROM "
            + latestPerKey(cache.quote(StreamLayout.RAW_ID))
            + " s ORDER BY s."
            + cache.quote(SEQ));
  }

  private String timestamp(long epochMillis) {
    return cache
        .dialect()
        .literal(Instant.ofEpochMilli(epochMillis).toString(), ColumnType.TIMESTAMP_TZ);
  }

  private void merge(Statement statement, StreamLayout layout, String target, List<String> columns)
      throws SQLException {
    SqlDialect dialect = cache.dialect();
    List<StreamLayout.Column> keyColumns = new ArrayList<>();
    StringBuilder partition = new StringBuilder();
    for (String field : layout.primaryKey()) {
      StreamLayout.Column column = layout.column(field);
      keyColumns.add(column);
      partition.append(partition.length() > 0 ? ", " : "").append(dialect.quote(column.name()));
    }
    statement.execute(
        "CREATE TEMPORARY TABLE "
            + dialect.quote(LATEST)
            + " AS SELECT * FROM "
            + latestPerKey(partition.toString())
            + " s");
    // Equality joins use the key indexes (PostgreSQL) or the key range (DuckDB's zonemaps); keys
    // holding a null are matched in a second, rare pass.
    StringBuilder equal = new StringBuilder();
    StringBuilder nullSafe = new StringBuilder();
    StringBuilder anyNull = new StringBuilder();
    for (StreamLayout.Column column : keyColumns) {
      String staged = "s." + dialect.quote(column.name());
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
          .append(" IS NULL AND ")
          .append(staged)
          .append(" IS NULL))");
      anyNull
          .append(anyNull.length() > 0 ? " OR " : "")
          .append(dialect.quote(column.name()))
          .append(" IS NULL");
    }
    String table = cache.qualified(target);
    String deleteMatching = "DELETE FROM " + table + " t WHERE ";
    String matching = "EXISTS (SELECT 1 FROM " + dialect.quote(LATEST) + " s WHERE ";
    statement.executeUpdate(
        deleteMatching + keyRange(statement, keyColumns) + matching + equal + ")");
    try (ResultSet nulls =
        statement.executeQuery(
            "SELECT count(*) FROM " + dialect.quote(LATEST) + " WHERE " + anyNull)) {
      nulls.next();
      if (nulls.getLong(1) > 0) {
        statement.executeUpdate(deleteMatching + matching + nullSafe + ")");
      }
    }
    statement.executeUpdate(
        "INSERT INTO "
            + table
            + " ("
            + columnList(null, columns)
            + ") SELECT "
            + columnList("s", columns)
            + " FROM "
            + dialect.quote(LATEST)
            + " s ORDER BY s."
            + dialect.quote(SEQ));
    statement.execute("DROP TABLE " + dialect.quote(LATEST));
  }

  /**
   * {@code t.k >= min AND t.k <= max AND } for each key column of an orderable type, the bounds
   * being the batch's as literals: a filter with constants is what lets DuckDB skip the table's row
   * groups whose min/max (zonemaps) lie outside it, instead of scanning the whole table per batch.
   * Empty when no key column has such bounds.
   */
  private String keyRange(Statement statement, List<StreamLayout.Column> keyColumns)
      throws SQLException {
    SqlDialect dialect = cache.dialect();
    List<StreamLayout.Column> ranged = new ArrayList<>();
    StringBuilder bounds = new StringBuilder();
    for (StreamLayout.Column column : keyColumns) {
      ColumnType type = column.type();
      if (type == ColumnType.BIGINT
          || type == ColumnType.DECIMAL
          || type == ColumnType.DOUBLE
          || type == ColumnType.VARCHAR
          || type == ColumnType.DATE) {
        ranged.add(column);
        String quoted = dialect.quote(column.name());
        bounds.append(bounds.length() > 0 ? ", " : "");
        bounds.append("min(").append(quoted).append("), max(").append(quoted).append(')');
      }
    }
    if (ranged.isEmpty()) {
      return "";
    }
    StringBuilder range = new StringBuilder();
    try (ResultSet minMax =
        statement.executeQuery("SELECT " + bounds + " FROM " + dialect.quote(LATEST))) {
      minMax.next();
      for (int i = 0; i < ranged.size(); i++) {
        StreamLayout.Column column = ranged.get(i);
        String min = boundText(minMax, 2 * i + 1, column.type());
        String max = boundText(minMax, 2 * i + 2, column.type());
        if (min == null || max == null) {
          continue; // only null keys: the null-safe pass handles them
        }
        String current = "t." + dialect.quote(column.name());
        range
            .append(current)
            .append(" >= ")
            .append(dialect.literal(min, column.type()))
            .append(" AND ")
            .append(current)
            .append(" <= ")
            .append(dialect.literal(max, column.type()))
            .append(" AND ");
      }
    }
    return range.toString();
  }

  private static String boundText(ResultSet row, int index, ColumnType type) throws SQLException {
    if (type == ColumnType.DECIMAL) {
      java.math.BigDecimal decimal = row.getBigDecimal(index);
      return decimal == null ? null : decimal.toPlainString();
    }
    return row.getString(index);
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
   * The batch's values as the bulk load takes them, converted once while the types are checked:
   * {@code values[r][i]} is record r's value for field {@code fieldIndex} i. Fields retyped during
   * the batch are converted again when loaded, with their final type.
   */
  private static final class BatchValues {
    final Map<String, Integer> fieldIndex = new HashMap<>();
    final Object[][] values;
    final Set<String> retyped = new HashSet<>();
    final Map<String, ColumnType> widenedFrom = new LinkedHashMap<>();

    BatchValues(int records) {
      values = new Object[records][];
    }
  }

  /**
   * Adds columns for fields the layout lacks and widens columns whose type cannot hold a value of
   * the batch, converting each value for the bulk load on the way (the check is the conversion).
   */
  private BatchValues evolveToRecords(
      JdbcCacheTransaction tx, StreamLayout layout, List<CacheRecord> records) throws SQLException {
    BatchValues batch = new BatchValues(records.size());
    SqlDialect dialect = cache.dialect();
    Map<String, ColumnType> wanted = new HashMap<>();
    for (int r = 0; r < records.size(); r++) {
      JsonNode data = records.get(r).data();
      if (data == null || !data.isObject()) {
        continue;
      }
      Object[] row = new Object[Math.max(batch.fieldIndex.size(), data.size())];
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
        Object loaded = dialect.loadValue(type, value);
        if (loaded == null) {
          ColumnType wider = type;
          while (loaded == null) {
            wider = wider.widenFor(value);
            loaded = dialect.loadValue(wider, value);
          }
          wanted.put(name, wider);
          batch.retyped.add(name);
        }
        int index = batch.fieldIndex.computeIfAbsent(name, k -> batch.fieldIndex.size());
        if (index >= row.length) {
          row = java.util.Arrays.copyOf(row, Math.max(index + 1, row.length * 2));
        }
        row[index] = loaded;
      }
      batch.values[r] = row;
    }
    Map<String, ColumnType> added = new LinkedHashMap<>();
    Map<String, ColumnType> retyped = new LinkedHashMap<>();
    for (Map.Entry<String, ColumnType> entry : wanted.entrySet()) {
      StreamLayout.Column column = layout.column(entry.getKey());
      if (column == null) {
        added.put(entry.getKey(), entry.getValue());
      } else if (column.type() != entry.getValue()) {
        retyped.put(entry.getKey(), entry.getValue());
      }
    }
    if ((!added.isEmpty() || !retyped.isEmpty()) && tx.lockSchema()) {
      return null; // the layout must be read again under the shared target's schema lock
    }
    for (Map.Entry<String, ColumnType> entry : retyped.entrySet()) {
      batch.widenedFrom.put(entry.getKey(), layout.column(entry.getKey()).type());
      changeColumnType(layout, entry.getKey(), entry.getValue());
    }
    addColumns(layout, added);
    return batch;
  }

  void addColumn(StreamLayout layout, String field, ColumnType type) throws SQLException {
    addColumns(layout, Map.of(field, type));
  }

  /**
   * Adds a column per field of {@code fields} (field to type, in order), named uniquely, in as few
   * statements as the database allows; fails clearly, adding nothing, when the table would have
   * more columns than the database allows.
   */
  void addColumns(StreamLayout layout, Map<String, ColumnType> fields) throws SQLException {
    if (fields.isEmpty()) {
      return;
    }
    Set<String> taken = layout.takenColumnNames();
    int columns = layout.columns().size() + StreamLayout.INTERNAL_COLUMNS.size() + fields.size();
    int max = cache.dialect().maxColumns();
    if (columns > max) {
      throw new AkbException(
          "adding columns to the table of stream " + layout.streamName(),
          "its records have "
              + (layout.columns().size() + fields.size())
              + " top-level fields, and a "
              + cache.dialect().displayName()
              + " table holds at most "
              + max
              + " columns (with AKB's 3)",
          "Declare the fields a stream has by the hundreds as one object property in its JSON"
              + " schema (it lands as one JSON column), or cache the stream in DuckDB.");
    }
    Map<String, String> sqlColumns = new LinkedHashMap<>();
    for (Map.Entry<String, ColumnType> field : fields.entrySet()) {
      String name = cache.normalizer().unique(field.getKey(), taken);
      taken.add(name);
      layout.putColumn(field.getKey(), new StreamLayout.Column(name, field.getValue()));
      sqlColumns.put(name, cache.dialect().sqlType(field.getValue()));
    }
    try (Statement statement = cache.writer().createStatement()) {
      for (String table : layout.physicalTables()) {
        for (String sql : cache.dialect().addColumns(cache.schema(), table, sqlColumns)) {
          statement.execute(sql);
        }
      }
    }
  }

  void changeColumnType(StreamLayout layout, String field, ColumnType type) throws SQLException {
    StreamLayout.Column column = layout.column(field);
    if (type == ColumnType.DOUBLE && changesAStoredNumber(layout, column)) {
      type = ColumnType.VARCHAR; // the text of every number, exactly
    }
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

  /**
   * Whether turning a BIGINT or DECIMAL column into DOUBLE would change a value it holds (more
   * significant digits than a double gives back): then the column becomes VARCHAR instead. One scan
   * of the column, at a change of its type, which rewrites the column anyway.
   */
  private boolean changesAStoredNumber(StreamLayout layout, StreamLayout.Column column)
      throws SQLException {
    if (column.type() != ColumnType.BIGINT && column.type() != ColumnType.DECIMAL) {
      return false;
    }
    SqlDialect dialect = cache.dialect();
    String quoted = dialect.quote(column.name());
    // The double's shortest text read back as a decimal: equal exactly when the double keeps it.
    String readBack =
        "CAST(CAST(CAST("
            + quoted
            + " AS "
            + dialect.sqlType(ColumnType.DOUBLE)
            + ") AS "
            + dialect.sqlType(ColumnType.VARCHAR)
            + ") AS "
            + dialect.sqlType(ColumnType.DECIMAL)
            + ")";
    try (Statement statement = cache.writer().createStatement()) {
      for (String table : layout.physicalTables()) {
        try (ResultSet changed =
            statement.executeQuery(
                "SELECT 1 FROM "
                    + cache.qualified(table)
                    + " WHERE "
                    + readBack
                    + " <> "
                    + quoted
                    + " LIMIT 1")) {
          if (changed.next()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * The batch as rows of the table's columns (after {@code _akb_seq} when staged), built one row at
   * a time (bounded memory) from the values converted while the batch was checked.
   */
  private final class LoadRows implements Iterator<Object[]> {
    private static final int RAW_ID = -1;
    private static final int EXTRACTED_AT = -2;
    private static final int META = -3;
    private static final int NONE = -4;

    private final List<CacheRecord> records;
    private final BatchValues batch;
    private final int offset;
    private final int metaColumn;

    /** Per column: RAW_ID, EXTRACTED_AT, META, NONE, or the index of its field in fields. */
    private final int[] sources;

    private final List<String> fields = new ArrayList<>();
    private final String[] columnNames;
    private final int[] batchIndex;
    private final boolean[] retyped;
    private final ColumnType[] widenedFrom;
    private final ColumnType[] types;
    private final SqlDialect dialect = cache.dialect();
    private long lastEmittedAt;
    private Object lastExtractedAt;
    private String metaSyncId;
    private String metaText;
    private int index;

    LoadRows(
        StreamLayout layout,
        List<String> columns,
        List<CacheRecord> records,
        BatchValues batch,
        boolean staged) {
      this.records = records;
      this.batch = batch;
      this.offset = staged ? 1 : 0;
      Map<String, String> fieldOfColumn = new HashMap<>();
      layout.columns().forEach((field, column) -> fieldOfColumn.put(column.name(), field));
      this.sources = new int[columns.size()];
      int meta = -1;
      for (int c = 0; c < columns.size(); c++) {
        String column = columns.get(c);
        if (column.equals(StreamLayout.RAW_ID)) {
          sources[c] = RAW_ID;
        } else if (column.equals(StreamLayout.EXTRACTED_AT)) {
          sources[c] = EXTRACTED_AT;
        } else if (column.equals(StreamLayout.META)) {
          sources[c] = META;
          meta = c;
        } else if (fieldOfColumn.containsKey(column)) {
          sources[c] = fields.size();
          fields.add(fieldOfColumn.get(column));
        } else {
          sources[c] = NONE; // a column the layout does not know: left null
        }
      }
      this.metaColumn = meta;
      int count = fields.size();
      this.columnNames = new String[count];
      this.batchIndex = new int[count];
      this.retyped = new boolean[count];
      this.widenedFrom = new ColumnType[count];
      this.types = new ColumnType[count];
      for (int i = 0; i < count; i++) {
        String field = fields.get(i);
        columnNames[i] = layout.column(field).name();
        batchIndex[i] = batch.fieldIndex.getOrDefault(field, -1);
        retyped[i] = batch.retyped.contains(field);
        widenedFrom[i] = batch.widenedFrom.get(field);
        types[i] = layout.column(field).type();
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
      Object[] row = new Object[offset + sources.length];
      if (offset == 1) {
        row[0] = (long) r;
      }
      Object[] converted = batch.values[r];
      JsonNode data = record.data();
      ArrayNode changes = null;
      for (int c = 0; c < sources.length; c++) {
        int source = sources[c];
        if (source == RAW_ID) {
          row[offset + c] = record.rawId();
          continue;
        }
        if (source == EXTRACTED_AT) {
          // Sources emit hundreds of records per millisecond: convert each millisecond once.
          if (record.emittedAt() != lastEmittedAt || lastExtractedAt == null) {
            lastEmittedAt = record.emittedAt();
            lastExtractedAt = dialect.loadTimestamp(lastEmittedAt);
          }
          row[offset + c] = lastExtractedAt;
          continue;
        }
        if (source < 0) {
          continue; // META is filled below, once the row's changes are known
        }
        int i = source;
        Object value;
        if (retyped[i]) {
          JsonNode json = data == null ? null : data.get(fields.get(i));
          if (json == null || json.isNull()) {
            continue;
          }
          value = dialect.loadValue(types[i], json);
          ColumnType before = widenedFrom[i];
          if (before != null && before.text(json) == null) {
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
                    "column " + columnNames[i] + " changed from " + before + " to " + types[i]);
          }
        } else {
          int at = batchIndex[i];
          value = converted == null || at < 0 || at >= converted.length ? null : converted[at];
        }
        if (value instanceof ChangedValue changed) {
          if (changes == null) {
            changes = AirbyteJson.MAPPER.createArrayNode();
          }
          changes
              .addObject()
              .put("field", fields.get(i))
              .put("change", changed.change())
              .put("reason", changed.reason());
          value = changed.value();
        }
        row[offset + c] = value;
      }
      if (metaColumn >= 0) {
        row[offset + metaColumn] = meta(record, changes);
      }
      return row;
    }

    /**
     * {@code _airbyte_meta}: the record's changes, the widenings of this batch, the sync id. Most
     * records have no changes: their text is the same for the whole sync, built once.
     */
    private String meta(CacheRecord record, ArrayNode widenings) {
      boolean plain = widenings == null && (record.changes() == null || record.changes().isEmpty());
      if (plain && metaText != null && Objects.equals(metaSyncId, record.syncId())) {
        return metaText;
      }
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
      String text = dialect.storable(meta.toString());
      if (plain) {
        metaSyncId = record.syncId();
        metaText = text;
      }
      return text;
    }
  }
}
