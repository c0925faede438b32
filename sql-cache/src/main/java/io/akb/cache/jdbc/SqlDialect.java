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
      case JSON:
        return "JSON";
      case VARCHAR:
      default:
        return "VARCHAR";
    }
  }

  /**
   * {@code CREATE TEMPORARY TABLE} of a staging table: {@code _akb_seq BIGINT}, then the columns as
   * {@code textType}, with {@code suffix} appended (such as {@code ON COMMIT DROP}).
   */
  default String stagingTableDdl(
      String create, String table, List<String> columns, String textType, String suffix) {
    StringBuilder ddl = new StringBuilder(create).append(' ').append(quote(table));
    ddl.append(" (_akb_seq BIGINT");
    for (String column : columns) {
      ddl.append(", ").append(quote(column)).append(' ').append(textType);
    }
    return ddl.append(')').append(suffix).toString();
  }

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

  /**
   * Statements that create the internal tables in {@code schema} when missing: the resource {@code
   * internal-tables.sql} next to the dialect's class, so each dialect keeps its DDL as SQL.
   */
  default List<String> internalTablesDdl(String schema) {
    return DdlScript.load(getClass(), "internal-tables.sql", schema);
  }

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
