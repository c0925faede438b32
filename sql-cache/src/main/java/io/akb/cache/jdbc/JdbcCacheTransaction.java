package io.akb.cache.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.CacheRecord;
import io.akb.cache.CacheTransaction;
import io.akb.cache.StoredOffset;
import io.akb.cache.TargetTakenOver;
import io.akb.cache.WriteStrategy;
import io.akb.cache.layout.ColumnType;
import io.akb.cache.layout.StreamLayout;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.SyncMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transaction of a {@link JdbcSqlCache} on its writing connection. DDL (new tables, new or
 * widened columns, generation swaps) runs inside the transaction too: both DuckDB and PostgreSQL
 * make it transactional, so a rollback leaves no trace.
 */
final class JdbcCacheTransaction implements CacheTransaction {
  private final JdbcSqlCache cache;
  private final Connection connection;
  private final StreamWriter streamWriter;
  private boolean ended;

  /** The target other processes write too ({@link #shareSchemaWith}), or null. */
  private String sharedTarget;

  private boolean schemaLocked;

  /** The session table of {@link #removeRows}' raw ids. */
  private static final String REMOVED = "_akb_removed";

  JdbcCacheTransaction(JdbcSqlCache cache) {
    this.cache = cache;
    this.connection = cache.writer();
    this.streamWriter = new StreamWriter(cache);
  }

  @Override
  public void registerStream(
      String sourceName, ConfiguredAirbyteStream configured, WriteStrategy strategy) {
    registerStream(sourceName, configured, strategy, null);
  }

  @Override
  public void registerStream(
      String sourceName,
      ConfiguredAirbyteStream configured,
      WriteStrategy strategy,
      String syncId) {
    String stream = configured.stream().name();
    try {
      lockSchema();
      StreamLayout layout = cache.writerLayout(stream);
      List<String> key = primaryKey(configured);
      WriteStrategy resolved = resolve(strategy, configured, key);
      JsonNode schema = configured.stream().jsonSchema();
      if (layout == null) {
        String table =
            cache
                .normalizer()
                .unique(
                    cache.options().tablePrefix() + stream, new HashSet<>(cache.takenTableNames()));
        layout = new StreamLayout(stream, sourceName, table, resolved, key);
        layout.cursorField(configured.cursorField());
        addSchemaColumns(layout, schema);
        createTable(layout, layout.tableName());
        saveLayout(layout);
      } else {
        layout.sourceName(sourceName);
        layout.strategy(resolved);
        layout.primaryKey(key);
        layout.cursorField(configured.cursorField());
        evolveToSchema(layout, schema);
        saveLayout(layout);
      }
      if (syncId != null && layout.strategy() == WriteStrategy.REPLACE) {
        if (streamWriter.preparePendingGeneration(this, layout, syncId)) {
          saveLayout(layout);
        }
      }
      cache.rememberLayout(layout);
      registerInCatalog(sourceName, stream, schema);
    } catch (SQLException e) {
      throw cache.failure("registering stream " + stream, e);
    }
  }

  private static List<String> primaryKey(ConfiguredAirbyteStream configured) {
    List<List<String>> paths = configured.primaryKey();
    if (paths == null || paths.isEmpty()) {
      paths = configured.stream().sourceDefinedPrimaryKey();
    }
    List<String> key = new ArrayList<>();
    if (paths != null) {
      // Only top-level fields are columns; a nested key path is keyed by its top-level field.
      paths.stream().filter(p -> !p.isEmpty()).forEach(p -> key.add(p.get(0)));
    }
    return key;
  }

  /** AUTO: merge with a key, append with a cursor (incremental), else replace. */
  private WriteStrategy resolve(
      WriteStrategy requested, ConfiguredAirbyteStream configured, List<String> key) {
    WriteStrategy strategy = requested == null ? cache.options().defaultStrategy() : requested;
    if (strategy == null || strategy == WriteStrategy.AUTO) {
      if (!key.isEmpty()) {
        return WriteStrategy.MERGE;
      }
      boolean cursor =
          configured.syncMode() == SyncMode.INCREMENTAL
              || (configured.cursorField() != null && !configured.cursorField().isEmpty());
      return cursor ? WriteStrategy.APPEND : WriteStrategy.REPLACE;
    }
    if (strategy == WriteStrategy.MERGE && key.isEmpty()) {
      throw new AkbException(
          "registering stream " + configured.stream().name(),
          "the merge strategy needs a primary key and the stream has none",
          "Configure a primary key for the stream, or use append or replace.");
    }
    return strategy;
  }

