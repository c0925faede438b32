package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.protocol.SyncMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic record to RECORD, topic to stream, and the catalog from SYNC_STARTED events. */
class TopicRecordTest {

  static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ConfiguredAirbyteStream stream(String name, String namespace, List<String> key) {
    List<List<String>> primaryKey = key.stream().map(List::of).toList();
    return new ConfiguredAirbyteStream(
        new AirbyteStream(
            name,
            json("{\"type\":\"object\"}"),
            List.of(SyncMode.FULL_REFRESH),
            null,
            null,
            primaryKey.isEmpty() ? null : primaryKey,
            namespace,
            null,
            null),
        SyncMode.FULL_REFRESH,
        null,
        DestinationSyncMode.APPEND,
        primaryKey.isEmpty() ? null : primaryKey,
        null,
        null,
        null,
        null);
  }

  @Test
  void aRecordKeepsItsTimestampAsEmittedAtAndItsMetaChanges() {
    TopicRecord record =
        new TopicRecord(
            "airbyte.faker.users",
            2,
            41,
            1_700_000_000_123L,
            Map.of(RecordHeaders.META, "[{\"field\":\"name\",\"change\":\"NULLED\"}]"),
            json("{\"id\":7}"));

    AirbyteRecordMessage message = record.toAirbyteRecord(new StreamDescriptor("users", "ns"));

    assertThat(message.stream()).isEqualTo("users");
    assertThat(message.namespace()).isEqualTo("ns");
    assertThat(message.data()).isEqualTo(json("{\"id\":7}"));
    assertThat(message.emittedAt()).isEqualTo(1_700_000_000_123L);
    assertThat(message.meta().get("changes").get(0).get("change").asText()).isEqualTo("NULLED");
    assertThat(record.partitionKey()).isEqualTo("airbyte.faker.users/2");
  }

  @Test
  void aValueThatIsNotAnObjectSaysWhereAndWhatItIs() {
    TopicRecord record = new TopicRecord("t", 0, 5, null, Map.of(), json("[1,2]"));
    assertThatThrownBy(() -> record.toAirbyteRecord(new StreamDescriptor("s", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the value of t/0@5 is not a JSON object but array");
  }

  @Test
  void theStreamComesFromTheHeaderElseTheTopicMapElseTheTopicName() {
    ConfiguredAirbyteCatalog catalog =
        new ConfiguredAirbyteCatalog(
            List.of(stream("users", null, List.of()), stream("orders", "shop", List.of())), null);
    TopicStreamRouter router =
        new TopicStreamRouter(catalog, Map.of("legacy-orders", "shop.orders"), "airbyte.faker.");

    TopicRecord withHeader =
        new TopicRecord("whatever", 0, 0, null, Map.of(RecordHeaders.STREAM, "users"), json("{}"));
    TopicRecord mapped = new TopicRecord("legacy-orders", 0, 0, null, Map.of(), json("{}"));
    TopicRecord byName = new TopicRecord("airbyte.faker.users", 0, 0, null, Map.of(), json("{}"));
    TopicRecord unknown = new TopicRecord("airbyte.faker.nope", 0, 0, null, Map.of(), json("{}"));

    assertThat(router.streamOf(withHeader)).isEqualTo(new StreamDescriptor("users", null));
    assertThat(router.streamOf(mapped)).isEqualTo(new StreamDescriptor("orders", "shop"));
    assertThat(router.find(router.streamOf(byName))).isNotNull();
    assertThat(router.find(router.streamOf(unknown))).isNull();
    assertThat(router.streamOf(unknown).name()).isEqualTo("nope");
  }

  @Test
  void theCatalogIsTheNewestVersionOfEveryStartedStreamWithDedupOnlyWithAKey() {
    StateEvent first =
        StateEvent.syncStarted(
            "s1",
            "0",
            "source-faker",
            new ConfiguredAirbyteCatalog(List.of(stream("users", null, List.of("id"))), null),
            1);
    StateEvent second =
        StateEvent.syncStarted(
            "s2",
            "0",
            "source-faker",
            new ConfiguredAirbyteCatalog(
                List.of(stream("users", null, List.of("id")), stream("events", null, List.of())),
                null),
            2);
    StateEvent checkpoint = StateEvent.checkpoint("s2", "0", 1, Map.of(), null, 3);

    ConfiguredAirbyteCatalog catalog =
        TopicCatalog.merge(List.of(first, checkpoint, second), DestinationSyncMode.APPEND_DEDUP);

    assertThat(catalog.streams())
        .extracting(s -> s.stream().name(), ConfiguredAirbyteStream::destinationSyncMode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("users", DestinationSyncMode.APPEND_DEDUP),
            org.assertj.core.groups.Tuple.tuple("events", DestinationSyncMode.APPEND));
    assertThat(TopicCatalog.parseEvent("not json".getBytes())).isNull();
  }
}
