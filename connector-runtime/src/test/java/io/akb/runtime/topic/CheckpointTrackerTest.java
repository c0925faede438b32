package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointTrackerTest {

  @Test
  void checkpointIsCompleteOnlyWhenEveryPartitionHasItsCount() {
    CheckpointTracker<String> tracker = new CheckpointTracker<>();
    tracker.await("s1", Map.of("users/0", 2L, "users/1", 1L), "cp1");

    tracker.recordApplied("s1", "users/0");
    tracker.recordApplied("s1", "users/1");
    assertThat(tracker.drainComplete()).isEmpty();

    tracker.recordApplied("s1", "users/0");
    assertThat(tracker.drainComplete()).containsExactly("cp1");
    assertThat(tracker.pending()).isEmpty();
  }

  @Test
  void recordsOfAnotherSyncDoNotCount() {
    CheckpointTracker<String> tracker = new CheckpointTracker<>();
    tracker.await("s2", Map.of("users/0", 1L), "cp");
    tracker.recordApplied("s1", "users/0", 5);
    assertThat(tracker.drainComplete()).isEmpty();
    tracker.recordApplied("s2", "users/0");
    assertThat(tracker.drainComplete()).containsExactly("cp");
  }

  @Test
  void completeEventsComeBackInTheOrderAwaited() {
    CheckpointTracker<String> tracker = new CheckpointTracker<>();
    tracker.await("a", Map.of("t/0", 1L), "a1");
    tracker.await("b", Map.of("t/0", 1L), "b1");
    tracker.await("a", Map.of("t/0", 2L), "a2");
    tracker.await("a", null, "a-no-counts");

    tracker.recordApplied("b", "t/0");
    assertThat(tracker.drainComplete()).containsExactly("b1", "a-no-counts");
    tracker.recordApplied("a", "t/0", 2);
    assertThat(tracker.drainComplete()).containsExactly("a1", "a2");
  }

  @Test
  void appliedCountsSurviveARestartThroughStoredOffsets() {
    CheckpointTracker<String> before = new CheckpointTracker<>();
    before.recordApplied("s1", "users/0", 3);
    before.recordApplied("s2", "users/0", 1);
    before.recordApplied("s1", "users/1", 4);
    Map<String, Long> stored0 = before.appliedPerSync("users/0");
    Map<String, Long> stored1 = before.appliedPerSync("users/1");
    assertThat(stored0).containsExactlyInAnyOrderEntriesOf(Map.of("s1", 3L, "s2", 1L));

    CheckpointTracker<String> after = new CheckpointTracker<>();
    after.restoreApplied("users/0", stored0);
    after.restoreApplied("users/1", stored1);
    after.await("s1", Map.of("users/0", 3L, "users/1", 5L), "cp");
    assertThat(after.drainComplete()).isEmpty();
    after.recordApplied("s1", "users/1");
    assertThat(after.drainComplete()).containsExactly("cp");
  }

  @Test
  void forgettingASyncDropsItsCountsAndPendingEvents() {
    CheckpointTracker<String> tracker = new CheckpointTracker<>();
    tracker.recordApplied("s1", "users/0", 3);
    tracker.await("s1", Map.of("users/0", 9L), "cp");
    tracker.forgetSync("s1");
    assertThat(tracker.pending()).isEmpty();
    assertThat(tracker.appliedPerSync("users/0")).isEmpty();
  }
}
