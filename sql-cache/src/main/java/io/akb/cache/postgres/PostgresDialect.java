package io.akb.cache.postgres;

import io.akb.cache.jdbc.SqlDialect;
import io.akb.cache.layout.ColumnType;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * PostgreSQL: JSONB for objects and arrays, bulk load through {@code COPY ... FROM STDIN} (CSV)
 * into typed columns, streamed from the batch without building it in memory.
 */
public final class PostgresDialect implements SqlDialect {
  /** PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1); normalized names are ASCII. */
  private static final int MAX_IDENTIFIER_LENGTH = 63;

  @Override
  public String displayName() {
    return "PostgreSQL";
  }

  @Override
  public int maxIdentifierLength() {
    return MAX_IDENTIFIER_LENGTH;
  }

  @Override
  public String sqlType(ColumnType type) {
    switch (type) {
      case DOUBLE:
        return "DOUBLE PRECISION";
      case JSON:
        return "JSONB"; // indexable and compact; PyAirbyte reads it like JSON
      default:
        return SqlDialect.super.sqlType(type);
    }
  }

  @Override
  public List<String> alterColumnType(String qualifiedTable, String column, ColumnType to) {
    String quoted = quote(column);
    String using = to == ColumnType.JSON ? "to_jsonb(" + quoted + ")" : quoted + "::" + sqlType(to);
    return List.of(
        "ALTER TABLE "
            + qualifiedTable
            + " ALTER COLUMN "
            + quoted
            + " TYPE "
            + sqlType(to)
            + " USING "
            + using);
  }

  @Override
  public List<String> afterCreateStreamTable(String qualifiedTable, List<String> keyColumns) {
    // Unnamed indexes: PostgreSQL picks unique names, so a renamed generation never clashes.
    List<String> statements = new ArrayList<>();
    statements.add("CREATE INDEX ON " + qualifiedTable + " (\"_airbyte_raw_id\")");
    if (!keyColumns.isEmpty()) {
      StringBuilder columns = new StringBuilder();
      keyColumns.forEach(c -> columns.append(columns.length() > 0 ? ", " : "").append(quote(c)));
      statements.add("CREATE INDEX ON " + qualifiedTable + " (" + columns + ")");
    }
    return statements;
  }

  @Override
  public String storable(String text) {
    // PostgreSQL text and JSONB refuse NUL, as a character and as the JSON escape.
    if (text == null || (text.indexOf('\0') < 0 && !text.contains("\\u0000"))) {
      return text;
    }
    return text.replace("\0", "").replace("\\u0000", "");
  }

  @Override
  public String createStagingTable(String stagingTable, String qualifiedTable) {
    return "CREATE TEMPORARY TABLE "
        + quote(stagingTable)
        + " ON COMMIT DROP AS SELECT CAST(0 AS BIGINT) AS \"_akb_seq\", * FROM "
        + qualifiedTable
        + " WITH NO DATA";
  }

  /**
   * {@code COPY ... FROM STDIN} (CSV) naming the columns, straight into their types: PostgreSQL
   * parses each canonical text once, into the column. CSV rather than binary COPY: binary would
   * need each type's wire encoding (JSONB, NUMERIC, time zones) for a gain text parsing mostly eats
   * up again on the client.
   */
  @Override
  public void bulkLoad(
      Connection connection,
      String schema,
      String table,
      List<String> columns,
      Iterator<Object[]> rows)
      throws SQLException {
    StringBuilder sql = new StringBuilder("COPY ");
    if (schema != null) {
      sql.append(quote(schema)).append('.');
    }
    sql.append(quote(table)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i > 0 ? ", " : "").append(quote(columns.get(i)));
    }
    sql.append(") FROM STDIN WITH (FORMAT csv)");
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    try {
      copy.copyIn(sql.toString(), new CsvRowReader(rows));
    } catch (IOException e) {
      throw new SQLException("COPY into " + table + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Streams rows as CSV: every text quoted (so an empty string stays empty), a number as it is, a
   * null as an empty unquoted field, which is what COPY's CSV format reads as NULL.
   */
  private static final class CsvRowReader extends Reader {
    private final Iterator<Object[]> rows;
    private final StringBuilder buffer = new StringBuilder();
    private int position;

    CsvRowReader(Iterator<Object[]> rows) {
      this.rows = rows;
    }

    @Override
    public int read(char[] target, int offset, int length) {
      if (position >= buffer.length()) {
        buffer.setLength(0);
        position = 0;
        if (!rows.hasNext()) {
          return -1;
        }
        // Fill about 64 KB at a time so COPY gets large chunks.
        while (buffer.length() < 65536 && rows.hasNext()) {
          appendRow(rows.next());
        }
      }
      int count = Math.min(length, buffer.length() - position);
      buffer.getChars(position, position + count, target, offset);
      position += count;
      return count;
    }

    private void appendRow(Object[] row) {
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          buffer.append(',');
        }
        if (row[i] instanceof Long) {
          buffer.append((long) (Long) row[i]);
        } else if (row[i] != null) {
          String text = (String) row[i];
          buffer.append('"');
          for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            if (ch == '"') {
              buffer.append('"');
            }
            buffer.append(ch);
          }
          buffer.append('"');
        }
      }
      buffer.append('\n');
    }

    @Override
    public void close() {}
  }
}
