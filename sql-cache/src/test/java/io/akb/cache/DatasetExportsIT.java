package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.cache.postgres.TestDatabase;
import io.akb.runtime.AkbException;
import io.akb.runtime.Document;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user opens a cache AKB wrote, in a later process, and takes one stream out of it the ways
 * PyAirbyte offers: the dataset by name ({@code cache["issues"]}), its records with their {@code
 * _airbyte_*} fields, documents ({@code to_documents}), the SQL table ({@code to_sql_table}) and a
 * JDBC result set, and Arrow record batches in memory, pushed or pulled; on a real DuckDB file and
 * a real PostgreSQL database.
 */
class DatasetExportsIT {
  private static final long EXTRACTED_AT = 1_700_000_000_000L;

  private static TestDatabase postgres;

  @TempDir Path dir;

  @BeforeAll
  static void createDatabase() throws Exception {
    postgres = TestDatabase.create("akb_datasets");
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    postgres.drop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aReopenedCacheGivesTheStreamByNameWithItsRecordsDocumentsTableAndArrowBatches(String kind)
      throws Exception {
    CacheLocation location =
        kind.equals("duckdb")
            ? CacheLocation.parse("duckdb:" + dir.resolve("issues.duckdb"))
            : CacheLocation.parse("postgres:" + postgres.jdbcUrl());
    if (kind.equals("postgres")) {
      postgres.resetSchema();
    }
    try (SqlCache cache = SqlCache.open(location, CacheOptions.defaults())) {
      try (CacheTransaction tx = cache.begin()) {
        tx.registerStream("source-github", issuesStream(), WriteStrategy.MERGE);
        tx.write(
            "source-github",
            "issues",
            List.of(
                record("r1", "{'id': 1, 'title': 'Crash', 'body': 'It crashes.', 'state': 'open'}"),
                record("r2", "{'id': 2, 'title': 'Slow', 'body': null, 'state': 'closed'}")));
        tx.commit();
      }
    }

    try (SqlCache cache = SqlCache.open(location, CacheOptions.defaults())) {
      assertThat(cache.streams()).containsExactly("issues");
      assertThat(cache.datasets().keySet()).containsExactly("issues");
      SqlCacheDataset issues = cache.dataset("issues");
      assertThat(issues.count()).isEqualTo(2);

      try (Stream<JsonNode> rows = issues.records()) {
        JsonNode first = rows.filter(r -> r.get("id").asLong() == 1).findFirst().orElseThrow();
        assertThat(first.get("title").asText()).isEqualTo("Crash");
        assertThat(first.get("_airbyte_raw_id").asText()).isEqualTo("r1");
        assertThat(Instant.parse(first.get("_airbyte_extracted_at").asText()))
            .isEqualTo(Instant.ofEpochMilli(EXTRACTED_AT));
        assertThat(first.get("_airbyte_meta").isObject()).isTrue();
      }

      List<Document> documents;
      try (Stream<Document> stream = issues.toDocuments("title", List.of("body"), null, false)) {
        documents = stream.toList();
      }
      assertThat(documents).extracting(Document::id).containsExactly("1", "2");
      assertThat(documents.get(0).content()).isEqualTo("# Crash\n\nIt crashes.\n");
      assertThat(documents.get(0).metadata()).containsOnlyKeys("id", "state");
      assertThat(documents.get(0).metadata().get("id").asLong()).isEqualTo(1);
      assertThat(documents.get(0).metadata().get("state").asText()).isEqualTo("open");
      assertThat(documents.get(0).lastModified()).isEqualTo(Instant.ofEpochMilli(EXTRACTED_AT));
      try (Stream<Document> stream = issues.toDocuments("title", List.of("body"), null, true)) {
        assertThat(stream.findFirst().orElseThrow().content())
            .isEqualTo("---\nid: 1\nstate: open\n---\n# Crash\n\nIt crashes.\n");
      }

      assertThat(issues.tableName()).isEqualTo("issues");
      assertThat(issues.sqlTable())
          .isEqualTo(kind.equals("duckdb") ? "\"main\".\"issues\"" : "\"public\".\"issues\"");
      try (Connection connection = cache.openConnection();
          PreparedStatement query =
              connection.prepareStatement(
                  "SELECT title FROM " + issues.sqlTable() + " WHERE state = ?")) {
        query.setString(1, "closed");
        try (ResultSet closed = query.executeQuery()) {
          assertThat(closed.next()).isTrue();
          assertThat(closed.getString(1)).isEqualTo("Slow");
        }
      }

      List<String> rows = new ArrayList<>();
      Connection used;
      try (ResultSet results = issues.resultSet()) {
        used = results.getStatement().getConnection();
        while (results.next()) {
          rows.add(
              results.getLong("id")
                  + " "
                  + results.getString("title")
                  + " "
                  + results.getString("_airbyte_raw_id")
                  + " "
                  + results
                      .getObject("_airbyte_extracted_at", OffsetDateTime.class)
                      .toInstant()
                      .toEpochMilli());
        }
      }
      assertThat(rows)
          .containsExactlyInAnyOrder("1 Crash r1 " + EXTRACTED_AT, "2 Slow r2 " + EXTRACTED_AT);
      assertThat(used.isClosed()).as("the result set's connection is closed with it").isTrue();

      List<String> fromArrow = new ArrayList<>();
      List<Integer> batchSizes = new ArrayList<>();
      try (RootAllocator allocator = new RootAllocator()) {
        long exported =
            issues.toArrowBatches(
                allocator,
                1,
                batch -> {
                  batchSizes.add(batch.getRowCount());
                  BigIntVector ids = (BigIntVector) batch.getVector("id");
                  VarCharVector titles = (VarCharVector) batch.getVector("title");
                  VarCharVector rawIds = (VarCharVector) batch.getVector("_airbyte_raw_id");
                  for (int row = 0; row < batch.getRowCount(); row++) {
                    fromArrow.add(
                        ids.get(row) + " " + titles.getObject(row) + " " + rawIds.getObject(row));
                  }
                });
        assertThat(exported).isEqualTo(2);
      }
      assertThat(batchSizes).containsExactly(1, 1);
      assertThat(fromArrow).containsExactlyInAnyOrder("1 Crash r1", "2 Slow r2");

      List<String> pulled = new ArrayList<>();
      try (RootAllocator allocator = new RootAllocator();
          ArrowReader reader = issues.toArrowReader(allocator, 10)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        assertThat(root.getSchema().findField("_airbyte_extracted_at").getType())
            .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
        while (reader.loadNextBatch()) {
          TimeStampMicroTZVector extracted =
              (TimeStampMicroTZVector) root.getVector("_airbyte_extracted_at");
          for (int row = 0; row < root.getRowCount(); row++) {
            pulled.add(
                root.getVector("title").getObject(row)
                    + " "
                    + root.getVector("body").getObject(row)
                    + " "
                    + extracted.get(row));
          }
        }
      }
      assertThat(pulled)
          .containsExactlyInAnyOrder(
              "Crash It crashes. " + EXTRACTED_AT * 1000, "Slow null " + EXTRACTED_AT * 1000);

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.dataset("users"))
          .isInstanceOf(AkbException.class)
          .hasMessageContaining("it has: issues");
    }
  }

  private static CacheRecord record(String rawId, String data) throws Exception {
    return new CacheRecord(rawId, "sync-1", json(data), EXTRACTED_AT, null);
  }

  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.MAPPER.readTree(text.replace('\'', '"'));
  }

  private static ConfiguredAirbyteStream issuesStream() throws Exception {
    return AirbyteJson.MAPPER.convertValue(
        json(
            "{'stream': {'name': 'issues', 'json_schema': {'type': 'object', 'properties': {"
                + "'id': {'type': 'integer'}, 'title': {'type': 'string'},"
                + " 'body': {'type': ['null', 'string']}, 'state': {'type': 'string'}}},"
                + " 'supported_sync_modes': ['full_refresh', 'incremental']},"
                + " 'sync_mode': 'incremental', 'destination_sync_mode': 'append_dedup',"
                + " 'primary_key': [['id']]}"),
        ConfiguredAirbyteStream.class);
  }
}
