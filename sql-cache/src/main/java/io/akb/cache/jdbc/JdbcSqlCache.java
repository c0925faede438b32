package io.akb.cache.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SkippedRecords;
import io.akb.cache.SqlCache;
import io.akb.cache.SqlCacheDataset;
import io.akb.cache.StoredOffset;
import io.akb.cache.WriteStrategy;
import io.akb.cache.layout.ColumnType;
import io.akb.cache.layout.IdentifierNormalizer;
import io.akb.cache.layout.StreamLayout;
import io.akb.runtime.AkbException;
import io.akb.runtime.CachedRecord;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A {@link SqlCache} over JDBC, shared by the dialects: one writing connection (autocommit off,
 * used by one {@link CacheTransaction} at a time) and a fresh reading connection per read, so reads
 * see only committed data and may run on other threads while a transaction is open.
 */
public abstract class JdbcSqlCache implements SqlCache {
  /** PyAirbyte's catalog table: stream name, source, table name and JSON schema. */
  public static final String STREAMS_TABLE = "_airbyte_streams";

  /** PyAirbyte's state table: one row per stream (or {@code _GLOBAL} / {@code _LEGACY}). */
  public static final String STATE_TABLE = "_airbyte_state";

  /** AKB's consumed offsets per target and topic partition. */
  public static final String OFFSETS_TABLE = "_akb_offsets";

  /**
   * Per target, the epoch of its newest claimer ({@link
   * io.akb.cache.CacheTransaction#claimTarget}).
   */
  public static final String TARGET_CLAIMS_TABLE = "_akb_target_claims";

  /** Records targets found gone from Kafka and skipped. */
  public static final String GAPS_TABLE = "_akb_gaps";

  /** AKB's layout per stream: field-to-column names, types, strategy, pending generation. */
  public static final String LAYOUTS_TABLE = "_akb_streams";

  /** AKB's positions per destination written from this cache, one row per stream. */
  public static final String DESTINATION_POSITIONS_TABLE = "_akb_destination_positions";

  /** PyAirbyte's stream names for GLOBAL and LEGACY state rows. */
  public static final String GLOBAL_STATE_STREAM = "_GLOBAL";

  public static final String LEGACY_STATE_STREAM = "_LEGACY";

  private final SqlDialect dialect;
  private final CacheOptions options;
  private final String schema;
  private final IdentifierNormalizer normalizer;
  private final Connection writer;
  private final Map<String, StreamLayout> layouts = new HashMap<>();
  private CacheTransaction openTransaction;

