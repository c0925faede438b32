package io.akb.cache.duckdb;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.jdbc.SqlDialect;
import io.akb.cache.layout.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** DuckDB: types as PyAirbyte's DuckDB cache creates them, bulk load through typed appends. */
public final class DuckDbDialect implements SqlDialect {
  /** DuckDB has no practical limit; this keeps hostile names readable and file-portable. */
  private static final int MAX_IDENTIFIER_LENGTH = 255;

  /** The scale of {@code DECIMAL(38, 9)}, PyAirbyte's type for numbers. */
  private static final int DECIMAL_SCALE = 9;

  @Override
  public String displayName() {
    return "DuckDB";
  }

  @Override
  public int maxIdentifierLength() {
    return MAX_IDENTIFIER_LENGTH;
  }

  /**
   * DuckDB adds one column per ALTER TABLE, and each keeps a table version until the transaction
   * ends: thousands of them (a record with 10,000 fields) grew a process to 11 GB. Past a few
   * columns the table is rebuilt once with all of them instead.
   */
  @Override
  public List<String> addColumns(String schema, String table, Map<String, String> columns) {
    if (columns.size() <= REBUILD_FROM_COLUMNS) {
      return SqlDialect.super.addColumns(schema, table, columns);
    }
    String qualified = quote(schema) + "." + quote(table);
    String rebuilt = quote(schema) + "." + quote(table + "_akb_rebuild");
    StringBuilder select = new StringBuilder("SELECT *");
    columns.forEach(
        (name, type) ->
            select.append(", CAST(NULL AS ").append(type).append(") AS ").append(quote(name)));
    return List.of(
        "DROP TABLE IF EXISTS " + rebuilt,
        "CREATE TABLE " + rebuilt + " AS " + select + " FROM " + qualified,
        "DROP TABLE " + qualified,
        "ALTER TABLE " + rebuilt + " RENAME TO " + quote(table));
  }

  /** How many new columns at once make {@link #addColumns} rebuild the table. */
  static final int REBUILD_FROM_COLUMNS = 16;

  @Override
  public List<String> alterColumnType(String qualifiedTable, String column, ColumnType to) {
    String quoted = quote(column);
    String using =
        to == ColumnType.JSON
            ? "to_json(" + quoted + ")"
            : "CAST(" + quoted + " AS " + sqlType(to) + ")";
    return List.of(
        "ALTER TABLE "
            + qualifiedTable
            + " ALTER COLUMN "
            + quoted
            + " SET DATA TYPE "
            + sqlType(to)
            + " USING "
            + using);
  }

  @Override
  public List<String> afterCreateStreamTable(String qualifiedTable, List<String> keyColumns) {
    return List.of(); // DuckDB scans columns fast; indexes would slow the appender down.
  }

  /** Typed: DuckDB's appender takes Java values, so no text is rendered for it to parse. */
  @Override
  public Object loadValue(ColumnType type, JsonNode value) {
    Object typed = type.value(value);
    if (typed instanceof BigDecimal) {
      // The appender takes a decimal only at the column's exact scale (DECIMAL(38, 9)); the type's
      // check let through only values with at most 9 decimals, so nothing is rounded.
      return ((BigDecimal) typed).setScale(DECIMAL_SCALE, RoundingMode.UNNECESSARY);
    }
    return typed;
  }

  @Override
  public Object loadTimestamp(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis);
  }

  @Override
  public String createStagingTable(String stagingTable, String qualifiedTable) {
    return "CREATE OR REPLACE TEMPORARY TABLE "
        + quote(stagingTable)
        + " AS SELECT CAST(0 AS BIGINT) AS \"_akb_seq\", * FROM "
        + qualifiedTable
        + " LIMIT 0";
  }

  /**
   * Appends each value typed, straight into the table's columns: every column type of the layout
   * has a typed append (JSON columns take their text, which DuckDB stores as it is).
   */
  @Override
  public void bulkLoad(
      Connection connection,
      String schema,
      String table,
      List<String> columns,
      Iterator<Object[]> rows)
      throws SQLException {
    DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
    try (DuckDBAppender appender =
        schema == null
            ? duck.createAppender("temp", "main", table)
            : duck.createAppender(schema, table)) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        appender.beginRow();
        for (Object value : row) {
          appendTyped(appender, value);
        }
        appender.endRow();
      }
    }
  }

  private static void appendTyped(DuckDBAppender appender, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else if (value instanceof String) {
      appender.append((String) value);
    } else if (value instanceof Long) {
      appender.append((long) (Long) value);
    } else if (value instanceof Double) {
      appender.append((double) (Double) value);
    } else if (value instanceof Boolean) {
      appender.append((boolean) (Boolean) value);
    } else if (value instanceof BigDecimal) {
      appender.append((BigDecimal) value);
    } else if (value instanceof Instant) {
      // Epoch microseconds, what DuckDB keeps: the appender's own OffsetDateTime conversion costs
      // more than the parse.
      Instant instant = (Instant) value;
      appender.appendEpochMicros(
          Math.addExact(
              Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000));
    } else if (value instanceof LocalDateTime) {
      appender.append((LocalDateTime) value);
    } else if (value instanceof LocalDate) {
      appender.append((LocalDate) value);
    } else if (value instanceof LocalTime) {
      appender.append((LocalTime) value);
    } else if (value instanceof OffsetTime) {
      appender.append((OffsetTime) value);
    } else {
      throw new SQLException("no typed append for " + value.getClass().getName());
    }
  }
}
