package io.akb.cache.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.layout.ColumnType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What differs between the databases a {@link JdbcSqlCache} writes: type names, type changes, the
 * DDL of the internal tables, the values the bulk load takes and the bulk load itself. Everything
 * else (layout, strategies, state, offsets) is shared SQL.
 */
public interface SqlDialect {

  /** The database's name for messages: "DuckDB", "PostgreSQL". */
  String displayName();

  /** Longest identifier the database keeps, in characters of {@code [a-z0-9_]}. */
  int maxIdentifierLength();

  /** The SQL type of a column type: standard names, which DuckDB and PostgreSQL share mostly. */
  default String sqlType(ColumnType type) {
    switch (type) {
      case BIGINT:
        return "BIGINT";
      case DECIMAL:
        return "DECIMAL(38, 9)"; // PyAirbyte's type for JSON-schema numbers
      case DOUBLE:
        return "DOUBLE";
      case BOOLEAN:
        return "BOOLEAN";
      case DATE:
        return "DATE";
      case TIMESTAMP_TZ:
        return "TIMESTAMP WITH TIME ZONE";
      case TIMESTAMP:
        return "TIMESTAMP";
      case TIME:
        return "TIME";
      case TIME_TZ:
        return "TIME WITH TIME ZONE";
      case JSON:
        return "JSON";
      case VARCHAR:
      default:
        return "VARCHAR";
    }
  }

  /** A quoted identifier; normalized names never need it, but hostile ones get it all the same. */
  default String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A SQL literal of this type from its canonical text ({@link ColumnType#text}). */
  default String literal(String text, ColumnType type) {
    String quoted = "'" + text.replace("'", "''") + "'";
    return type == ColumnType.VARCHAR ? quoted : "CAST(" + quoted + " AS " + sqlType(type) + ")";
  }

  /** Statements that change a column's type, keeping its values (to JSON they become JSON text). */
  List<String> alterColumnType(String qualifiedTable, String column, ColumnType to);

  /**
   * Statements that create the internal tables in {@code schema} when missing: the resource {@code
   * internal-tables.sql} next to the dialect's class, so each dialect keeps its DDL as SQL.
   */
  /** The most columns a table may have (PostgreSQL: 1,600); a stream needing more fails clearly. */
  default int maxColumns() {
    return Integer.MAX_VALUE;
  }

  /**
   * The statements adding {@code columns} (name to SQL type, in order) to {@code schema.table}
   * (names unquoted): one {@code ALTER TABLE ... ADD COLUMN} each unless the database does better.
   * Many columns at once (a record with thousands of fields) must not cost one table version each.
   */
  default List<String> addColumns(String schema, String table, Map<String, String> columns) {
    List<String> statements = new ArrayList<>();
    String qualified = quote(schema) + "." + quote(table);
    columns.forEach(
        (name, type) ->
            statements.add("ALTER TABLE " + qualified + " ADD COLUMN " + quote(name) + " " + type));
    return statements;
  }

  /**
   * What makes a SELECT lock the rows it reads until the transaction ends, so that a concurrent
   * writer of the same rows waits: PostgreSQL's {@code FOR UPDATE}; nothing where one process
   * writes at a time (DuckDB).
   */
  default String lockRowsRead() {
    return "";
  }

  /**
   * Takes a lock named {@code name} until the transaction ends, waiting for another transaction
   * that holds it; nothing where the database has a single writer (DuckDB).
   */
  default void lockUntilCommit(Connection connection, String name) throws SQLException {}

  default List<String> internalTablesDdl(String schema) {
    return DdlScript.load(getClass(), "internal-tables.sql", schema);
  }

  /** Statements run after a stream table is created, such as indexes on the key and raw id. */
  List<String> afterCreateStreamTable(String qualifiedTable, List<String> keyColumns);

  /**
   * The value {@link #bulkLoad} takes for a JSON value in a column of {@code type}, or null when
   * the value does not fit the type: checked and converted in one pass. By default the canonical
   * text ({@link ColumnType#text}), for databases that load text into typed columns. A value the
   * database can store only with a change comes as a {@link ChangedValue}, which the writer unwraps
   * and records in the row's {@code _airbyte_meta}.
   */
  default Object loadValue(ColumnType type, JsonNode value) {
    return type.text(value);
  }

  /** The value {@link #bulkLoad} takes for {@code _airbyte_extracted_at}. */
  default Object loadTimestamp(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  /**
   * The statement creating an empty, session-private staging table: {@code _akb_seq BIGINT} (the
   * record's place in its batch), then the columns of {@code qualifiedTable} with their types, so
   * staged values are loaded typed and applied without casts.
   */
  String createStagingTable(String stagingTable, String qualifiedTable);

  /**
   * Loads {@code rows} in bulk (typed appender, COPY) into {@code schema.table}, or into the
   * session's staging table {@code table} when {@code schema} is null. {@code columns} are all the
   * table's columns in the table's order; each row holds one value per column: null, a {@code Long}
   * for {@code _akb_seq}, or what {@link #loadValue} (unwrapped from a {@link ChangedValue}),
   * {@link #loadTimestamp} and {@link #storable} gave.
   */
  void bulkLoad(
      Connection connection,
      String schema,
      String table,
      List<String> columns,
      Iterator<Object[]> rows)
      throws SQLException;

  /**
   * JSON text the database can store, for {@code _airbyte_meta}: PostgreSQL refuses the NUL
   * character in JSONB. Record values go through {@link #loadValue}, which tells of such a change.
   */
  default String storable(String text) {
    return text;
  }
}
