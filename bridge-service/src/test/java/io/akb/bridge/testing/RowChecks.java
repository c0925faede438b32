package io.akb.bridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The checks of the fault and crash tests on a cache's {@code users} table (ids 1..N), in the terms
 * a user would check: every record exactly once, and the stored state.
 */
public final class RowChecks {
  private RowChecks() {}

  /**
   * Asserts {@code users} holds ids 1..{@code total}, each once: as many rows as ids, as many
   * distinct ids and distinct {@code _airbyte_raw_id}s (a record applied twice, even by a merge
   * that dedups by key, leaves a second raw id behind only with append; both counts together catch
   * a lost or a doubled record).
   */
  public static void assertEveryUserOnce(Statement statement, long total) throws SQLException {
    ResultSet rows =
        statement.executeQuery(
            "SELECT count(*), count(DISTINCT id), min(id), max(id),"
                + " count(DISTINCT _airbyte_raw_id) FROM users");
    rows.next();
    assertThat(rows.getLong(1)).as("rows").isEqualTo(total);
    assertThat(rows.getLong(2)).as("distinct ids").isEqualTo(total);
    assertThat(rows.getLong(3)).as("the first id").isEqualTo(1);
    assertThat(rows.getLong(4)).as("the last id").isEqualTo(total);
    assertThat(rows.getLong(5)).as("distinct raw ids").isEqualTo(total);
  }

  /** The state stored for {@code stream} in {@code _airbyte_state}; fails when there is none. */
  public static JsonNode storedState(Statement statement, String stream) throws Exception {
    ResultSet state =
        statement.executeQuery(
            "SELECT state_json FROM _airbyte_state WHERE stream_name = '" + stream + "'");
    assertThat(state.next()).as("a state of " + stream + " in _airbyte_state").isTrue();
    return AirbyteJson.MAPPER.readTree(state.getString(1));
  }
}
