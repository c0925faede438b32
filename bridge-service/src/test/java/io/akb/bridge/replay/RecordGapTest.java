package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RecordGapTest {
  private static final TopicPartition USERS = new TopicPartition("airbyte.faker.users", 2);

  @Test
  void aPositionInsideTheRetainedOffsetsIsNoGap() {
    assertThat(RecordGap.find(USERS, 0, 0, 0)).isEmpty();
    assertThat(RecordGap.find(USERS, 40, 40, 100)).isEmpty();
    assertThat(RecordGap.find(USERS, 100, 40, 100)).isEmpty();
  }

  @Test
  void aPositionBeforeTheFirstRetainedOffsetCountsTheRecordsGone() {
    RecordGap gap = RecordGap.find(USERS, 10, 40, 100).orElseThrow();
    assertThat(gap.records()).isEqualTo(30);
    assertThat(gap.resumeAt()).isEqualTo(40);
    assertThat(gap.recreated()).isFalse();
    assertThat(gap.describe())
        .isEqualTo(
            "airbyte.faker.users/2: 30 records (offsets 10..39) are gone, deleted by retention or"
                + " delete-records before this target read them");
  }

  @Test
  void aPositionAfterTheEndMeansTheTopicWasRecreated() {
    RecordGap gap = RecordGap.find(USERS, 500, 0, 20).orElseThrow();
    assertThat(gap.recreated()).isTrue();
    assertThat(gap.records()).isEqualTo(-1);
    assertThat(gap.resumeAt()).isZero();
    assertThat(gap.describe())
        .startsWith("airbyte.faker.users/2 ends before offset 500")
        .contains("deleted and recreated");
  }

  @Test
  void theFailureNamesTheGapTheWaitingCheckpointsAndWhatToDo() {
    RecordGap gap = RecordGap.find(USERS, 0, 1, 5).orElseThrow();
    String message =
        RecordGap.failure("duck", List.of(gap), List.of("CHECKPOINT 3 of sync s1")).getMessage();
    assertThat(message)
        .contains("airbyte.faker.users/2: 1 record (offsets 0..0) are gone")
        .contains("can never complete): CHECKPOINT 3 of sync s1")
        .contains("POST /targets/duck/reset")
        .contains("akb.targets.duck.on-gap=skip");
  }

  @Test
  void thePolicyParsesFromItsOptionValue() {
    assertThat(RecordGap.GapPolicy.fromProperty("Skip")).isEqualTo(RecordGap.GapPolicy.SKIP);
    assertThat(RecordGap.GapPolicy.fromProperty("fail")).isEqualTo(RecordGap.GapPolicy.FAIL);
    assertThatThrownBy(() -> RecordGap.GapPolicy.fromProperty("ignore"))
        .hasMessageContaining("'ignore' is not a gap policy")
        .hasMessageContaining("Use fail (the default) or skip.");
  }
}
