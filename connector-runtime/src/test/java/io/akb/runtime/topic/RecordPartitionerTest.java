package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.topic.RecordPartitioner.Key;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class RecordPartitionerTest {

  @Test
  void murmur2IsKafkasForEveryTailLength() {
    Random random = new Random(42);
    for (int length = 0; length < 300; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      assertThat(RecordPartitioner.murmur2(data))
          .as("length " + length)
          .isEqualTo(Utils.murmur2(data));
    }
    byte[] text = "[1]".getBytes(StandardCharsets.UTF_8);
    assertThat(RecordPartitioner.murmur2(text)).isEqualTo(Utils.murmur2(text));
  }

  @Test
  void aKeyedRecordGoesWhereKafkasDefaultPartitionerPutsItsValuesJson() throws Exception {
    JsonNode data = AirbyteJson.parse("{\"id\": 42, \"org\": {\"name\": \"acme\"}, \"x\": 1}");
    Key key = Key.of(List.of(List.of("id"), List.of("org", "name")), data);

    assertThat(key.toJson().toString()).isEqualTo("{\"id\":42,\"org.name\":\"acme\"}");
    byte[] hashed = "[42,\"acme\"]".getBytes(StandardCharsets.UTF_8);
    int expected = Utils.toPositive(Utils.murmur2(hashed)) % 7;
    RecordPartitioner partitioner = new RecordPartitioner();
    assertThat(partitioner.partition("t", 7, key)).isEqualTo(expected);
    assertThat(partitioner.partition("t", 7, key))
        .as("always the same partition")
        .isEqualTo(expected);
  }

  @Test
  void aMissingKeyFieldIsNull() throws Exception {
    Key key = Key.of(List.of(List.of("id")), AirbyteJson.parse("{\"name\": \"a\"}"));
    assertThat(key.toJson().toString()).isEqualTo("{\"id\":null}");
    assertThat(Key.of(List.of(), AirbyteJson.parse("{}"))).as("no primary key").isNull();
    assertThat(Key.of(null, AirbyteJson.parse("{}"))).isNull();
  }

  @Test
  void unkeyedRecordsGoRoundRobinPerTopic() {
    RecordPartitioner partitioner = new RecordPartitioner();
    List<Integer> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(partitioner.partition("a", 3, null));
    }
    assertThat(a).containsExactly(0, 1, 2, 0, 1);
    assertThat(partitioner.partition("b", 3, null)).as("its own count").isZero();
    assertThat(partitioner.partition("c", 1, null)).isZero();
  }
}
