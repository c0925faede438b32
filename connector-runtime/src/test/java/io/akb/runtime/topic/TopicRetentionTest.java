package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicRetentionTest {

  @Test
  void byDefaultCreatedTopicsKeepEveryRecordForever() {
    assertThat(TopicRetention.FOREVER.recordTopicConfigs(true))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete"));
    assertThat(TopicRetention.FOREVER.stateTopicConfigs())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete"));
  }

  @Test
  void compactionAppliesOnlyToKeyedStreamsTopicsNeverToTheStateTopic() {
    TopicRetention compact = new TopicRetention(-1, -1, "compact,delete");
    assertThat(compact.recordTopicConfigs(true)).containsEntry("cleanup.policy", "compact,delete");
    assertThat(compact.recordTopicConfigs(false)).containsEntry("cleanup.policy", "delete");
    assertThat(compact.stateTopicConfigs()).containsEntry("cleanup.policy", "delete");
  }

  @Test
  void anExistingTopicIsFlaggedWhenItsRetentionIsShorterThanWanted() {
    Map<String, String> sevenDays =
        Map.of("retention.ms", "604800000", "retention.bytes", "-1", "cleanup.policy", "delete");
    assertThat(TopicRetention.FOREVER.shorterThanWanted(sevenDays))
        .containsExactlyEntriesOf(Map.of("retention.ms", "604800000"));
    assertThat(TopicRetention.FOREVER.shorterThanWanted(Map.of("retention.bytes", "1073741824")))
        .containsExactlyEntriesOf(Map.of("retention.bytes", "1073741824"));
    assertThat(TopicRetention.FOREVER.shorterThanWanted(Map.of("retention.ms", "-1"))).isEmpty();
    // A user who asked for 7 days gets no warning for a topic keeping 7 days or more.
    TopicRetention week = new TopicRetention(604_800_000L, -1, "delete");
    assertThat(week.shorterThanWanted(sevenDays)).isEmpty();
    assertThat(week.shorterThanWanted(Map.of("retention.ms", "86400000")))
        .containsEntry("retention.ms", "86400000");
  }

  @Test
  void anUnknownCleanupPolicyIsRejectedNamingTheAllowedOnes() {
    assertThatThrownBy(() -> new TopicRetention(-1, -1, "sideways"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'sideways'")
        .hasMessageContaining("[delete, compact]");
  }
}