  private void addSchemaColumns(StreamLayout layout, JsonNode schema) {
    JsonNode properties = schema == null ? null : schema.get("properties");
    if (properties == null) {
      return;
    }
    Set<String> taken = layout.takenColumnNames(); // once: a schema may have thousands of fields
    properties
        .fields()
        .forEachRemaining(
            property -> {
              if (layout.column(property.getKey()) == null) {
                String name = cache.normalizer().unique(property.getKey(), taken);
                taken.add(name);
                layout.putColumn(
                    property.getKey(),
                    new StreamLayout.Column(name, ColumnType.fromJsonSchema(property.getValue())));
              }
            });
  }

  /** New properties add columns; a declared type the column cannot hold widens the column. */
  private void evolveToSchema(StreamLayout layout, JsonNode schema) throws SQLException {
    JsonNode properties = schema == null ? null : schema.get("properties");
    if (properties == null) {
      return;
    }
    Map<String, ColumnType> added = new LinkedHashMap<>();
    var iterator = properties.fields();
    while (iterator.hasNext()) {
      var property = iterator.next();
      ColumnType declared = ColumnType.fromJsonSchema(property.getValue());
      StreamLayout.Column column = layout.column(property.getKey());
      if (column == null) {
        added.put(property.getKey(), declared);
      } else {
        ColumnType union = column.type().unionWith(declared);
        if (union != column.type()) {
          streamWriter.changeColumnType(layout, property.getKey(), union);
        }
      }
    }
    streamWriter.addColumns(layout, added);
  }

  void createTable(StreamLayout layout, String table) throws SQLException {
    SqlDialect dialect = cache.dialect();
    StringBuilder ddl =
        new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(cache.qualified(table));
    ddl.append(" (")
        .append(cache.quote(StreamLayout.RAW_ID))
        .append(' ')
        .append(dialect.sqlType(ColumnType.VARCHAR));
    ddl.append(", ")
        .append(cache.quote(StreamLayout.EXTRACTED_AT))
        .append(' ')
        .append(dialect.sqlType(ColumnType.TIMESTAMP_TZ));
    ddl.append(", ")
        .append(cache.quote(StreamLayout.META))
        .append(' ')
        .append(dialect.sqlType(ColumnType.JSON));
    for (StreamLayout.Column column : layout.columns().values()) {
      ddl.append(", ")
          .append(cache.quote(column.name()))
          .append(' ')
          .append(dialect.sqlType(column.type()));
    }
    ddl.append(')');
    try (Statement statement = connection.createStatement()) {
      statement.execute(ddl.toString());
      List<String> keyColumns = new ArrayList<>();
      layout
          .primaryKey()
          .forEach(
              field -> {
                StreamLayout.Column column = layout.column(field);
                if (column != null) {
                  keyColumns.add(column.name());
                }
              });
      for (String sql : dialect.afterCreateStreamTable(cache.qualified(table), keyColumns)) {
        statement.execute(sql);
      }
    }
  }

  /** Stores the layout in {@code _akb_streams}, in this transaction. */
  void saveLayout(StreamLayout layout) throws SQLException {
    replaceRow(
        JdbcSqlCache.LAYOUTS_TABLE,
        row("stream_name", layout.streamName()),
        row(
            "source_name", layout.sourceName(),
            "table_name", layout.tableName(),
            "layout", layout.toJson()));
  }

  /** PyAirbyte's catalog row: keyed by table prefix + stream name, as PyAirbyte looks it up. */
  private void registerInCatalog(String sourceName, String stream, JsonNode schema)
      throws SQLException {
    String key = cache.options().tablePrefix() + stream;
    replaceRow(
        JdbcSqlCache.STREAMS_TABLE,
        row("table_name", key),
        row(
            "stream_name", stream,
            "source_name", sourceName,
            "catalog_metadata", schema == null ? "{}" : schema.toString()));
  }

