package io.akb.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The merge rule: the newer of the connector's update and the user's edit wins, field by field. */
class StoredConfigUpdateTest {
  private static final Instant MONDAY = Instant.parse("2026-12-07T09:00:00Z");

  private static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** What a run that started with {@code given} stores when the connector sends {@code sent}. */
  private static StoredConfigUpdate refreshed(String given, String sent) {
    return StoredConfigUpdate.merge(
        null, "source-shop", json(given), json(given), json(sent), MONDAY);
  }

  @Test
  void theConnectorsChangedFieldsApplyToTheGivenConfigAndNothingElseIsTaken() {
    StoredConfigUpdate update =
        refreshed(
            "{\"token\":\"tok-1\",\"shop\":\"eu\",\"page_size\":100}",
            "{\"token\":\"tok-2\",\"shop\":\"eu\",\"page_size\":100}");

    assertThat(update.changes())
        .extracting(StoredConfigUpdate.Change::path)
        .containsExactly("/token");
    StoredConfigUpdate.Applied applied =
        update.applyTo(json("{\"token\":\"tok-1\",\"shop\":\"eu\",\"page_size\":100}"));
    assertThat(applied.config())
        .isEqualTo(json("{\"token\":\"tok-2\",\"shop\":\"eu\",\"page_size\":100}"));
    assertThat(applied.applied()).containsExactly("/token");
    assertThat(applied.givenKept()).isEmpty();
  }

  @Test
  void fieldsTheUserEditedSinceKeepTheUsersValueAndTheConnectorsOthersStillApply() {
    StoredConfigUpdate update =
        refreshed(
            "{\"token\":\"tok-1\",\"expires\":\"mon\",\"shop\":\"eu\"}",
            "{\"token\":\"tok-2\",\"expires\":\"tue\",\"shop\":\"eu\"}");

    // Later the user pastes a token of their own and moves to another shop, and adds a field.
    StoredConfigUpdate.Applied applied =
        update.applyTo(
            json("{\"token\":\"tok-pasted\",\"expires\":\"mon\",\"shop\":\"us\",\"debug\":true}"));

    assertThat(applied.config())
        .isEqualTo(
            json("{\"token\":\"tok-pasted\",\"expires\":\"tue\",\"shop\":\"us\",\"debug\":true}"));
    assertThat(applied.applied()).containsExactly("/expires");
    assertThat(applied.givenKept()).containsExactly("/token");
  }

  @Test
  void nestedFieldsAddedAndRemovedByTheConnectorAreAddedAndRemoved() {
    StoredConfigUpdate update =
        refreshed(
            "{\"credentials\":{\"access_token\":\"a1\",\"legacy_key\":\"k\"},\"scopes\":[\"r\"]}",
            "{\"credentials\":{\"access_token\":\"a2\",\"refresh_token\":\"r2\"},"
                + "\"scopes\":[\"r\",\"w\"]}");

    assertThat(update.changes())
        .extracting(StoredConfigUpdate.Change::path)
        .containsExactly(
            "/credentials/access_token",
            "/credentials/legacy_key",
            "/credentials/refresh_token",
            "/scopes");
    assertThat(
            update
                .applyTo(
                    json(
                        "{\"credentials\":{\"access_token\":\"a1\",\"legacy_key\":\"k\"},"
                            + "\"scopes\":[\"r\"]}"))
                .config())
        .isEqualTo(
            json(
                "{\"credentials\":{\"access_token\":\"a2\",\"refresh_token\":\"r2\"},"
                    + "\"scopes\":[\"r\",\"w\"]}"));
  }

  @Test
  void numbersAreComparedByValueAndKeyOrderDoesNotCount() {
    assertThat(
            StoredConfigUpdate.changedPaths(
                json("{\"a\":1,\"b\":{\"x\":2.50,\"y\":3}}"),
                json("{\"b\":{\"y\":3.0,\"x\":2.5},\"a\":1.0}")))
        .isEmpty();
    assertThat(StoredConfigUpdate.fingerprint(json("{\"x\":2.50,\"y\":[1,2]}")))
        .isEqualTo(StoredConfigUpdate.fingerprint(json("{\"y\":[1.0,2],\"x\":2.5}")));
  }

