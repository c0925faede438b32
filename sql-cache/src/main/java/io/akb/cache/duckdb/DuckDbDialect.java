package io.akb.cache.duckdb;

import io.akb.cache.jdbc.SqlDialect;
import io.akb.cache.layout.ColumnType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** DuckDB: types as PyAirbyte's DuckDB cache creates them, bulk load through the appender. */
public final class DuckDbDialect implements SqlDialect {
  /** DuckDB has no practical limit; this keeps hostile names readable and file-portable. */
  private static final int MAX_IDENTIFIER_LENGTH = 255;

  @Override
  public String displayName() {
    return "DuckDB";
  }

  @Override
  public int maxIdentifierLength() {
    return MAX_IDENTIFIER_LENGTH;
  }

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

  @Override
  public void loadStaging(
      Connection connection, String stagingTable, List<String> columns, Iterator<Object[]> rows)
      throws SQLException {
    String ddl =
        stagingTableDdl("CREATE OR REPLACE TEMPORARY TABLE", stagingTable, columns, "VARCHAR", "");
    try (Statement statement = connection.createStatement()) {
      statement.execute(ddl);
    }
    DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
    try (DuckDBAppender appender = duck.createAppender("temp", "main", stagingTable)) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        appender.beginRow();
        appender.append((long) (Long) row[0]);
        for (int i = 1; i < row.length; i++) {
          if (row[i] == null) {
            appender.appendNull();
          } else {
            appender.append((String) row[i]);
          }
        }
        appender.endRow();
      }
    }
  }
}