  /** {@code name, value, name, value...} as an ordered map. */
  private static Map<String, Object> row(Object... namesAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      row.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return row;
  }

  /**
   * Replaces the row of an internal table with this key: delete, then insert. Plain SQL both
   * databases run the same way (DuckDB tables here have no unique constraint to upsert on).
   */
  private void replaceRow(String table, Map<String, Object> key, Map<String, Object> values)
      throws SQLException {
    StringBuilder where = new StringBuilder();
    key.keySet()
        .forEach(k -> where.append(where.length() > 0 ? " AND " : "").append(k).append(" = ?"));
    Map<String, Object> all = new LinkedHashMap<>(key);
    all.putAll(values);
    String columns = String.join(", ", all.keySet());
    String marks = String.join(", ", Collections.nCopies(all.size(), "?"));
    try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM " + cache.qualified(table) + " WHERE " + where);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + cache.qualified(table)
                    + " ("
                    + columns
                    + ") VALUES ("
                    + marks
                    + ")")) {
      int index = 1;
      for (Object value : key.values()) {
        delete.setObject(index++, value);
      }
      delete.executeUpdate();
      index = 1;
      for (Object value : all.values()) {
        insert.setObject(index++, value);
      }
      insert.executeUpdate();
    }
  }

  @Override
  public void write(String sourceName, String stream, List<CacheRecord> records) {
    write(stream, records, false);
  }

  @Override
  public void writeReplay(String sourceName, String stream, List<CacheRecord> records) {
    write(stream, records, true);
  }

  private void write(String stream, List<CacheRecord> records, boolean replay) {
    try {
      StreamLayout layout = cache.writerLayout(stream);
      if (layout == null) {
        throw new AkbException(
            "writing records of stream " + stream + " to " + cache.describe(),
            "the stream is not registered",
            "Call registerStream (a SYNC_STARTED event) before writing its records.");
      }
      if (!records.isEmpty()) {
        streamWriter.write(this, layout, records, replay);
      }
    } catch (SQLException e) {
      throw cache.failure("writing " + records.size() + " records of stream " + stream, e);
    }
  }

  /**
   * The ids are bulk-loaded into a session table once, then one set-based DELETE per append stream:
   * a failed sync's rows are taken back in a scan of each table, however many there are.
   */
  @Override
  public void removeRows(String sourceName, Collection<String> streams, Iterable<String> rawIds) {
    try {
      List<StreamLayout> appended = new ArrayList<>();
      for (String stream : streams) {
        StreamLayout layout = cache.writerLayout(stream);
        if (layout != null
            && layout.strategy() == WriteStrategy.APPEND
            && sourceName.equals(layout.sourceName())) {
          appended.add(layout);
        }
      }
      if (appended.isEmpty()) {
        return;
      }
      SqlDialect dialect = cache.dialect();
      String rawId = cache.quote(StreamLayout.RAW_ID);
      String ids = dialect.quote(REMOVED);
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            dialect.createStagingTable(
                REMOVED,
                "(SELECT "
                    + rawId
                    + " FROM "
                    + cache.qualified(appended.get(0).tableName())
                    + ") ids"));
        Iterator<String> each = rawIds.iterator();
        long[] seq = {0};
        dialect.bulkLoad(
            connection,
            null,
            REMOVED,
            List.of(StreamWriter.SEQ, StreamLayout.RAW_ID),
            new Iterator<Object[]>() {
              @Override
              public boolean hasNext() {
                return each.hasNext();
              }

              @Override
              public Object[] next() {
                return new Object[] {seq[0]++, each.next()};
              }
            });
        for (StreamLayout layout : appended) {
          statement.executeUpdate(
              "DELETE FROM "
                  + cache.qualified(layout.tableName())
                  + " WHERE "
                  + rawId
                  + " IN (SELECT "
                  + rawId
                  + " FROM "
                  + ids
                  + ")");
        }
        statement.execute("DROP TABLE " + ids);
      }
    } catch (SQLException e) {
      throw cache.failure("removing the uncheckpointed rows of a failed sync of " + sourceName, e);
    }
  }

  @Override
  public void writeState(String sourceName, AirbyteStateMessage state) {
    String stream;
    switch (state.effectiveType()) {
      case STREAM:
        stream = state.stream().streamDescriptor().name();
        break;
      case GLOBAL:
        stream = JdbcSqlCache.GLOBAL_STATE_STREAM;
        break;
      default:
        stream = JdbcSqlCache.LEGACY_STATE_STREAM;
        break;
    }
    String key = cache.options().tablePrefix() + stream;
    try {
      replaceRow(
          JdbcSqlCache.STATE_TABLE,
          row("table_name", key),
          row(
              "source_name",
              sourceName,
              "stream_name",
              stream,
              "state_json",
              AirbyteJson.MAPPER.writeValueAsString(state),
              "last_updated",
              Timestamp.from(Instant.now())));
    } catch (SQLException | JsonProcessingException e) {
      throw cache.failure("writing the state of " + stream, e);
    }
  }

  @Override
  public void completeSync(String sourceName, String syncId, boolean succeeded) {
    try {
      lockSchema();
      for (String stream : streamsOf(sourceName)) {
        StreamLayout layout = cache.writerLayout(stream);
        if (layout == null
            || layout.pendingTable() == null
            || !syncId.equals(layout.pendingSyncId())) {
          continue;
        }
        try (Statement statement = connection.createStatement()) {
          if (succeeded) {
            statement.execute("DROP TABLE " + cache.qualified(layout.tableName()));
            statement.execute(
                "ALTER TABLE "
                    + cache.qualified(layout.pendingTable())
                    + " RENAME TO "
                    + cache.quote(layout.tableName()));
          } else {
            statement.execute("DROP TABLE " + cache.qualified(layout.pendingTable()));
          }
        }
        layout.pending(null, null);
        saveLayout(layout);
      }
    } catch (SQLException e) {
      throw cache.failure("completing sync " + syncId + " of " + sourceName, e);
    }
  }

  private List<String> streamsOf(String sourceName) throws SQLException {
    List<String> streams = new ArrayList<>();
    JdbcSqlCache.eachRow(
        connection,
        "SELECT stream_name FROM "
            + cache.qualified(JdbcSqlCache.LAYOUTS_TABLE)
            + " WHERE source_name = ?",
        List.of(sourceName),
        row -> streams.add(row.getString(1)));
    return streams;
  }

  @Override
  public long claimTarget(String target, String holder) {
    String table = cache.qualified(JdbcSqlCache.TARGET_CLAIMS_TABLE);
    try {
      long epoch = 1;
      boolean exists = false;
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT epoch FROM "
                  + table
                  + " WHERE target = ?"
                  + cache.dialect().lockRowsRead())) {
        select.setString(1, target);
        try (ResultSet rows = select.executeQuery()) {
          if (rows.next()) {
            epoch = rows.getLong(1) + 1;
            exists = true;
          }
        }
      }
      // Updated in place, never deleted and inserted again: a claimer waiting on the row's lock
      // (checkClaims) must then see the new epoch, not a row that vanished.
      try (PreparedStatement write =
          connection.prepareStatement(
              exists
                  ? "UPDATE "
                      + table
                      + " SET epoch = ?, holder = ?, claimed_at = ? WHERE target = ?"
                  : "INSERT INTO "
                      + table
                      + " (epoch, holder, claimed_at, target) VALUES (?, ?, ?, ?)")) {
        write.setLong(1, epoch);
        write.setString(2, holder);
        write.setTimestamp(3, Timestamp.from(Instant.now()));
        write.setString(4, target);
        write.executeUpdate();
      }
      return epoch;
    } catch (SQLException e) {
      throw cache.failure("claiming target " + target, e);
    }
  }

  @Override
  public void checkClaims(Map<String, Long> epochs) {
    if (epochs.isEmpty()) {
      return;
    }
    String marks = String.join(", ", java.util.Collections.nCopies(epochs.size(), "?"));
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT target, epoch, holder, claimed_at FROM "
                + cache.qualified(JdbcSqlCache.TARGET_CLAIMS_TABLE)
                + " WHERE target IN ("
                + marks
                + ")"
                + cache.dialect().lockRowsRead())) {
      int i = 1;
      for (String target : epochs.keySet()) {
        select.setString(i++, target);
      }
      java.util.Set<String> found = new java.util.HashSet<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          long mine = epochs.get(rows.getString(1));
          if (rows.getLong(2) != mine) {
            throw new TargetTakenOver(
                rows.getString(1), mine, rows.getLong(2), rows.getString(3), rows.getTimestamp(4));
          }
          found.add(rows.getString(1));
        }
      }
      for (Map.Entry<String, Long> claim : epochs.entrySet()) {
        if (!found.contains(claim.getKey())) {
          throw new TargetTakenOver(claim.getKey(), claim.getValue(), -1, null, null);
        }
      }
    } catch (SQLException e) {
      throw cache.failure("checking the claims " + epochs.keySet(), e);
    }
  }

  @Override
  public Map<String, StoredOffset> storedOffsets(String target) {
    return cache.readOffsets(connection, target);
  }

  @Override
  public void shareSchemaWith(String target) {
    sharedTarget = target;
  }

  /**
   * Before a schema change: for a shared target, waits for the others' schema changes (a lock held
   * until this transaction ends) and forgets the layouts read before (they may be stale). Returns
   * whether layouts were forgotten just now: the caller reads its layout again.
   */
  boolean lockSchema() throws SQLException {
    if (sharedTarget == null || schemaLocked) {
      return false;
    }
    cache.dialect().lockUntilCommit(connection, "schema/" + sharedTarget);
    schemaLocked = true;
    cache.forgetLayouts();
    return true;
  }

  @Override
  public void recordGap(
      String target,
      String topicPartition,
      long fromOffset,
      long resumeAt,
      long recordsLost,
      String description) {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + cache.qualified(JdbcSqlCache.GAPS_TABLE)
                + " (target, topic_partition, from_offset, resume_at, records_lost, description,"
                + " found_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, target);
      insert.setString(2, topicPartition);
      insert.setLong(3, fromOffset);
      insert.setLong(4, resumeAt);
      insert.setLong(5, recordsLost);
      insert.setString(6, cache.dialect().storable(description));
      insert.setTimestamp(7, Timestamp.from(Instant.now()));
      insert.executeUpdate();
    } catch (SQLException e) {
      throw cache.failure("recording a gap of target " + target, e);
    }
  }

  @Override
  public void saveOffsets(String target, Map<String, StoredOffset> offsets) {
    try {
      Timestamp now = Timestamp.from(Instant.now());
      for (Map.Entry<String, StoredOffset> entry : offsets.entrySet()) {
        ObjectNode applied = AirbyteJson.MAPPER.createObjectNode();
        entry.getValue().appliedPerSync().forEach(applied::put);
        replaceRow(
            JdbcSqlCache.OFFSETS_TABLE,
            row("target", target, "topic_partition", entry.getKey()),
            row(
                "next_offset", entry.getValue().nextOffset(),
                "applied_per_sync", applied.toString(),
                "updated_at", now));
      }
    } catch (SQLException e) {
      throw cache.failure("saving the offsets of target " + target, e);
    }
  }

  @Override
  public void commit() {
    requireOpen();
    try {
      connection.commit();
      ended = true;
      cache.transactionEnded(true);
    } catch (SQLException e) {
      rollbackQuietly();
      throw cache.failure("committing a transaction", e);
    }
  }

  @Override
  public void close() {
    if (!ended) {
      rollbackQuietly();
    }
  }

  private void rollbackQuietly() {
    ended = true;
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is broken; the database discards the transaction anyway.
    } finally {
      cache.transactionEnded(false);
    }
  }

  private void requireOpen() {
    if (ended) {
      throw new AkbException(
          "using a cache transaction", "the transaction already ended", "Begin a new transaction.");
    }
  }

  Connection connection() {
    return connection;
  }
}
