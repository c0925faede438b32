package io.akb.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Where the sink finds the writer schemas of Avro values, and with which brokers. */
class AirbyteSinkConfigTest {
  static AirbyteSinkConfig config(String... pairs) {
    Map<String, String> props = new HashMap<>();
    props.put("airbyte.connector.name", "destination-test");
    for (int i = 0; i < pairs.length; i += 2) {
      props.put(pairs[i], pairs[i + 1]);
    }
    return new AirbyteSinkConfig(props);
  }

  @Test
  void theSchemasTopicIsTheOptionElseTheStateTopicsElseTheTopicPrefixs() {
    assertThat(
            config("schemas.topic", "mine", "state.topic", "a._state", "topic.prefix", "b.")
                .schemasTopic())
        .isEqualTo("mine");
    assertThat(config("state.topic", "airbyte.faker._state", "topic.prefix", "b.").schemasTopic())
        .isEqualTo("airbyte.faker._schemas");
    assertThat(config("topic.prefix", "airbyte.faker.").schemasTopic())
        .isEqualTo("airbyte.faker._schemas");
    // A state topic not named as the source names it says nothing about the schemas topic.
    assertThat(config("state.topic", "states", "topic.prefix", "p.").schemasTopic())
        .isEqualTo("p._schemas");
    assertThat(config("state.topic", "states").schemasTopic()).isNull();
    assertThat(config().schemasTopic()).isNull();
  }

  @Test
  void aSchemasTopicThatIsNoTopicNameIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> config("schemas.topic", "my schemas"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schemas.topic")
        .hasMessageContaining("is not a topic name");
    assertThat(AirbyteSinkConfig.CONFIG_DEF.configKeys().get("schemas.topic").documentation)
        .contains("<prefix>_schemas")
        .contains("ByteArrayConverter");
  }

  @Test
  void theSchemasTopicIsReadFromTheSinksBrokersOrNoneAreKnown() {
    assertThat(config("bootstrap.servers", "k:9092").schemasConsumerProperties())
        .containsEntry("bootstrap.servers", "k:9092");
    assertThat(
            config(
                    "consumer.override.bootstrap.servers",
                    "o:9092",
                    "consumer.override.security.protocol",
                    "SSL")
                .schemasConsumerProperties())
        .containsEntry("bootstrap.servers", "o:9092")
        .containsEntry("security.protocol", "SSL");
    assertThat(config().schemasConsumerProperties()).isNull();
  }
}
