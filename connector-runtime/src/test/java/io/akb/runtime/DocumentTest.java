package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentTest {
  @Test
  void rendersTitleContentAndMetadataAsText() throws Exception {
    AirbyteRecordMessage record =
        new AirbyteRecordMessage(
            null,
            "issues",
            AirbyteJson.parse(
                "{\"id\":42,\"title\":\"Crash on start\",\"body\":\"It crashes.\",\"state\":\"open\",\"labels\":[\"bug\"]}"),
            1_700_000_000_000L);

    Document document =
        Document.fromRecord(
            record, List.of(List.of("id")), "title", List.of("body", "labels"), List.of("state"));

    assertThat(document.id()).isEqualTo("42");
    assertThat(document.content())
        .isEqualTo(
            "---\nstate: open\n---\n# Crash on start\n\n## Body\n\nIt crashes.\n\n## Labels\n\n[\"bug\"]\n");
    assertThat(document.metadata()).containsOnlyKeys("state");
    assertThat(document.lastModified().toEpochMilli()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void withoutPropertiesEveryFieldIsContent() throws Exception {
    AirbyteRecordMessage record =
        new AirbyteRecordMessage(null, "s", AirbyteJson.parse("{\"first_name\":\"Ada\"}"), 1L);

    Document document = Document.fromRecord(record, List.of(), null, null, null);

    assertThat(document.content()).isEqualTo("## First Name\n\nAda\n");
    assertThat(document.id()).hasSize(36); // a random UUID: no primary key
  }
}