  @Test
  void aLaterUpdateKeepsTheEarlierChangesInForceAndTheNewestValueOfEachField() {
    String given = "{\"token\":\"tok-1\",\"refresh\":\"r-1\",\"shop\":\"eu\"}";
    StoredConfigUpdate first =
        refreshed(given, "{\"token\":\"tok-2\",\"refresh\":\"r-2\",\"shop\":\"eu\"}");
    JsonNode secondStart = first.applyTo(json(given)).config();

    StoredConfigUpdate second =
        StoredConfigUpdate.merge(
            first,
            "source-shop",
            json(given),
            secondStart,
            json("{\"token\":\"tok-3\",\"refresh\":\"r-2\",\"shop\":\"eu\"}"),
            MONDAY.plusSeconds(3600));

    assertThat(second.applyTo(json(given)).config())
        .isEqualTo(json("{\"token\":\"tok-3\",\"refresh\":\"r-2\",\"shop\":\"eu\"}"));
    assertThat(second.changes())
        .extracting(StoredConfigUpdate.Change::path)
        .containsExactly("/refresh", "/token");
    assertThat(second.updatedAt()).isEqualTo(MONDAY.plusSeconds(3600));
  }

  @Test
  void changesTheUserHasOverriddenOrOfAnotherConnectorAreDroppedAtTheNextUpdate() {
    StoredConfigUpdate first =
        refreshed("{\"token\":\"tok-1\",\"shop\":\"eu\"}", "{\"token\":\"tok-2\",\"shop\":\"eu\"}");
    JsonNode edited = json("{\"token\":\"tok-pasted\",\"shop\":\"eu\"}");

    StoredConfigUpdate afterEdit =
        StoredConfigUpdate.merge(
            first,
            "source-shop",
            edited,
            edited,
            json("{\"token\":\"tok-pasted\",\"shop\":\"us\"}"),
            MONDAY);
    assertThat(afterEdit.changes())
        .extracting(StoredConfigUpdate.Change::path)
        .containsExactly("/shop");

    StoredConfigUpdate otherConnector =
        StoredConfigUpdate.merge(
            first,
            "source-other",
            json("{\"token\":\"tok-1\"}"),
            json("{\"token\":\"tok-1\"}"),
            json("{\"token\":\"tok-1\",\"region\":\"x\"}"),
            MONDAY);
    assertThat(otherConnector.changes())
        .extracting(StoredConfigUpdate.Change::path)
        .containsExactly("/region");
  }

  @Test
  void aChangeUnderAFieldTheUserTurnedIntoAStringKeepsTheUsersValue() {
    StoredConfigUpdate update =
        refreshed("{\"credentials\":{\"token\":\"t1\"}}", "{\"credentials\":{\"token\":\"t2\"}}");

    StoredConfigUpdate.Applied applied = update.applyTo(json("{\"credentials\":\"api-key-x\"}"));

    assertThat(applied.config()).isEqualTo(json("{\"credentials\":\"api-key-x\"}"));
    assertThat(applied.givenKept()).containsExactly("/credentials/token");
  }

  @Test
  void theFileFormRoundTripsAndNamesTheOldValuesOnlyByTheirHash() {
    StoredConfigUpdate update =
        refreshed(
            "{\"token\":\"tok-old-secret\",\"gone\":1}",
            "{\"token\":\"tok-new\",\"a/b\":{\"c~d\":2}}");

    JsonNode file = update.toJson();

    assertThat(file.toString()).doesNotContain("tok-old-secret").contains("tok-new");
    assertThat(file.path("akb_config_update").asInt()).isEqualTo(1);
    assertThat(StoredConfigUpdate.fromJson(file)).isEqualTo(update);
    assertThat(update.applyTo(json("{\"token\":\"tok-old-secret\",\"gone\":1}")).config())
        .isEqualTo(json("{\"token\":\"tok-new\",\"a/b\":{\"c~d\":2}}"));
  }

  @Test
  void aFileOfAnotherFormIsRefusedSayingWhichPartIsWrongWithoutItsValues() {
    assertThatThrownBy(() -> StoredConfigUpdate.fromJson(json("[\"tok-secret\"]")))
        .hasMessage("it is not a JSON object");
    assertThatThrownBy(
            () ->
                StoredConfigUpdate.fromJson(
                    json(
                        "{\"akb_config_update\":1,\"connector\":\"s\",\"updated_at\":"
                            + "\"2026-12-07T09:00:00Z\",\"changes\":[{\"path\":\"/t\","
                            + "\"value\":\"tok-secret\"}]}")))
        .hasMessage("changes[0] has no given fingerprint");
    assertThatThrownBy(
            () ->
                StoredConfigUpdate.fromJson(json("{\"akb_config_update\":2,\"connector\":\"s\"}")))
        .hasMessageContaining("akb_config_update is not 1");
  }
}
