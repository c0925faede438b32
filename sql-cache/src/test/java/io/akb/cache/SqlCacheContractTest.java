package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every SQL cache dialect must do, checked the way a user would: rows, values, counts, state
 * and offsets read back after commit. Each dialect's test opens a fresh, empty cache per test.
 */
public abstract class SqlCacheContractTest {
  protected static final String SOURCE = "source-faker";

  protected SqlCache cache;

  /** A new, empty cache. */
  protected abstract SqlCache openCache(CacheOptions options);

  /** A JDBC connection to the same database, to check what a SQL user sees. */
  protected abstract Connection sqlConnection() throws SQLException;

  @BeforeEach
  void open() {
    cache = openCache(CacheOptions.defaults());
  }

  @AfterEach
  void closeCache() {
    if (cache != null) {
      cache.close();
    }
  }

  protected static JsonNode json(String text) {
    try {
      return AirbyteJson.MAPPER.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  protected static ConfiguredAirbyteStream stream(
      String name, String schema, String keyField, String syncMode) {
    String key = keyField == null ? "[]" : "[['" + keyField + "']]";
    JsonNode node =
        json(
            "{'stream': {'name': '"
                + name.replace("\"", "\\\"")
                + "', 'json_schema': "
                + schema
                + ", 'supported_sync_modes': ['full_refresh','incremental']},"
                + " 'sync_mode': '"
                + syncMode
                + "', 'destination_sync_mode': 'append', 'primary_key': "
                + key
                + "}");
    return AirbyteJson.MAPPER.convertValue(node, ConfiguredAirbyteStream.class);
  }

  protected static CacheRecord record(String rawId, String syncId, String data) {
    return new CacheRecord(rawId, syncId, json(data), 1_700_000_000_000L, null);
  }

  protected static final String USERS_SCHEMA =
      "{'type': 'object', 'properties': {"
          + "'id': {'type': 'integer'}, 'score': {'type': ['null','number']}, 'name': {'type': 'string'},"
          + "'active': {'type': 'boolean'}, 'born': {'type': 'string', 'format': 'date'},"
          + "'updated_at': {'type': 'string', 'format': 'date-time'},"
          + "'address': {'type': 'object'}, 'tags': {'type': 'array'}}}";

  @Test
  void recordsWithThousandsOfFieldsLoadInOneStepOrFailClearlyAtTheDatabasesLimit() {
    // More columns than PostgreSQL allows (1,600); DuckDB adds them by rebuilding the table once
    // rather than by 1,700 ALTERs (10,000 of those grew a process to 11 GB).
    int fields = 1700;
    StringBuilder first = new StringBuilder("{'id': 1");
    StringBuilder second = new StringBuilder("{'id': 2");
    for (int i = 0; i < fields; i++) {
      first.append(", 'field_").append(i).append("': ").append(i);
      second.append(", 'field_").append(i).append("': ").append(i + 1);
    }
    List<CacheRecord> records =
        List.of(record("r1", "s1", first + "}"), record("r2", "s1", second + "}"));
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("wide", "{'properties': {'id': {'type': 'integer'}}}", "id", "incremental"),
          WriteStrategy.APPEND);
      tx.commit();
    }
    if (cache.describe().startsWith("PostgreSQL")) {
      try (CacheTransaction tx = cache.begin()) {
        assertThatThrownBy(() -> tx.write(SOURCE, "wide", records))
            .isInstanceOf(AkbException.class)
            .hasMessageContaining("its records have 1701 top-level fields")
            .hasMessageContaining("table holds at most 1600 columns")
            .hasMessageContaining("as one object property in its JSON schema");
      }
      assertThat(cache.count("wide")).isZero();
      return;
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "wide", records);
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("wide");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("field_0").asInt()).isZero();
    assertThat(rows.get(0).get("field_1699").asInt()).isEqualTo(1699);
    assertThat(rows.get(1).get("field_1699").asInt()).isEqualTo(1700);
    assertThat(rows.get(1).get("id").asInt()).isEqualTo(2);
  }

  protected List<JsonNode> rowsOf(String stream) {
    try (Stream<JsonNode> rows = cache.rows(stream)) {
      return rows.sorted(Comparator.comparing((JsonNode r) -> r.path("_airbyte_raw_id").asText()))
          .collect(Collectors.toList());
    }
  }

  @Test
  void removedRowsLeaveAnAppendedStreamButNotAMergedOne() {
    String schema = "{'properties': {'id': {'type': 'integer'}}}";
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("events", schema, null, "incremental"), WriteStrategy.APPEND);
      tx.registerStream(SOURCE, stream("people", schema, "id", "incremental"), WriteStrategy.MERGE);
      for (String stream : List.of("events", "people")) {
        tx.write(
            SOURCE,
            stream,
            List.of(
                record("r1", "s1", "{'id': 1}"),
                record("r2", "s1", "{'id': 2}"),
                record("r3", "s1", "{'id': 3}")));
      }
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.removeRows(SOURCE, List.of("events", "people"), List.of("r2", "r3", "gone"));
      tx.commit();
    }
    assertThat(rowsOf("events")).extracting(row -> row.get("id").asInt()).containsExactly(1);
    assertThat(rowsOf("people")).extracting(row -> row.get("id").asInt()).containsExactly(1, 2, 3);
  }

  @Test
  void typedValuesRoundTrip() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("users", USERS_SCHEMA, "id", "full_refresh"), WriteStrategy.APPEND);
      tx.write(
          SOURCE,
          "users",
          List.of(
              record(
                  "r1",
                  "s1",
                  "{'id': 1, 'score': 12.5, 'name': 'Ann', 'active': true, 'born': '1990-02-03',"
                      + " 'updated_at': '2024-05-06T07:08:09+02:00', 'address': {'city': 'Oslo'}, 'tags': ['a', 'b']}"),
              record("r2", "s1", "{'id': 2, 'score': null, 'name': null}")));
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("users");
    assertThat(rows).hasSize(2);
    JsonNode ann = rows.get(0);
    assertThat(ann.get("id").asLong()).isEqualTo(1);
    assertThat(ann.get("score").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(ann.get("name").asText()).isEqualTo("Ann");
    assertThat(ann.get("active").asBoolean()).isTrue();
    assertThat(ann.get("born").asText()).isEqualTo("1990-02-03");
    assertThat(ann.get("updated_at").asText()).isEqualTo("2024-05-06T05:08:09Z");
    assertThat(ann.get("address")).isEqualTo(json("{'city': 'Oslo'}"));
    assertThat(ann.get("tags")).isEqualTo(json("['a', 'b']"));
    assertThat(ann.get("_airbyte_extracted_at").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(ann.get("_airbyte_meta").get("changes")).isEmpty();
    JsonNode nulls = rows.get(1);
    assertThat(nulls.get("score").isNull()).isTrue();
    assertThat(nulls.get("name").isNull()).isTrue();
    assertThat(nulls.get("address").isNull()).isTrue();
    assertThat(cache.count("users")).isEqualTo(2);
    assertThat(cache.streams()).containsExactly("users");
  }

  @Test
  void columnsHaveTheDocumentedTypes() throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("users", USERS_SCHEMA, "id", "full_refresh"), WriteStrategy.APPEND);
      tx.commit();
    }
    Map<String, String> types = columnTypes("users");
    assertThat(types.get("id")).isEqualTo("BIGINT");
    assertThat(types.get("score")).isIn("DOUBLE", "DOUBLE PRECISION");
    assertThat(types.get("name")).isIn("VARCHAR", "CHARACTER VARYING");
    assertThat(types.get("active")).isEqualTo("BOOLEAN");
    assertThat(types.get("born")).isEqualTo("DATE");
    assertThat(types.get("updated_at")).isIn("TIMESTAMP WITH TIME ZONE");
    assertThat(types.get("address")).isIn("JSON", "JSONB");
    assertThat(types.get("_airbyte_extracted_at")).isEqualTo("TIMESTAMP WITH TIME ZONE");
    assertThat(types.get("_airbyte_meta")).isIn("JSON", "JSONB");
    assertThat(types).containsKey("_airbyte_raw_id");
  }

  protected Map<String, String> columnTypes(String table) throws SQLException {
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT column_name, upper(data_type), numeric_precision FROM information_schema.columns WHERE table_name = '"
                    + table.replace("'", "''")
                    + "'")) {
      Map<String, String> types = new java.util.HashMap<>();
      while (rows.next()) {
        String type = rows.getString(2);
        if (type.startsWith("DECIMAL") || type.equals("NUMERIC")) {
          type = "DECIMAL(" + rows.getInt(3) + ")";
        }
        types.put(rows.getString(1), type);
      }
      return types;
    }
  }

  @Test
  void appendIgnoresARecordWhoseRawIdIsAlreadyStored() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("events", "{'properties': {'n': {'type': 'integer'}}}", null, "incremental"),
          WriteStrategy.AUTO);
      tx.write(
          SOURCE, "events", List.of(record("a", "s1", "{'n': 1}"), record("b", "s1", "{'n': 2}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      // A replay of the same batch plus one new record.
      tx.writeReplay(
          SOURCE,
          "events",
          List.of(
              record("a", "s1", "{'n': 1}"),
              record("b", "s1", "{'n': 2}"),
              record("c", "s1", "{'n': 3}")));
      tx.commit();
    }
    assertThat(rowsOf("events")).extracting(r -> r.get("n").asInt()).containsExactly(1, 2, 3);
  }

  protected static final String ALL_TYPES_SCHEMA =
      "{'type': 'object', 'properties': {"
          + "'id': {'type': 'integer'}, 'score': {'type': 'number'}, 'name': {'type': 'string'},"
          + "'active': {'type': 'boolean'}, 'born': {'type': 'string', 'format': 'date'},"
          + "'updated_at': {'type': 'string', 'format': 'date-time'},"
          + "'local': {'type': 'string', 'airbyte_type': 'timestamp_without_timezone'},"
          + "'wake': {'type': 'string', 'format': 'time'}, 'address': {'type': 'object'}}}";

  /** Two records of every column type, the second mostly null, plus an undeclared double. */
  private static List<CacheRecord> allTypes(String syncId) {
    return List.of(
        record(
            "r1",
            syncId,
            "{'id': 9007199254740993, 'score': 3.141592653589793, 'name': 'Ann \\\\ \\'q\\' \\u0027s\\n,',"
                + " 'active': true, 'born': '1990-02-03', 'updated_at': '2024-05-06 07:08:09.123456+02:00',"
                + " 'local': '2024-05-06T07:08:09', 'wake': '06:30:15.25', 'address': {'city': 'Oslo', 'n': [1, 2.5]},"
                + " 'ratio': 0.1}"),
        record(
            "r2",
            syncId,
            "{'id': -3, 'score': 7, 'name': '', 'active': false, 'updated_at': '2024-05-06T07:08:09',"
                + " 'ratio': 1e300}"));
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"APPEND", "MERGE", "REPLACE"})
  void writeStoresEveryRecordOnceWithItsTypedValues(WriteStrategy strategy) throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("typed", ALL_TYPES_SCHEMA, "id", "incremental"), strategy, "s1");
      tx.write(SOURCE, "typed", allTypes("s1"));
      tx.completeSync(SOURCE, "s1", true);
      tx.commit();
    }
    assertThat(cache.count("typed")).isEqualTo(2);
    List<JsonNode> rows = rowsOf("typed");
    JsonNode ann = rows.get(0);
    assertThat(ann.get("_airbyte_raw_id").asText()).isEqualTo("r1");
    assertThat(ann.get("id").asLong()).isEqualTo(9007199254740993L);
    assertThat(ann.get("score").doubleValue()).isEqualTo(Math.PI);
    assertThat(ann.get("name").asText()).isEqualTo("Ann \\ \"q\" 's\n,");
    assertThat(ann.get("active").asBoolean()).isTrue();
    assertThat(ann.get("born").asText()).isEqualTo("1990-02-03");
    assertThat(ann.get("updated_at").asText()).isEqualTo("2024-05-06T05:08:09.123456Z");
    assertThat(ann.get("local").asText()).isEqualTo("2024-05-06T07:08:09");
    assertThat(ann.get("wake").asText()).isEqualTo("06:30:15.25");
    assertThat(ann.get("address")).isEqualTo(json("{'city': 'Oslo', 'n': [1, 2.5]}"));
    assertThat(ann.get("ratio").asDouble()).isEqualTo(0.1);
    assertThat(ann.get("_airbyte_extracted_at").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(ann.get("_airbyte_meta")).isEqualTo(json("{'changes': [], 'sync_id': 's1'}"));
    JsonNode second = rows.get(1);
    assertThat(second.get("id").asLong()).isEqualTo(-3);
    assertThat(second.get("score").doubleValue()).isEqualTo(7.0);
    assertThat(second.get("name").asText()).isEmpty();
    assertThat(second.get("active").asBoolean()).isFalse();
    assertThat(second.get("born").isNull()).isTrue();
    assertThat(second.get("updated_at").asText()).isEqualTo("2024-05-06T07:08:09Z");
    assertThat(second.get("wake").isNull()).isTrue();
    assertThat(second.get("address").isNull()).isTrue();
    assertThat(second.get("ratio").asDouble()).isEqualTo(1e300);
    Map<String, String> types = columnTypes("typed");
    assertThat(types.get("ratio")).isIn("DOUBLE", "DOUBLE PRECISION");
    assertThat(types.get("local")).isIn("TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE");
    assertThat(types.get("wake")).isIn("TIME", "TIME WITHOUT TIME ZONE");
  }

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"APPEND", "MERGE", "REPLACE"})
  void writeReplaySkipsRecordsWhoseRawIdIsStored(WriteStrategy strategy) {
    ConfiguredAirbyteStream events =
        stream(
            "events",
            "{'properties': {'k': {'type': 'integer'}, 'n': {'type': 'integer'}}}",
            "k",
            "incremental");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, events, strategy, "s1");
      tx.write(
          SOURCE,
          "events",
          List.of(record("a", "s1", "{'k': 1, 'n': 1}"), record("b", "s1", "{'k': 2, 'n': 2}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      // The batch again (its record b twice), plus a new record.
      tx.writeReplay(
          SOURCE,
          "events",
          List.of(
              record("a", "s1", "{'k': 1, 'n': 1}"),
              record("b", "s1", "{'k': 2, 'n': 2}"),
              record("b", "s1", "{'k': 2, 'n': 2}"),
              record("c", "s1", "{'k': 3, 'n': 3}")));
      tx.completeSync(SOURCE, "s1", true);
      tx.commit();
    }
    assertThat(rowsOf("events"))
        .extracting(r -> r.get("_airbyte_raw_id").asText() + "=" + r.get("n").asInt())
        .containsExactly("a=1", "b=2", "c=3");
  }

  /**
   * {@code write} trusts its caller that the records are new: it does not look for their raw ids,
   * so two distinct records sharing one (a caller's bug) both land. Fails if write dedups.
   */
  @Test
  void writeDoesNotLookForStoredRawIds() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("events", "{'properties': {'n': {'type': 'integer'}}}", null, "incremental"),
          WriteStrategy.APPEND);
      tx.write(SOURCE, "events", List.of(record("same", "s1", "{'n': 1}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "events", List.of(record("same", "s1", "{'n': 2}")));
      tx.commit();
    }
    assertThat(rowsOf("events")).extracting(r -> r.get("n").asInt()).containsExactly(1, 2);
  }

  @Test
  void mergeOnATextKeyMatchesOnlyEqualKeysNullKeysIncluded() {
    ConfiguredAirbyteStream people =
        stream(
            "people",
            "{'properties': {'code': {'type': 'string'}, 'v': {'type': 'integer'}}}",
            "code",
            "incremental");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, people, WriteStrategy.MERGE);
      tx.write(
          SOURCE,
          "people",
          List.of(
              record("r1", "s1", "{'code': 'a', 'v': 1}"),
              record("r2", "s1", "{'code': 'O\\u0027Brien', 'v': 1}"),
              record("r3", "s1", "{'code': 'z', 'v': 1}"),
              record("r4", "s1", "{'v': 1}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      // 'a' and 'z' lie inside or around the batch's key range: only equal keys are replaced.
      tx.write(
          SOURCE,
          "people",
          List.of(
              record("r5", "s2", "{'code': 'O\\u0027Brien', 'v': 2}"),
              record("r6", "s2", "{'code': 'b', 'v': 2}"),
              record("r7", "s2", "{'code': null, 'v': 2}")));
      tx.commit();
    }
    assertThat(rowsOf("people"))
        .extracting(r -> r.get("code").asText("null") + "=" + r.get("v").asInt())
        .containsExactlyInAnyOrder("a=1", "O'Brien=2", "z=1", "b=2", "null=2");
  }

  @Test
  void fieldsNamedLikeTheWritersOwnColumnsAreStoredToo() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "steps",
              "{'properties': {'id': {'type': 'integer'}, '_akb_seq': {'type': 'integer'},"
                  + " '_akb_rank': {'type': 'string'}}}",
              "id",
              "incremental"),
          WriteStrategy.MERGE);
      tx.write(
          SOURCE,
          "steps",
          List.of(
              record("r1", "s1", "{'id': 1, '_akb_seq': 10, '_akb_rank': 'low'}"),
              record("r2", "s1", "{'id': 1, '_akb_seq': 11, '_akb_rank': 'high'}")));
      tx.writeReplay(
          SOURCE,
          "steps",
          List.of(record("r3", "s1", "{'id': 2, '_akb_seq': 12, '_akb_rank': 'x'}")));
      tx.commit();
    }
    assertThat(rowsOf("steps"))
        .extracting(r -> r.get("id") + ":" + r.get("_akb_seq") + ":" + r.get("_akb_rank").asText())
        .containsExactly("1:11:high", "2:12:x");
  }

  @Test
  void mergeLeavesOneRowPerKeyLastRecordWins() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("users", USERS_SCHEMA, "id", "incremental"), WriteStrategy.AUTO);
      tx.write(
          SOURCE,
          "users",
          List.of(
              record("r1", "s1", "{'id': 1, 'name': 'first'}"),
              record("r2", "s1", "{'id': 2, 'name': 'two'}"),
              record("r3", "s1", "{'id': 1, 'name': 'second'}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.write(
          SOURCE,
          "users",
          List.of(
              record("r4", "s2", "{'id': 2, 'name': 'two again'}"),
              record("r5", "s2", "{'id': 3, 'name': 'three'}"),
              record("r6", "s2", "{'id': 1, 'name': 'third'}")));
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("users");
    assertThat(rows)
        .extracting(r -> r.get("id").asInt() + "=" + r.get("name").asText())
        .containsExactlyInAnyOrder("1=third", "2=two again", "3=three");
    assertThat(cache.count("users")).isEqualTo(3);
  }

  @Test
  void mergeNeedsAPrimaryKey() {
    try (CacheTransaction tx = cache.begin()) {
      assertThatThrownBy(
              () ->
                  tx.registerStream(
                      SOURCE,
                      stream("nokey", "{'properties': {}}", null, "incremental"),
                      WriteStrategy.MERGE))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("needs a primary key");
    }
  }

  @Test
  void replaceSwapsTheNewGenerationInOnlyWhenTheSyncSucceeds() {
    ConfiguredAirbyteStream products =
        stream("products", "{'properties': {'sku': {'type': 'string'}}}", null, "full_refresh");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.AUTO);
      tx.write(
          SOURCE,
          "products",
          List.of(record("a1", "s1", "{'sku': 'old-1'}"), record("a2", "s1", "{'sku': 'old-2'}")));
      tx.completeSync(SOURCE, "s1", true);
      tx.commit();
    }
    assertThat(rowsOf("products"))
        .extracting(r -> r.get("sku").asText())
        .containsExactly("old-1", "old-2");

    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.AUTO);
      tx.write(SOURCE, "products", List.of(record("b1", "s2", "{'sku': 'new-1'}")));
      tx.commit();
    }
    // The sync is still running: readers see the previous generation.
    assertThat(rowsOf("products"))
        .extracting(r -> r.get("sku").asText())
        .containsExactly("old-1", "old-2");
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "products", List.of(record("b2", "s2", "{'sku': 'new-2'}")));
      tx.completeSync(SOURCE, "s2", true);
      tx.commit();
    }
    assertThat(rowsOf("products"))
        .extracting(r -> r.get("sku").asText())
        .containsExactly("new-1", "new-2");
  }

  @Test
  void aFailedReplaceKeepsThePreviousGeneration() {
    ConfiguredAirbyteStream products =
        stream("products", "{'properties': {'sku': {'type': 'string'}}}", null, "full_refresh");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.REPLACE);
      tx.write(SOURCE, "products", List.of(record("a1", "s1", "{'sku': 'old'}")));
      tx.completeSync(SOURCE, "s1", true);
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "products", List.of(record("b1", "s2", "{'sku': 'partial'}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.completeSync(SOURCE, "s2", false);
      tx.commit();
    }
    assertThat(rowsOf("products")).extracting(r -> r.get("sku").asText()).containsExactly("old");
    // A later sync starts a clean generation, without the failed one's rows.
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "products", List.of(record("c1", "s3", "{'sku': 'fresh'}")));
      tx.completeSync(SOURCE, "s3", true);
      tx.commit();
    }
    assertThat(rowsOf("products")).extracting(r -> r.get("sku").asText()).containsExactly("fresh");
  }

  @Test
  void anAbandonedReplaceIsDroppedWhenTheNextSyncWrites() {
    ConfiguredAirbyteStream products =
        stream("products", "{'properties': {'sku': {'type': 'string'}}}", null, "full_refresh");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.REPLACE);
      tx.write(SOURCE, "products", List.of(record("a1", "s1", "{'sku': 'crashed'}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.write(SOURCE, "products", List.of(record("b1", "s2", "{'sku': 'complete'}")));
      tx.completeSync(SOURCE, "s2", true);
      tx.commit();
    }
    assertThat(rowsOf("products"))
        .extracting(r -> r.get("sku").asText())
        .containsExactly("complete");
  }

  @Test
  void aFullRefreshWithoutRecordsEmptiesTheTableWhenItsSyncStartedAtRegistration() {
    ConfiguredAirbyteStream products =
        stream("products", "{'properties': {'sku': {'type': 'string'}}}", null, "full_refresh");
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.REPLACE, "s1");
      tx.write(SOURCE, "products", List.of(record("a1", "s1", "{'sku': 'old'}")));
      tx.completeSync(SOURCE, "s1", true);
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, products, WriteStrategy.REPLACE, "s2");
      tx.commit();
    }
    assertThat(cache.count("products")).isEqualTo(1);
    try (CacheTransaction tx = cache.begin()) {
      tx.completeSync(SOURCE, "s2", true);
      tx.commit();
    }
    assertThat(cache.count("products")).isZero();
  }

  @Test
  void rollbackLeavesNothing() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("users", USERS_SCHEMA, "id", "incremental"), WriteStrategy.MERGE);
      tx.write(SOURCE, "users", List.of(record("r1", "s1", "{'id': 1, 'extra': 'new column'}")));
      tx.writeState(SOURCE, streamState("users", "{'cursor': 5}"));
      tx.saveOffsets("t1", Map.of("topic/0", new StoredOffset(10, Map.of("s1", 10L))));
      // no commit
    }
    assertThat(cache.streams()).isEmpty();
    assertThat(cache.states(SOURCE)).isEmpty();
    assertThat(cache.storedOffsets("t1")).isEmpty();
    // The cache stays usable, and the rolled-back column never existed.
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("users", USERS_SCHEMA, "id", "incremental"), WriteStrategy.MERGE);
      tx.write(SOURCE, "users", List.of(record("r1", "s1", "{'id': 1}")));
      tx.commit();
    }
    assertThat(rowsOf("users").get(0).has("extra")).isFalse();
    assertThat(cache.count("users")).isEqualTo(1);
  }

  protected static AirbyteStateMessage streamState(String stream, String state) {
    return AirbyteJson.MAPPER.convertValue(
        json(
            "{'type': 'STREAM', 'stream': {'stream_descriptor': {'name': '"
                + stream
                + "'}, 'stream_state': "
                + state
                + "}}"),
        AirbyteStateMessage.class);
  }

  @Test
  void offsetsRoundTripAndLaterSavesReplaceEarlierOnes() {
    try (CacheTransaction tx = cache.begin()) {
      tx.saveOffsets(
          "duck",
          Map.of(
              "airbyte.faker.users/0", new StoredOffset(100, Map.of("sync-1", 100L)),
              "airbyte.faker.users/1", new StoredOffset(7, Map.of("sync-1", 3L, "sync-2", 4L))));
      tx.saveOffsets("other", Map.of("airbyte.faker.users/0", new StoredOffset(1, Map.of())));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.saveOffsets(
          "duck", Map.of("airbyte.faker.users/0", new StoredOffset(150, Map.of("sync-2", 50L))));
      tx.commit();
    }
    Map<String, StoredOffset> offsets = cache.storedOffsets("duck");
    assertThat(offsets).containsOnlyKeys("airbyte.faker.users/0", "airbyte.faker.users/1");
    assertThat(offsets.get("airbyte.faker.users/0"))
        .isEqualTo(new StoredOffset(150, Map.of("sync-2", 50L)));
    assertThat(offsets.get("airbyte.faker.users/1"))
        .isEqualTo(new StoredOffset(7, Map.of("sync-1", 3L, "sync-2", 4L)));
    assertThat(cache.storedOffsets("other").get("airbyte.faker.users/0").nextOffset()).isEqualTo(1);
  }

  @Test
  void streamAndGlobalStatesAreKeptVerbatim() {
    AirbyteStateMessage global =
        AirbyteJson.MAPPER.convertValue(
            json(
                "{'type': 'GLOBAL', 'global': {'shared_state': {'lsn': 42}, 'stream_states': ["
                    + "{'stream_descriptor': {'name': 'users'}, 'stream_state': {'c': 1}}]}, 'custom_field': 'kept'}"),
            AirbyteStateMessage.class);
    try (CacheTransaction tx = cache.begin()) {
      tx.writeState(SOURCE, streamState("users", "{'updated_at': '2024-01-01'}"));
      tx.writeState(SOURCE, streamState("users", "{'updated_at': '2024-02-02'}"));
      tx.writeState(SOURCE, global);
      tx.commit();
    }
    Map<String, JsonNode> states = cache.states(SOURCE);
    assertThat(states).containsOnlyKeys("users", null);
    assertThat(states.get("users").at("/stream/stream_state/updated_at").asText())
        .isEqualTo("2024-02-02");
    assertThat(states.get(null).at("/global/shared_state/lsn").asInt()).isEqualTo(42);
    assertThat(states.get(null).get("custom_field").asText()).isEqualTo("kept");
    assertThat(cache.states("another-source")).isEmpty();
  }

  @Test
  void aLaterSchemaAddsColumnsAndValuesThatDoNotFitWidenTheirColumn() throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "users",
              "{'properties': {'id': {'type': 'integer'}, 'age': {'type': 'integer'}}}",
              "id",
              "incremental"),
          WriteStrategy.MERGE);
      tx.write(SOURCE, "users", List.of(record("r1", "s1", "{'id': 1, 'age': 30}")));
      tx.commit();
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "users",
              "{'properties': {'id': {'type': 'integer'}, 'age': {'type': 'integer'}, 'email': {'type': 'string'}}}",
              "id",
              "incremental"),
          WriteStrategy.MERGE);
      tx.write(
          SOURCE,
          "users",
          List.of(
              record(
                  "r2",
                  "s2",
                  "{'id': 2, 'age': 'unknown', 'email': 'b@x.org', 'undeclared': {'k': 1}}"),
              record("r3", "s2", "{'id': 3, 'age': 41.5}")));
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("users");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("age").asText()).isEqualTo("30");
    assertThat(rows.get(1).get("age").asText()).isEqualTo("unknown");
    assertThat(rows.get(1).get("email").asText()).isEqualTo("b@x.org");
    assertThat(rows.get(1).get("undeclared")).isEqualTo(json("{'k': 1}"));
    assertThat(rows.get(2).get("age").asText()).isEqualTo("41.5");
    assertThat(rows.get(1).get("_airbyte_meta").get("changes").toString())
        .contains("\"field\":\"age\"", "WIDENED", "BIGINT", "VARCHAR");
    assertThat(rows.get(0).get("_airbyte_meta").get("changes")).isEmpty();
    assertThat(columnTypes("users").get("age")).isIn("VARCHAR", "CHARACTER VARYING");
  }

  @Test
  void hostileNamesLandInQuotedNormalizedIdentifiers() throws SQLException {
    String hostileStream = "users\"; DROP TABLE x;--";
    String longField = "f".repeat(300);
    String schema =
        "{'properties': {'first name': {'type': 'string'}, 'it\\'s \\\"quoted\\\"': {'type': 'string'},"
            + " 'Ünïcödé 名前': {'type': 'string'}, '"
            + longField
            + "': {'type': 'integer'},"
            + " 'First Name': {'type': 'string'}, '_airbyte_raw_id': {'type': 'string'}, '1st': {'type': 'integer'}}}";
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(hostileStream, schema.replace("\\'", "’"), null, "incremental"),
          WriteStrategy.APPEND);
      JsonNode data = json("{}");
      ((com.fasterxml.jackson.databind.node.ObjectNode) data)
          .put("first name", "a")
          .put("it’s \"quoted\"", "b")
          .put("Ünïcödé 名前", "c")
          .put(longField, 4)
          .put("First Name", "e")
          .put("_airbyte_raw_id", "spoof")
          .put("1st", 1);
      tx.write(SOURCE, hostileStream, List.of(new CacheRecord("r1", "s1", data, 0L, null)));
      tx.commit();
    }
    assertThat(cache.streams()).containsExactly(hostileStream);
    JsonNode row;
    try (Stream<JsonNode> rows = cache.rows(hostileStream)) {
      row = rows.findFirst().orElseThrow();
    }
    assertThat(row.get("first name").asText()).isEqualTo("a");
    assertThat(row.get("it’s \"quoted\"").asText()).isEqualTo("b");
    assertThat(row.get("Ünïcödé 名前").asText()).isEqualTo("c");
    assertThat(row.get(longField).asInt()).isEqualTo(4);
    assertThat(row.get("First Name").asText()).isEqualTo("e");
    assertThat(row.get("1st").asInt()).isEqualTo(1);
    assertThat(row.get("_airbyte_raw_id").asText()).isEqualTo("r1");

    List<String> tables = tableNames();
    assertThat(tables).contains("users___drop_table_x___");
    Map<String, String> columns = columnTypes("users___drop_table_x___");
    assertThat(columns).containsKeys("first_name", "_1st", "it_s__quoted_", "_n_c_d____");
    assertThat(columns.keySet()).allMatch(c -> c.matches("[a-z0-9_]+") && c.length() <= 255);
    assertThat(columns.keySet().stream().filter(c -> c.startsWith("fff")))
        .singleElement()
        .satisfies(c -> assertThat(c.length()).isLessThan(300));
    assertThat(columns.keySet().stream().filter(c -> c.startsWith("first_name"))).hasSize(2);
    assertThat(columns.keySet().stream().filter(c -> c.startsWith("_airbyte_raw_id"))).hasSize(2);
  }

  @Test
  void oneTransactionCanWriteEvolveAndWriteAgain() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "users",
              "{'properties': {'id': {'type': 'integer'}, 'n': {'type': 'integer'}}}",
              "id",
              "incremental"),
          WriteStrategy.MERGE);
      tx.write(SOURCE, "users", List.of(record("r1", "s1", "{'id': 1, 'n': 1}")));
      tx.write(SOURCE, "users", List.of(record("r2", "s1", "{'id': 2, 'n': 2.5, 'added': true}")));
      tx.write(SOURCE, "users", List.of(record("r3", "s1", "{'id': 1, 'n': [1], 'added': false}")));
      tx.commit();
    }
    List<JsonNode> rows = rowsOf("users");
    assertThat(rows)
        .extracting(r -> r.get("id").asInt() + ":" + r.get("added"))
        .containsExactly("2:true", "1:false");
    // 2.5 went through DECIMAL(38,9) on its way to JSON: the number is the same, its text the
    // database's (2.500000000).
    assertThat(rows.get(0).get("n").decimalValue()).isEqualByComparingTo("2.5");
    assertThat(rows.get(1).get("n")).isEqualTo(json("[1]"));
  }

  @Test
  void aKeyFieldMissingFromTheSchemaStillGetsItsColumn() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("things", "{'properties': {'v': {'type': 'string'}}}", "code", "incremental"),
          WriteStrategy.AUTO);
      tx.write(
          SOURCE,
          "things",
          List.of(
              record("r1", "s1", "{'code': 'A', 'v': 'x'}"),
              record("r2", "s1", "{'code': 'A', 'v': 'y'}")));
      tx.commit();
    }
    assertThat(rowsOf("things"))
        .extracting(r -> r.get("code").asText() + r.get("v").asText())
        .containsExactly("Ay");
  }

  @Test
  void aTablePrefixComesBeforeEveryStreamTable() throws SQLException {
    cache.close();
    cache = openCache(new CacheOptions("akb_", null, WriteStrategy.AUTO));
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("Users", "{'properties': {'id': {'type': 'integer'}}}", "id", "incremental"),
          WriteStrategy.AUTO);
      tx.write(SOURCE, "Users", List.of(record("r1", "s1", "{'id': 1}")));
      tx.commit();
    }
    assertThat(tableNames()).contains("akb_users");
    assertThat(cache.count("Users")).isEqualTo(1);
  }

  @Test
  void aStreamNamedLikeAnInternalTableGetsATableOfItsOwn() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "_airbyte_state", "{'properties': {'v': {'type': 'string'}}}", null, "incremental"),
          WriteStrategy.APPEND);
      tx.write(SOURCE, "_airbyte_state", List.of(record("r1", "s1", "{'v': 'mine'}")));
      tx.writeState(SOURCE, streamState("_airbyte_state", "{'c': 1}"));
      tx.commit();
    }
    assertThat(rowsOf("_airbyte_state"))
        .extracting(r -> r.get("v").asText())
        .containsExactly("mine");
    assertThat(cache.states(SOURCE).get("_airbyte_state").at("/stream/stream_state/c").asInt())
        .isEqualTo(1);
  }

  @Test
  void rowsStreamsALargeTable() {
    List<CacheRecord> records = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      records.add(record("r" + i, "s1", "{'n': " + i + "}"));
    }
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream("numbers", "{'properties': {'n': {'type': 'integer'}}}", null, "incremental"),
          WriteStrategy.APPEND);
      tx.write(SOURCE, "numbers", records);
      tx.commit();
    }
    try (Stream<JsonNode> rows = cache.rows("numbers")) {
      assertThat(rows.mapToLong(r -> r.get("n").asLong()).sum()).isEqualTo(4999L * 5000 / 2);
    }
    assertThat(cache.count("numbers")).isEqualTo(5000);
  }

  protected List<String> tableNames() throws SQLException {
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT table_name FROM information_schema.tables")) {
      List<String> names = new ArrayList<>();
      while (rows.next()) {
        names.add(rows.getString(1));
      }
      return names;
    }
  }

  @Test
  void aStreamExportsToArrowBatchesWithTypedValuesAndNullsInBatchesOfTheAskedSize() {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, stream("users", USERS_SCHEMA, "id", "incremental"), null);
      List<CacheRecord> users = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        users.add(
            record(
                "r" + i,
                "s1",
                "{'id': "
                    + i
                    + ", 'score': "
                    + (i == 3 ? "null" : i + ".25")
                    + ", 'name': 'user "
                    + i
                    + "', 'active': "
                    + (i % 2 == 0)
                    + ", 'born': '2000-01-0"
                    + i
                    + "', 'updated_at': '2024-01-01T00:00:0"
                    + i
                    + "Z', 'address': {'n': "
                    + i
                    + "}}"));
      }
      tx.write(SOURCE, "users", users);
      tx.commit();
    }
    assertThatThrownBy(() -> cache.dataset("nope"))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("the cache has no stream named nope (it has: users)");

    List<Integer> batchSizes = new ArrayList<>();
    Map<Long, List<Object>> byId = new TreeMap<>();
    try (RootAllocator allocator = new RootAllocator()) {
      long rows =
          cache
              .dataset("users")
              .toArrowBatches(
                  allocator,
                  2,
                  root -> {
                    batchSizes.add(root.getRowCount());
                    for (int r = 0; r < root.getRowCount(); r++) {
                      List<Object> values = new ArrayList<>();
                      for (String column :
                          List.of("score", "name", "active", "born", "updated_at", "address")) {
                        values.add(root.getVector(column).getObject(r));
                      }
                      byId.put((Long) root.getVector("id").getObject(r), values);
                    }
                    assertThat(root.getVector("_airbyte_raw_id").getField().getType().toString())
                        .isEqualTo("Utf8");
                  });
      assertThat(rows).isEqualTo(5);
    }
    assertThat(batchSizes).containsExactly(2, 2, 1);
    assertThat(byId.keySet()).containsExactly(1L, 2L, 3L, 4L, 5L);
    List<Object> second = byId.get(2L);
    assertThat(second.get(0)).isEqualTo(2.25);
    assertThat(second.get(1)).hasToString("user 2");
    assertThat(second.get(2)).isEqualTo(true);
    assertThat(second.get(3)).isEqualTo((int) LocalDate.of(2000, 1, 2).toEpochDay());
    assertThat(second.get(4)).isEqualTo(1_704_067_202_000_000L);
    assertThat(json(second.get(5).toString())).isEqualTo(json("{'n': 2}"));
    assertThat(byId.get(3L).get(0)).isNull();
  }

  /** Each row of a query's result as the database's text of its columns ({@code true}, not t). */
  protected List<List<String>> query(String sql) throws SQLException {
    try (Connection connection = sqlConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<List<String>> result = new ArrayList<>();
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          Object value = rows.getObject(i);
          row.add(value instanceof Boolean ? value.toString() : rows.getString(i));
        }
        result.add(row);
      }
      return result;
    }
  }

  protected static final String NUMBERS_SCHEMA =
      "{'type': 'object', 'properties': {'id': {'type': 'integer'},"
          + " 'pi': {'type': 'number'}, 'tiny': {'type': ['null', 'number']},"
          + " 'huge': {'oneOf': [{'type': 'number'}, {'type': 'null'}]},"
          + " 'tenth': {'anyOf': [{'type': 'null'}, {'type': 'number'}]},"
          + " 'precise': {'type': 'number'}}}";

  @ParameterizedTest
  @EnumSource(
      value = WriteStrategy.class,
      names = {"APPEND", "MERGE"})
  void numbersAreKeptExactlyAndOneADoubleCannotHoldWidensItsColumnWithTheChangeRecorded(
      WriteStrategy strategy) throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE, stream("numbers", NUMBERS_SCHEMA, "id", "incremental"), strategy, "s1");
      tx.write(
          SOURCE,
          "numbers",
          List.of(
              record(
                  "r1",
                  "s1",
                  "{'id': 1, 'pi': 3.141592653589793, 'tiny': 1e-10, 'huge': 1e300, 'tenth': 0.1,"
                      + " 'precise': 0.5}"),
              record("r2", "s1", "{'id': 2, 'precise': 12345678901234567890.1234567894}")));
      tx.commit();
    }
    Map<String, String> types = columnTypes("numbers");
    // Nullable unions of every spelling are numbers, not text.
    for (String column : List.of("pi", "tiny", "huge", "tenth")) {
      assertThat(types.get(column)).as(column).isIn("DOUBLE", "DOUBLE PRECISION");
    }
    // A double cannot give back this number's 30 digits: its column keeps every number's text.
    assertThat(types.get("precise")).isIn("VARCHAR", "CHARACTER VARYING");
    List<List<String>> stored =
        query(
            "SELECT pi = 3.141592653589793, tiny = 1e-10, huge = 1e300, tenth = 0.1, precise"
                + " FROM numbers ORDER BY id");
    assertThat(stored.get(0)).containsExactly("true", "true", "true", "true", "0.5");
    assertThat(stored.get(1).get(4)).isEqualTo("12345678901234567890.1234567894");
    List<JsonNode> rows = rowsOf("numbers");
    assertThat(rows.get(0).get("pi").doubleValue()).isEqualTo(Math.PI);
    assertThat(rows.get(0).get("tiny").doubleValue()).isEqualTo(1e-10);
    assertThat(rows.get(0).get("_airbyte_meta").get("changes")).isEmpty();
    JsonNode changes = rows.get(1).get("_airbyte_meta").get("changes");
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).get("field").asText()).isEqualTo("precise");
    assertThat(changes.get(0).get("change").asText()).isEqualTo("WIDENED");
  }

  @Test
  void anIntegerColumnThatMeetsAFractionBecomesADoubleUnlessThatWouldChangeAStoredInteger()
      throws SQLException {
    String schema = "{'properties': {'id': {'type': 'integer'}, 'n': {'type': 'integer'}}}";
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(SOURCE, stream("small", schema, null, "incremental"), WriteStrategy.APPEND);
      tx.registerStream(SOURCE, stream("large", schema, null, "incremental"), WriteStrategy.APPEND);
      tx.write(SOURCE, "small", List.of(record("a1", "s1", "{'id': 1, 'n': 5}")));
      tx.write(SOURCE, "large", List.of(record("b1", "s1", "{'id': 1, 'n': 9007199254740993}")));
      tx.write(SOURCE, "small", List.of(record("a2", "s1", "{'id': 2, 'n': 3.141592653589793}")));
      tx.write(SOURCE, "large", List.of(record("b2", "s1", "{'id': 2, 'n': 3.141592653589793}")));
      tx.commit();
    }
    assertThat(columnTypes("small").get("n")).isIn("DOUBLE", "DOUBLE PRECISION");
    assertThat(query("SELECT n = 5, n = 3.141592653589793 FROM small ORDER BY id"))
        .containsExactly(List.of("true", "false"), List.of("false", "true"));
    // 2^53 + 1 is no double: the column keeps both numbers' text instead.
    assertThat(columnTypes("large").get("n")).isIn("VARCHAR", "CHARACTER VARYING");
    assertThat(query("SELECT n FROM large ORDER BY id"))
        .containsExactly(List.of("9007199254740993"), List.of("3.141592653589793"));
  }

  @Test
  void aTimeWithTimeZoneIsStoredAsOne() throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "alarms",
              "{'properties': {'id': {'type': 'integer'}, 'alarm': {'type': 'string', 'format': 'time',"
                  + " 'airbyte_type': 'time_with_timezone'}}}",
              null,
              "incremental"),
          WriteStrategy.APPEND);
      tx.write(
          SOURCE,
          "alarms",
          List.of(
              record("r1", "s1", "{'id': 1, 'alarm': '10:00:01.5+02:00'}"),
              record("r2", "s1", "{'id': 2, 'alarm': '23:59:59Z'}")));
      tx.commit();
    }
    assertThat(columnTypes("alarms").get("alarm")).isEqualTo("TIME WITH TIME ZONE");
    assertThat(
            query(
                "SELECT alarm = CAST('10:00:01.5+02:00' AS TIME WITH TIME ZONE),"
                    + " alarm = CAST('23:59:59+00:00' AS TIME WITH TIME ZONE),"
                    + " CAST(alarm AS VARCHAR)"
                    + " FROM alarms ORDER BY id"))
        .containsExactly(
            List.of("true", "false", "10:00:01.5+02"), List.of("false", "true", "23:59:59+00"));
    List<JsonNode> rows = rowsOf("alarms");
    assertThat(rows.get(0).get("alarm").asText()).isEqualTo("10:00:01.5+02");
    assertThat(rows.get(0).get("_airbyte_meta").get("changes")).isEmpty();
  }

  @Test
  void jsonValuesAndStatesKeepTheSourcesNumbers() throws SQLException {
    try (CacheTransaction tx = cache.begin()) {
      tx.registerStream(
          SOURCE,
          stream(
              "docs",
              "{'properties': {'id': {'type': 'integer'}, 'doc': {'type': 'object'},"
                  + " 'list': {'type': 'array'}}}",
              null,
              "incremental"),
          WriteStrategy.APPEND);
      tx.write(
          SOURCE,
          "docs",
          List.of(
              record(
                  "r1",
                  "s1",
                  "{'id': 1, 'doc': {'big': 1e10, 'round': 100.0, 'zero': 0.0, 'tiny': 1e-10},"
                      + " 'list': [2.50, 1.0]}")));
      tx.writeState(SOURCE, streamState("docs", "{'cursor': 100.0, 'seen': 1e10, 'at': 0.0}"));
      tx.commit();
    }
    JsonNode row = rowsOf("docs").get(0);
    JsonNode doc = row.get("doc");
    assertThat(doc.get("big").decimalValue()).isEqualByComparingTo("1e10");
    assertThat(doc.get("tiny").decimalValue()).isEqualByComparingTo("1e-10");
    // The scale a source gave is part of what it sent: 100.0 is not 1E+2, 0.0 not 0.
    assertThat(doc.get("round").asText()).isEqualTo("100.0");
    assertThat(doc.get("zero").asText()).isEqualTo("0.0");
    assertThat(row.get("list").toString()).isEqualTo("[2.50,1.0]");
    assertThat(query("SELECT state_json FROM _airbyte_state").get(0).get(0))
        .contains("{\"cursor\":100.0,\"seen\":1e10,\"at\":0.0}");
    assertThat(cache.states(SOURCE).get("docs").at("/stream/stream_state").toString())
        .isEqualTo("{\"cursor\":100.0,\"seen\":1e10,\"at\":0.0}");
  }
}
