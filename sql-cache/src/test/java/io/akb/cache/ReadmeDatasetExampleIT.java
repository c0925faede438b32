package io.akb.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.Document;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.testkit.ReadmeBlock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's dataset example runs as written: the lines between the markers below are the
 * README's code block (the test fails when the two differ), run on a DuckDB cache holding three
 * users.
 */
class ReadmeDatasetExampleIT {
  @TempDir Path dir;

  @Test
  void theReadmesDatasetExampleRunsAsWritten() throws Exception {
    Path file = dir.resolve("shop.duckdb");
    try (SqlCache cache =
        SqlCache.open(CacheLocation.parse("duckdb:" + file), CacheOptions.defaults())) {
      try (CacheTransaction tx = cache.begin()) {
        tx.registerStream("source-shop", usersStream(), WriteStrategy.MERGE);
        tx.write(
            "source-shop",
            "users",
            List.of(
                user("r1", "{'id': 1, 'name': 'Ada', 'email': 'ada@example.com', 'age': 36}"),
                user("r2", "{'id': 2, 'name': 'Bo', 'email': 'bo@example.com', 'age': 12}"),
                user("r3", "{'id': 3, 'name': 'Cy', 'email': 'cy@example.com', 'age': 41}")));
        tx.commit();
      }
    }

    try (SqlCache cache =
        SqlCache.open(CacheLocation.parse("duckdb:" + file), CacheOptions.defaults())) {
      // README:begin
      SqlCacheDataset users = cache.dataset("users"); // cache.datasets(): every stream by name
      long rows = users.count();
      List<String> rawIds;
      try (Stream<JsonNode> all = users.records()) { // fields, then the _airbyte_* columns
        rawIds = all.map(row -> row.get("_airbyte_raw_id").asText()).toList();
      }
      users.toArrowFile(dir.resolve("users.arrow")); // pyarrow.ipc.open_file(...).read_all()
      long exported;
      try (RootAllocator allocator = new RootAllocator()) {
        exported = users.toArrowBatches(allocator, 65_536, batch -> {}); // a VectorSchemaRoot
      }
      List<Document> documents;
      try (Stream<Document> docs = users.toDocuments("name", List.of("email"), null, true)) {
        documents = docs.toList(); // id from the primary key, content Markdown
      }
      List<String> adults = new ArrayList<>();
      try (Connection sql = cache.openConnection();
          ResultSet result =
              sql.createStatement()
                  .executeQuery("SELECT name FROM " + users.sqlTable() + " WHERE age >= 18")) {
        while (result.next()) {
          adults.add(result.getString("name"));
        }
      }
      List<String> emails = new ArrayList<>();
      try (ResultSet all = users.resultSet()) { // typed columns; closing it closes its connection
        while (all.next()) {
          emails.add(all.getString("email"));
        }
      }
      // README:end

      assertThat(rows).isEqualTo(3);
      assertThat(rawIds).containsExactlyInAnyOrder("r1", "r2", "r3");
      assertThat(dir.resolve("users.arrow")).isNotEmptyFile();
      assertThat(exported).isEqualTo(3);
      assertThat(documents).extracting(Document::id).containsExactly("1", "2", "3");
      assertThat(documents.get(0).content())
          .isEqualTo("---\nid: 1\nage: 36\n---\n# Ada\n\nada@example.com\n");
      assertThat(adults).containsExactlyInAnyOrder("Ada", "Cy");
      assertThat(emails)
          .containsExactlyInAnyOrder("ada@example.com", "bo@example.com", "cy@example.com");
    }

    ReadmeBlock.assertInReadme(ReadmeDatasetExampleIT.class);
  }

  private static CacheRecord user(String rawId, String data) throws Exception {
    return new CacheRecord(rawId, "sync-1", json(data), 1_700_000_000_000L, null);
  }

  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.MAPPER.readTree(text.replace('\'', '"'));
  }

  private static ConfiguredAirbyteStream usersStream() throws Exception {
    return AirbyteJson.MAPPER.convertValue(
        json(
            "{'stream': {'name': 'users', 'json_schema': {'type': 'object', 'properties': {"
                + "'id': {'type': 'integer'}, 'name': {'type': 'string'},"
                + " 'email': {'type': 'string'}, 'age': {'type': 'integer'}}},"
                + " 'supported_sync_modes': ['full_refresh', 'incremental']},"
                + " 'sync_mode': 'incremental', 'destination_sync_mode': 'append_dedup',"
                + " 'primary_key': [['id']]}"),
        ConfiguredAirbyteStream.class);
  }
}
