package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleTableTest {
  private static JsonNode json(String text) throws Exception {
    return AirbyteJson.parse(text);
  }

  @Test
  void aFewFieldsAreAColumnEachAndARowPerRecord() throws Exception {
    String table =
        SampleTable.render(
            List.of(
                json("{\"id\":1,\"name\":\"Ada\",\"tags\":[\"a\",\"b\"]}"),
                json("{\"id\":22,\"name\":null}")));

    assertThat(table)
        .isEqualTo(
            """
            +----+------+-----------+
            | id | name | tags      |
            +====+======+===========+
            | 1  | Ada  | ["a","b"] |
            +----+------+-----------+
            | 22 | null |           |
            +----+------+-----------+
            """);
  }

  @Test
  void manyFieldsTurnTheTableAroundAndLongValuesWrap() throws Exception {
    StringBuilder record = new StringBuilder("{");
    for (int i = 1; i <= 11; i++) {
      record.append("\"f").append(i).append("\":").append(i).append(',');
    }
    record.append("\"long\":\"").append("x".repeat(45)).append("\"}");

    List<String> lines =
        new ArrayList<>(SampleTable.render(List.of(json(record.toString()))).lines().toList());

    assertThat(lines.get(1))
        .isEqualTo("| Column Name | Record 1                                 |");
    assertThat(lines).contains("| f1          | 1                                        |");
    assertThat(lines)
        .containsSubsequence(
            "| long        | " + "x".repeat(40) + " |",
            "|             | xxxxx" + " ".repeat(35) + " |");
  }

  @Test
  void noRecordsSaySo() {
    assertThat(SampleTable.render(List.of())).isEqualTo("(no records)\n");
  }
}
