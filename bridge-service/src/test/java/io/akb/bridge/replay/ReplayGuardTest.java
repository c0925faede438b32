package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  @Test
  void withoutAResetNoRecordNeedsTheGuardedWrite() {
    ReplayGuard guard = new ReplayGuard();
    assertThat(guard.mayRepeat("t/0", 0)).isFalse();
    assertThat(guard.store("t/0", 10, Map.of("s1", 10L))).isEqualTo(Map.of("s1", 10L));
  }

  @Test
  void afterAResetRecordsBelowTheOldPositionMayRepeatUntilThePartitionPassesIt() {
    ReplayGuard guard = new ReplayGuard();
    guard.reset(Map.of("t/0", 100L));
    assertThat(guard.mayRepeat("t/0", 0)).isTrue();
    assertThat(guard.mayRepeat("t/0", 99)).isTrue();
    assertThat(guard.mayRepeat("t/0", 100)).isFalse();
    assertThat(guard.mayRepeat("t/1", 0)).isFalse();

    assertThat(guard.store("t/0", 50, Map.of("s1", 50L)))
        .isEqualTo(Map.of("s1", 50L, ReplayGuard.KEY, 100L));
    assertThat(guard.store("t/0", 100, Map.of("s1", 100L))).isEqualTo(Map.of("s1", 100L));
    assertThat(guard.mayRepeat("t/0", 99)).isFalse();
  }

  @Test
  void theGuardSurvivesARestartThroughTheStoredCounts() {
    ReplayGuard before = new ReplayGuard();
    before.reset(Map.of("t/0", 100L));
    Map<String, Long> stored = before.store("t/0", 30, Map.of("s1", 30L));

    ReplayGuard after = new ReplayGuard();
    assertThat(after.restore("t/0", stored)).isEqualTo(Map.of("s1", 30L));
    assertThat(after.mayRepeat("t/0", 30)).isTrue();
    assertThat(after.mayRepeat("t/0", 100)).isFalse();
  }
}
