package io.akb.cache.jdbc;

import io.akb.cache.layout.ColumnType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;

/**
 * What differs between the databases a {@link JdbcSqlCache} writes: type names, casts, type
 * changes, the DDL of the internal tables and the bulk load into a staging table. Everything else
 * (layout, strategies, state, offsets) is shared SQL.
 */
public interface SqlDialect {

  /** The database's name for messages: "DuckDB", "PostgreSQL". */
  String displayName();

  /** Longest identifier the database keeps, in characters of {@code [a-z0-9_]}. */
  int maxIdentifierLength();

  /** The SQL type of a column type. */
  String sqlType(ColumnType type);

  /** A quoted identifier; normalized names never need it, but hostile ones get it all the same. */
  default String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** An expression turning staged text (canonical, from {@link ColumnType#text}) into the type. */
  default String castFromText(String expression, ColumnType type) {
    return type == ColumnType.VARCHAR
        ? expression
        : "CAST(" + expression + " AS " + sqlType(type) + ")";
  }

  /** Statements that change a column's type, keeping its values (to JSON they become JSON text). */
  List<String> alterColumnType(String qualifiedTable, String column, ColumnType to);

  /** Statements that create the internal tables in {@code schema} when missing. */
  List<String> internalTablesDdl(String schema);

  /** Statements run after a stream table is created, such as indexes on the key and raw id. */
  List<String> afterCreateStreamTable(String qualifiedTable, List<String> keyColumns);

  /**
   * Creates a session-private staging table with a BIGINT {@code _akb_seq} column then {@code
   * columns} as text, and loads {@code rows} into it in bulk (appender, COPY). Each row holds the
   * sequence number first, then one text or null per column.
   */
  void loadStaging(
      Connection connection, String stagingTable, List<String> columns, Iterator<Object[]> rows)
      throws SQLException;

  /** Text the database can store: PostgreSQL refuses the NUL character in text and JSON. */
  default String storable(String text) {
    return text;
  }
}
