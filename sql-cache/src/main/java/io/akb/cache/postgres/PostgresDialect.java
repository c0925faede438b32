package io.akb.cache.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.jdbc.ChangedValue;
import io.akb.cache.jdbc.SqlDialect;
import io.akb.cache.layout.ColumnType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

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

  /** PostgreSQL's own limit on the columns of a table. */
  @Override
  public int maxColumns() {
    return 1600;
  }

  /** One statement: PostgreSQL adds any number of columns in one ALTER TABLE. */
  @Override
  public List<String> addColumns(String schema, String table, Map<String, String> columns) {
    StringBuilder sql =
        new StringBuilder("ALTER TABLE ").append(quote(schema)).append('.').append(quote(table));
    String separator = " ";
    for (Map.Entry<String, String> column : columns.entrySet()) {
      sql.append(separator).append("ADD COLUMN ").append(quote(column.getKey())).append(' ');
      sql.append(column.getValue());
      separator = ", ";
    }
    return columns.isEmpty() ? List.of() : List.of(sql.toString());
  }

  @Override
  public String lockRowsRead() {
    return " FOR UPDATE";
  }

  /** A transaction-scoped advisory lock, keyed by the name's 64-bit hash. */
  @Override
  public void lockUntilCommit(Connection connection, String name) throws SQLException {
    long key =
        java.util
            .UUID
            .nameUUIDFromBytes(("akb-lock/" + name).getBytes(StandardCharsets.UTF_8))
            .getMostSignificantBits();
    try (java.sql.PreparedStatement lock =
        connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      lock.setLong(1, key);
      lock.execute();
    }
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

  /**
   * The canonical text, without the NUL characters PostgreSQL's text and JSONB refuse: in text the
   * character, in JSON its escape (a backslash, then {@code u0000}). A value that loses them is a
   * {@link ChangedValue}, so the row's {@code _airbyte_meta} says so.
   */
  @Override
  public Object loadValue(ColumnType type, JsonNode value) {
    String text = type.text(value);
    if (text == null) {
      return null;
    }
    String stored = type == ColumnType.JSON ? withoutNulEscapes(text) : withoutNul(text);
    return stored == text ? text : ChangedValue.truncated(stored);
  }

  @Override
  public String storable(String text) {
    return text == null ? null : withoutNulEscapes(text);
  }

  /** The text without NUL characters; the same instance when it has none. */
  static String withoutNul(String text) {
    return text.indexOf('\0') < 0 ? text : text.replace("\0", "");
  }

  /**
   * JSON text without the escape (a backslash, then {@code u0000}) (nor a raw NUL, which JSON text
   * never holds unescaped); the same instance when it has none. Escape-aware: an escaped backslash
   * followed by the text {@code u0000} is kept as it is.
   */
  static String withoutNulEscapes(String json) {
    if (json.indexOf("\\u0000") < 0 && json.indexOf('\0') < 0) {
      return json;
    }
    StringBuilder kept = new StringBuilder(json.length());
    int length = json.length();
    for (int i = 0; i < length; i++) {
      char c = json.charAt(i);
      if (c == '\0') {
        continue;
      }
      if (c == '\\' && i + 1 < length) {
        if (json.startsWith("u0000", i + 1)) {
          i += 5;
          continue;
        }
        kept.append(c).append(json.charAt(++i)); // an escape pair: its second character is data
        continue;
      }
      kept.append(c);
    }
    return kept.length() == length ? json : kept.toString();
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
    CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
    try {
      CsvRows csv = new CsvRows();
      while (rows.hasNext()) {
        csv.appendRow(rows.next());
        if (csv.size >= CHUNK_BYTES) {
          copy.writeToCopy(csv.bytes, 0, csv.size);
          csv.size = 0;
        }
      }
      if (csv.size > 0) {
        copy.writeToCopy(csv.bytes, 0, csv.size);
      }
      copy.endCopy();
    } catch (SQLException | RuntimeException e) {
      if (copy.isActive()) {
        try {
          copy.cancelCopy(); // end the COPY so the connection stays usable; keep the cause
        } catch (SQLException cancelFailed) {
          e.addSuppressed(cancelFailed);
        }
      }
      throw e;
    }
  }

  /** About what COPY is sent at a time: large chunks, bounded memory. */
  private static final int CHUNK_BYTES = 64 * 1024;

  /**
   * Rows as CSV in UTF-8 (the driver's client encoding), written as bytes so no text is copied
   * twice: every text quoted (so an empty string stays empty), a number as it is, a null as an
   * empty unquoted field, which is what COPY's CSV format reads as NULL.
   */
  private static final class CsvRows {
    byte[] bytes = new byte[CHUNK_BYTES + 4096];
    int size;

    void appendRow(Object[] row) {
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          append((byte) ',');
        }
        Object value = row[i];
        if (value instanceof Long) {
          append(Long.toString((Long) value).getBytes(StandardCharsets.US_ASCII), false);
        } else if (value != null) {
          String text = (String) value;
          append((byte) '"');
          // In UTF-8 the byte of '"' never occurs inside another character's bytes.
          append(text.getBytes(StandardCharsets.UTF_8), text.indexOf('"') >= 0);
          append((byte) '"');
        }
      }
      append((byte) '\n');
    }

    private void append(byte b) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2);
      }
      bytes[size++] = b;
    }

    private void append(byte[] text, boolean doubleQuotes) {
      if (size + text.length * 2 > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + text.length * 2));
      }
      if (!doubleQuotes) {
        System.arraycopy(text, 0, bytes, size, text.length);
        size += text.length;
        return;
      }
      for (byte b : text) {
        if (b == '"') {
          bytes[size++] = '"';
        }
        bytes[size++] = b;
      }
    }
  }
}