  protected JdbcSqlCache(
      SqlDialect dialect, CacheOptions options, String defaultSchema, Connection writer) {
    this.dialect = dialect;
    this.options = options == null ? CacheOptions.defaults() : options;
    this.schema = this.options.schema() == null ? defaultSchema : this.options.schema();
    this.normalizer = new IdentifierNormalizer(dialect.maxIdentifierLength());
    this.writer = writer;
    try {
      writer.setAutoCommit(false);
      try (Statement statement = writer.createStatement()) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + dialect.quote(schema));
        for (String ddl : dialect.internalTablesDdl(dialect.quote(schema))) {
          statement.execute(ddl);
        }
      }
      writer.commit();
    } catch (SQLException e) {
      throw failure("preparing the cache tables", e);
    }
  }

  /**
   * A new connection to the cache's database that sees committed data only, for reads and ad-hoc
   * SQL (a DuckDB file cannot be opened twice in one process); the caller closes it.
   */
  @Override
  public abstract Connection openConnection() throws SQLException;

  @Override
  public CacheTransaction begin() {
    if (openTransaction != null) {
      throw new AkbException(
          "starting a transaction on " + describe(),
          "another transaction is still open",
          "Commit or close the previous transaction first: a cache has one writer.");
    }
    openTransaction = new JdbcCacheTransaction(this);
    return openTransaction;
  }

  void transactionEnded(boolean committed) {
    openTransaction = null;
    if (!committed) {
      // Layout changes of a rolled-back transaction are gone from the database: reload them.
      layouts.clear();
    }
  }

  SqlDialect dialect() {
    return dialect;
  }

  CacheOptions options() {
    return options;
  }

  IdentifierNormalizer normalizer() {
    return normalizer;
  }

  Connection writer() {
    return writer;
  }

  /** The schema holding the stream tables, unquoted. */
  String schema() {
    return schema;
  }

  /** {@code "schema"."table"} quoted. */
  String qualified(String table) {
    return dialect.quote(schema) + "." + dialect.quote(table);
  }

  String quote(String identifier) {
    return dialect.quote(identifier);
  }

  /** The layout of a stream as the writer sees it, or null when the stream was never registered. */
  StreamLayout writerLayout(String stream) throws SQLException {
    StreamLayout layout = layouts.get(stream);
    if (layout == null) {
      layout = loadLayout(writer, stream);
      if (layout != null) {
        layouts.put(stream, layout);
      }
    }
    return layout;
  }

  void rememberLayout(StreamLayout layout) {
    layouts.put(layout.streamName(), layout);
  }

  /**
   * Forgets the layouts read so far: they are read again (another process may have changed them).
   */
  void forgetLayouts() {
    layouts.clear();
  }

  /** All table names used by streams (tables and pending generations), from the writer's view. */
  List<String> takenTableNames() throws SQLException {
    // Internal and staging names are never given to a stream, whatever it is called.
    List<String> taken =
        new ArrayList<>(
            List.of(
                STREAMS_TABLE,
                STATE_TABLE,
                OFFSETS_TABLE,
                TARGET_CLAIMS_TABLE,
                GAPS_TABLE,
                LAYOUTS_TABLE,
                DESTINATION_POSITIONS_TABLE,
                "_airbyte_destination_state",
                "_akb_staging",
                "_akb_latest"));
    eachRow(
        writer,
        "SELECT stream_name, source_name, table_name, layout FROM " + qualified(LAYOUTS_TABLE),
        List.of(),
        row ->
            taken.addAll(
                StreamLayout.fromJson(
                        row.getString(1), row.getString(2), row.getString(3), row.getString(4))
                    .physicalTables()));
    return taken;
  }

  /** Reads the current row of a result; {@code E} is what else than SQL it may fail with. */
  @FunctionalInterface
  interface RowReader<E extends Exception> {
    void read(ResultSet row) throws SQLException, E;
  }

  /**
   * Runs {@code sql} with string {@code parameters}, handing each row of its result to a reader.
   */
  static <E extends Exception> void eachRow(
      Connection connection, String sql, List<String> parameters, RowReader<E> reader)
      throws SQLException, E {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setString(i + 1, parameters.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          reader.read(rows);
        }
      }
    }
  }

  private StreamLayout loadLayout(Connection connection, String stream) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT source_name, table_name, layout FROM "
                + qualified(LAYOUTS_TABLE)
                + " WHERE stream_name = ?")) {
      statement.setString(1, stream);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next()
            ? StreamLayout.fromJson(stream, rows.getString(1), rows.getString(2), rows.getString(3))
            : null;
      }
    }
  }

  @Override
  public List<SkippedRecords> skippedRecords(String target) {
    try (Connection reader = openConnection()) {
      List<SkippedRecords> skipped = new ArrayList<>();
      eachRow(
          reader,
          "SELECT topic_partition, from_offset, resume_at, records_lost, description, found_at FROM "
              + qualified(GAPS_TABLE)
              + " WHERE target = ? ORDER BY found_at",
          List.of(target),
          row ->
              skipped.add(
                  new SkippedRecords(
                      row.getString(1),
                      row.getLong(2),
                      row.getLong(3),
                      row.getLong(4),
                      row.getString(5),
                      row.getTimestamp(6).toInstant())));
      return skipped;
    } catch (SQLException e) {
      throw failure("reading the skipped records of target " + target, e);
    }
  }

  @Override
  public Map<String, StoredOffset> storedOffsets(String target) {
    try (Connection reader = openConnection()) {
      return readOffsets(reader, target);
    } catch (SQLException e) {
      throw failure("reading the stored offsets of target " + target, e);
    }
  }

  /** The offsets stored for {@code target}, as {@code connection} sees them. */
  Map<String, StoredOffset> readOffsets(Connection connection, String target) {
    try {
      Map<String, StoredOffset> offsets = new TreeMap<>();
      eachRow(
          connection,
          "SELECT topic_partition, next_offset, applied_per_sync FROM "
              + qualified(OFFSETS_TABLE)
              + " WHERE target = ?",
          List.of(target),
          row -> {
            Map<String, Long> applied = new LinkedHashMap<>();
            JsonNode counts = AirbyteJson.MAPPER.readTree(row.getString(3));
            counts.fields().forEachRemaining(e -> applied.put(e.getKey(), e.getValue().asLong()));
            offsets.put(row.getString(1), new StoredOffset(row.getLong(2), applied));
          });
      return offsets;
    } catch (SQLException | IOException e) {
      throw failure("reading the stored offsets of target " + target, e);
    }
  }

  @Override
  public List<String> streams() {
    try (Connection reader = openConnection()) {
      List<String> names = new ArrayList<>();
      eachRow(
          reader,
          "SELECT stream_name FROM " + qualified(LAYOUTS_TABLE) + " ORDER BY stream_name",
          List.of(),
          row -> names.add(row.getString(1)));
      return names;
    } catch (SQLException e) {
      throw failure("listing the streams", e);
    }
  }

  @Override
  public SqlCacheDataset dataset(String stream) {
    if (!streams().contains(stream)) {
      throw new AkbException(
          "opening stream " + stream + " of " + describe(),
          "the cache has no stream named "
              + stream
              + " (it has: "
              + String.join(", ", streams())
              + ")",
          "Use one of the cache's stream names, as the source names them.");
    }
    return new SqlCacheDataset(this, stream);
  }

  /** The name of a stream's table (its current generation), unquoted, such as {@code users}. */
  public String tableName(String stream) {
    try (Connection reader = openConnection()) {
      return requireLayout(reader, stream).tableName();
    } catch (SQLException e) {
      throw failure("looking up the table of stream " + stream, e);
    }
  }

  /** A stream's table as SQL names it, schema-qualified and quoted: {@code "main"."users"}. */
  public String sqlTable(String stream) {
    return qualified(tableName(stream));
  }

  /**
   * Every row of a stream's table as JDBC gives it: the table's own columns with their SQL types.
   * The caller closes the result set, which closes its statement and connection too.
   */
  public ResultSet resultSet(String stream) {
    return openForStream(
        stream,
        "querying stream " + stream,
        (reader, layout) ->
            openQuery(reader, "SELECT * FROM " + qualified(layout.tableName()), 1000));
  }

  /** Opens something that owns {@code reader} (and closes it), from a stream's layout. */
  @FunctionalInterface
  private interface OpenOnConnection<T> {
    T open(Connection reader, StreamLayout layout) throws SQLException;
  }

  /**
   * Opens a connection of its own for {@code stream} and hands it to {@code open}, whose result
   * owns it from then on; the connection is closed here only when opening fails.
   */
  private <T> T openForStream(String stream, String what, OpenOnConnection<T> open) {
    Connection reader = null;
    try {
      reader = openConnection();
      return open.open(reader, requireLayout(reader, stream));
    } catch (SQLException e) {
      closeQuietly(reader);
      throw failure(what, e);
    } catch (RuntimeException e) {
      closeQuietly(reader);
      throw e;
    }
  }

  /**
   * Runs {@code sql} on {@code reader}, a connection of its own: closing the result set closes the
   * statement and the connection.
   */
  private static ResultSet openQuery(Connection reader, String sql, int fetchSize)
      throws SQLException {
    reader.setAutoCommit(false); // PostgreSQL streams through a cursor only without it
    PreparedStatement statement = reader.prepareStatement(sql);
    try {
      statement.setFetchSize(fetchSize);
      return ClosingResultSet.wrap(statement.executeQuery(), statement, reader);
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  @Override
  public long count(String stream) {
    try (Connection reader = openConnection()) {
      StreamLayout layout = requireLayout(reader, stream);
      try (Statement statement = reader.createStatement();
          ResultSet rows =
              statement.executeQuery("SELECT count(*) FROM " + qualified(layout.tableName()))) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw failure("counting the rows of stream " + stream, e);
    }
  }

  @Override
  public Stream<JsonNode> rows(String stream) {
    return select(stream, false, null, "reading the rows of stream " + stream);
  }

  @Override
  public ConfiguredAirbyteStream configuredStream(String stream) {
    try (Connection reader = openConnection()) {
      StreamLayout layout = requireLayout(reader, stream);
      JsonNode schema = catalogSchema(reader, stream);
      List<List<String>> primaryKey = layout.primaryKey().stream().map(List::of).toList();
      SyncMode syncMode =
          layout.strategy() == WriteStrategy.REPLACE ? SyncMode.FULL_REFRESH : SyncMode.INCREMENTAL;
      DestinationSyncMode destinationSyncMode =
          switch (layout.strategy()) {
            case MERGE -> DestinationSyncMode.APPEND_DEDUP;
            case APPEND -> DestinationSyncMode.APPEND;
            default -> DestinationSyncMode.OVERWRITE;
          };
      AirbyteStream airbyteStream =
          new AirbyteStream(
              stream,
              schema,
              List.of(syncMode),
              null,
              layout.cursorField().isEmpty() ? null : layout.cursorField(),
              primaryKey.isEmpty() ? null : primaryKey,
              null,
              null,
              null);
      return new ConfiguredAirbyteStream(
          airbyteStream,
          syncMode,
          layout.cursorField(),
          destinationSyncMode,
          primaryKey,
          null,
          null,
          null,
          null);
    } catch (SQLException | IOException e) {
      throw failure("reading the catalog of stream " + stream, e);
    }
  }

  /** The JSON schema PyAirbyte's catalog table keeps for a stream; an open object when none. */
  private JsonNode catalogSchema(Connection reader, String stream)
      throws SQLException, IOException {
    try (PreparedStatement statement =
        reader.prepareStatement(
            "SELECT catalog_metadata FROM " + qualified(STREAMS_TABLE) + " WHERE table_name = ?")) {
      statement.setString(1, options.tablePrefix() + stream);
      try (ResultSet rows = statement.executeQuery()) {
        String json = rows.next() ? rows.getString(1) : null;
        JsonNode schema = json == null ? null : AirbyteJson.MAPPER.readTree(json);
        return schema == null || !schema.isObject() || schema.isEmpty()
            ? AirbyteJson.MAPPER.createObjectNode().put("type", "object")
            : schema;
      }
    }
  }

  @Override
  public Stream<CachedRecord> records(String stream, CachedRecord.Position after) {
    return select(stream, true, after, "reading the records of stream " + stream)
        .map(JdbcSqlCache::cachedRecord);
  }

  /**
   * A row of {@link #select} as a cached record: the internal columns become its position and
   * changes; fields the cache holds as NULL are left out, as a source leaves out a field it has no
   * value for (the cache cannot tell the two apart).
   */
  private static CachedRecord cachedRecord(JsonNode row) {
    ObjectNode data = AirbyteJson.MAPPER.createObjectNode();
    row.fields()
        .forEachRemaining(
            field -> {
              if (!StreamLayout.INTERNAL_COLUMNS.contains(field.getKey())
                  && !field.getValue().isNull()) {
                data.set(field.getKey(), field.getValue());
              }
            });
    CachedRecord.Position position =
        new CachedRecord.Position(
            OffsetDateTime.parse(row.get(StreamLayout.EXTRACTED_AT).asText()).toInstant(),
            row.get(StreamLayout.RAW_ID).asText());
    JsonNode changes = row.path(StreamLayout.META).get("changes");
    return new CachedRecord(
        position, data, changes == null || changes.isNull() || changes.isEmpty() ? null : changes);
  }

  /**
   * A stream's rows as JSON objects (data fields, then the internal columns), in the table's order
   * or, when {@code ordered}, in position order (extraction time, then raw id), after {@code after}
   * when given.
   */
  private Stream<JsonNode> select(
      String stream, boolean ordered, CachedRecord.Position after, String what) {
    Connection reader = null;
    try {
      reader = openConnection();
      StreamLayout layout = requireLayout(reader, stream);
      List<String> fields = new ArrayList<>(StreamLayout.INTERNAL_COLUMNS.size());
      List<ColumnType> types = new ArrayList<>();
      StringBuilder select = new StringBuilder(selectAll(layout, fields, new ArrayList<>(), types));
      String extractedAt = quote(StreamLayout.EXTRACTED_AT);
      String rawId = quote(StreamLayout.RAW_ID);
      if (after != null) {
        select.append(" WHERE ").append(extractedAt).append(" > ? OR (");
        select.append(extractedAt).append(" = ? AND ").append(rawId).append(" > ?)");
      }
      if (ordered) {
        select.append(" ORDER BY ").append(extractedAt).append(", ").append(rawId);
      }
      // Without autocommit PostgreSQL streams through a cursor in fetch-size chunks.
      reader.setAutoCommit(false);
      PreparedStatement statement = reader.prepareStatement(select.toString());
      if (after != null) {
        OffsetDateTime time = after.extractedAt().atOffset(ZoneOffset.UTC);
        statement.setObject(1, time);
        statement.setObject(2, time);
        statement.setString(3, after.rawId());
      }
      statement.setFetchSize(1000);
      ResultSet results = statement.executeQuery();
      Connection connection = reader;
      Runnable release =
          () -> {
            try {
              results.close();
              statement.close();
              connection.close();
            } catch (SQLException e) {
              throw failure("closing the rows of stream " + stream, e);
            }
          };
      // Released at the last row too, so a fully read stream holds no lock even if left open.
      RowIterator iterator = new RowIterator(results, fields, types, release);
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator, 0), false)
          .onClose(iterator::close);
    } catch (SQLException e) {
      closeQuietly(reader);
      throw failure(what, e);
    } catch (RuntimeException e) {
      closeQuietly(reader);
      throw e;
    }
  }

  /**
   * {@code SELECT <every column> FROM <the stream's table>}: data columns first, then the internal
   * ones (PyAirbyte reserves the _airbyte_ names, so a data field of that name, stored in its own
   * suffixed column, never hides them); times and JSON as text. Fills {@code fields} with each
   * column's field name, {@code columns} with its name in the table and {@code types} with its
   * type.
   */
  private String selectAll(
      StreamLayout layout, List<String> fields, List<String> columns, List<ColumnType> types) {
    StringBuilder select = new StringBuilder("SELECT ");
    for (Map.Entry<String, StreamLayout.Column> entry : layout.columns().entrySet()) {
      StreamLayout.Column column = entry.getValue();
      fields.add(entry.getKey());
      columns.add(column.name());
      types.add(column.type());
      select.append(readExpression(column)).append(", ");
    }
    select.append(quote(StreamLayout.RAW_ID)).append(", ");
    select.append(quote(StreamLayout.EXTRACTED_AT)).append(", ");
    select.append(castToText(StreamLayout.META));
    for (String internal :
        List.of(StreamLayout.RAW_ID, StreamLayout.EXTRACTED_AT, StreamLayout.META)) {
      fields.add(internal);
      columns.add(internal);
    }
    types.add(ColumnType.VARCHAR);
    types.add(ColumnType.TIMESTAMP_TZ);
    types.add(ColumnType.JSON);
    return select.append(" FROM ").append(qualified(layout.tableName())).toString();
  }

  /**
   * Every row of a stream's table as {@link #openColumns} gives it: one column per table column.
   *
   * @param names each column's name in the table, in the result's order
   * @param types each column's type
   * @param rows the rows, positioned before the first; closing them closes their connection
   */
  public record Columns(List<String> names, List<ColumnType> types, ResultSet rows)
      implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      rows.close();
    }
  }

  /**
   * Every row of a stream's table (its current generation) as one result set, data columns then
   * {@code _airbyte_raw_id}, {@code _airbyte_extracted_at}, {@code _airbyte_meta}; times and JSON
   * as text, every other type through its JDBC getter. For readers that take the rows in bulk, such
   * as an Arrow export. Sees committed data only; the caller closes the result.
   */
  public Columns openColumns(String stream) {
    return openForStream(
        stream,
        "reading the rows of stream " + stream,
        (reader, layout) -> {
          List<String> columns = new ArrayList<>();
          List<ColumnType> types = new ArrayList<>();
          String sql = selectAll(layout, new ArrayList<>(), columns, types);
          return new Columns(
              List.copyOf(columns), List.copyOf(types), openQuery(reader, sql, 10_000));
        });
  }

  private String castToText(String column) {
    return "CAST(" + quote(column) + " AS VARCHAR)";
  }

  /** Times and JSON are read as text; the rest through JDBC's typed getters. */
  private String readExpression(StreamLayout.Column column) {
    switch (column.type()) {
      case TIME:
      case TIME_TZ:
      case JSON:
        return castToText(column.name());
      default:
        return quote(column.name());
    }
  }

  private StreamLayout requireLayout(Connection reader, String stream) throws SQLException {
    StreamLayout layout = loadLayout(reader, stream);
    if (layout == null) {
      throw new AkbException(
          "reading stream " + stream + " from " + describe(),
          "the cache has no stream named '" + stream + "'",
          "Streams in this cache: " + streams() + ".");
    }
    return layout;
  }

  @Override
  public Map<String, JsonNode> states(String sourceName) {
    try (Connection reader = openConnection()) {
      Map<String, JsonNode> states = new HashMap<>();
      eachRow(
          reader,
          "SELECT stream_name, state_json FROM "
              + qualified(STATE_TABLE)
              + " WHERE source_name = ?",
          List.of(sourceName),
          row -> {
            String stream = row.getString(1);
            boolean shared =
                GLOBAL_STATE_STREAM.equals(stream) || LEGACY_STATE_STREAM.equals(stream);
            states.put(shared ? null : stream, AirbyteJson.MAPPER.readTree(row.getString(2)));
          });
      return states;
    } catch (SQLException | IOException e) {
      throw failure("reading the state of source " + sourceName, e);
    }
  }

  @Override
  public List<AirbyteStateMessage> destinationPositions(String destination) {
    try (Connection reader = openConnection()) {
      List<AirbyteStateMessage> states = new ArrayList<>();
      eachRow(
          reader,
          "SELECT state_json FROM "
              + qualified(DESTINATION_POSITIONS_TABLE)
              + " WHERE destination = ? ORDER BY stream_name",
          List.of(destination),
          row ->
              states.add(
                  AirbyteJson.MAPPER.readValue(row.getString(1), AirbyteStateMessage.class)));
      return states;
    } catch (SQLException | IOException e) {
      throw failure("reading the positions of destination " + destination, e);
    }
  }

  @Override
  public void saveDestinationPositions(String destination, List<AirbyteStateMessage> states) {
    if (openTransaction != null) {
      throw new AkbException(
          "saving the positions of destination " + destination + " in " + describe(),
          "a transaction is still open",
          "Commit or close it first: a cache has one writer.");
    }
    try (PreparedStatement delete =
            writer.prepareStatement(
                "DELETE FROM "
                    + qualified(DESTINATION_POSITIONS_TABLE)
                    + " WHERE destination = ?");
        PreparedStatement insert =
            writer.prepareStatement(
                "INSERT INTO "
                    + qualified(DESTINATION_POSITIONS_TABLE)
                    + " (destination, stream_name, state_json, updated_at) VALUES (?, ?, ?, ?)")) {
      delete.setString(1, destination);
      delete.executeUpdate();
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      for (AirbyteStateMessage state : states) {
        insert.setString(1, destination);
        insert.setString(
            2,
            state.stream() == null || state.stream().streamDescriptor() == null
                ? GLOBAL_STATE_STREAM
                : state.stream().streamDescriptor().qualifiedName());
        insert.setString(3, AirbyteJson.toJson(state));
        insert.setObject(4, now);
        insert.executeUpdate();
      }
      writer.commit();
    } catch (SQLException e) {
      try {
        writer.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw failure("saving the positions of destination " + destination, e);
    }
  }

  @Override
  public void close() {
    try {
      if (openTransaction != null) {
        openTransaction.close();
      }
      writer.close();
    } catch (SQLException e) {
      throw failure("closing " + describe(), e);
    }
  }

  /** An AkbException for a database error, with the database's message as the reason. */
  AkbException failure(String what, Exception cause) {
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return new AkbException(
        what + " in " + describe(),
        why,
        why.contains("Out of Memory Error")
            ? "DuckDB's memory limit is too small for this batch (very wide records need room per"
                + " column): raise it with AKB_DUCKDB_MEMORY_LIMIT (256MB by default), such as"
                + " AKB_DUCKDB_MEMORY_LIMIT=2GB."
            : "Check that the database is reachable and that no other process writes this cache.",
        cause);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the original failure matters more
      }
    }
  }

  /** Turns result rows into JSON objects keyed by the original field names. */
  private static final class RowIterator implements Iterator<JsonNode>, AutoCloseable {
    private final ResultSet results;
    private final List<String> fields;
    private final List<ColumnType> types;
    private final Runnable release;
    private Boolean hasNext;
    private boolean closed;

    RowIterator(ResultSet results, List<String> fields, List<ColumnType> types, Runnable release) {
      this.results = results;
      this.fields = fields;
      this.types = types;
      this.release = release;
    }

    @Override
    public boolean hasNext() {
      if (hasNext == null) {
        try {
          hasNext = !closed && results.next();
        } catch (SQLException e) {
          close();
          throw new AkbException("reading cache rows", e.getMessage(), null, e);
        }
        if (!hasNext) {
          close();
        }
      }
      return hasNext;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release.run();
      }
    }

    @Override
    public JsonNode next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      hasNext = null;
      ObjectNode row = AirbyteJson.MAPPER.createObjectNode();
      for (int i = 0; i < fields.size(); i++) {
        try {
          row.set(fields.get(i), value(i + 1, types.get(i)));
        } catch (SQLException | IOException e) {
          throw new AkbException(
              "reading field '" + fields.get(i) + "' of a cache row", e.getMessage(), null, e);
        }
      }
      return row;
    }

    private JsonNode value(int index, ColumnType type) throws SQLException, IOException {
      var nodes = AirbyteJson.MAPPER.getNodeFactory();
      Object value = results.getObject(index);
      if (value == null) {
        return nodes.nullNode();
      }
      switch (type) {
        case BIGINT:
          return nodes.numberNode(results.getLong(index));
        case DECIMAL:
          BigDecimal decimal = results.getBigDecimal(index).stripTrailingZeros();
          return decimal.scale() <= 0
              ? nodes.numberNode(decimal.toBigIntegerExact())
              : nodes.numberNode(decimal);
        case DOUBLE:
          return nodes.numberNode(results.getDouble(index));
        case BOOLEAN:
          return nodes.booleanNode(results.getBoolean(index));
        case JSON:
          return AirbyteJson.MAPPER.readTree(value.toString());
        case TIMESTAMP_TZ:
          // ISO 8601 in UTC, as Airbyte records carry date-times.
          return nodes.textNode(
              results
                  .getObject(index, OffsetDateTime.class)
                  .withOffsetSameInstant(ZoneOffset.UTC)
                  .toString());
        case TIMESTAMP:
          return nodes.textNode(results.getObject(index, LocalDateTime.class).toString());
        case DATE:
          return nodes.textNode(results.getObject(index, LocalDate.class).toString());
        default:
          return nodes.textNode(value.toString());
      }
    }
  }
}
