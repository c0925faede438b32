package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/**
 * Every option's problems are found when the connector validates, before any connector runs, with a
 * message naming the option and what it allows.
 */
class AirbyteSourceConfigTest {

  private static Map<String, String> config(String... pairs) {
    Map<String, String> config = new HashMap<>();
    config.put("airbyte.connector.name", "source-nothing-installed");
    config.put("airbyte.executor", "local");
    config.put("airbyte.local.executable", "/nonexistent/source");
    config.put("bootstrap.servers", "127.0.0.1:9");
    for (int i = 0; i < pairs.length; i += 2) {
      config.put(pairs[i], pairs[i + 1]);
    }
    return config;
  }

  /** The error messages of the connector's validation, by option. */
  private static Map<String, List<String>> errors(Map<String, String> config) {
    return new AirbyteSourceConnector()
        .validate(config).configValues().stream()
            .filter(v -> !v.errorMessages().isEmpty())
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void anUnknownSyncModeFailsValidationNamingTheOptionAndTheAllowedModes() {
    Map<String, List<String>> errors = errors(config("sync.modes", "users=sideways"));
    assertThat(errors).containsOnlyKeys("sync.modes");
    assertThat(errors.get("sync.modes"))
        .singleElement()
        .asString()
        .contains("users=sideways")
        .contains("sync.modes")
        .contains("the sync mode of stream 'users' is 'sideways'")
        .contains("incremental, full_refresh");
  }

  @Test
  void perStreamEntriesWithoutAValueFailValidation() {
    assertThat(errors(config("cursor.fields", "users")).get("cursor.fields"))
        .singleElement()
        .asString()
        .contains("each entry is stream=<cursor field>");
    assertThat(errors(config("primary.keys", "=id")).get("primary.keys"))
        .singleElement()
        .asString()
        .contains("each entry is stream=<primary key>");
  }

  @Test
  void topicOptionsAreCheckedWithTheirAllowedValues() {
    Map<String, List<String>> errors =
        errors(
            config(
                "topic.cleanup.policy", "sideways",
                "topic.retention.ms", "-2",
                "topic.replication.factor", "0"));
    assertThat(errors)
        .containsOnlyKeys("topic.cleanup.policy", "topic.retention.ms", "topic.replication.factor");
    assertThat(errors.get("topic.cleanup.policy").get(0))
        .contains("must be one of: delete, compact");
    assertThat(errors.get("topic.retention.ms").get(0)).contains("at least -1");
    assertThat(errors.get("topic.replication.factor").get(0))
        .contains("-1 (the broker's default) or 1+");
  }

  @Test
  void missingBrokersFailValidationOnBootstrapServers() {
    Map<String, String> config = config();
    config.remove("bootstrap.servers");
    assertThat(errors(config).get("bootstrap.servers"))
        .singleElement()
        .asString()
        .contains("set bootstrap.servers (or admin.override.bootstrap.servers)");
  }

  @Test
  void validOptionsParseAsWritten() {
    AirbyteSourceConfig config =
        new AirbyteSourceConfig(
            config(
                "sync.modes", "users=incremental, app.events=FULL_REFRESH",
                "topic.cleanup.policy", "compact,delete",
                "topic.retention.ms", "604800000"));
    assertThat(config.syncModes()).hasSize(2);
    assertThat(config.topicRetention().cleanupPolicy()).isEqualTo("compact,delete");
    assertThat(config.topicRetention().retentionMs()).isEqualTo(604_800_000L);
    assertThat(config.topicRetention().retentionBytes()).isEqualTo(-1);
    assertThat(config.resumeSchedule()).isTrue();
  }
}
