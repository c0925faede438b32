package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.topic.CheckpointTracker;
import io.akb.runtime.topic.StateEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LostCheckpointsTest {
  private static final Function<StateEvent, StateEvent> SAME = event -> event;

  private static StateEvent checkpoint(String syncId, long seq, long count) {
    return StateEvent.checkpoint(syncId, "t-0", seq, Map.of("u/0", count), null, 0);
  }

  private static StateEvent end(String syncId, long count) {
    return StateEvent.syncCompleted(
        syncId, "t-0", StateEvent.SYNC_SUCCEEDED, null, Map.of("u/0", count), 0);
  }

  @Test
  void withoutAGapOrAnAbandonedSyncNothingIsEverOver() {
    LostCheckpoints<StateEvent> lost = new LostCheckpoints<>();
    assertThat(lost.overSyncs(List.of(checkpoint("s1", 1, 10), end("s1", 10)), SAME)).isEmpty();
  }

  @Test
  void anAbandonedSyncIsOverWhetherOrNotItsEventsWait() {
    LostCheckpoints<StateEvent> lost = new LostCheckpoints<>();
    StateEvent newer = StateEvent.syncStarted("s2", "t-0", "src", null, 0);
    StateEvent abandonedEnd = LostCheckpoints.abandonedEnd("s1", newer);
    lost.abandoned("s1", abandonedEnd);
    assertThat(lost.overSyncs(List.of(), SAME)).isEqualTo(Set.of("s1"));
    assertThat(abandonedEnd.status()).isEqualTo(StateEvent.SYNC_FAILED);
    assertThat(abandonedEnd.error()).isEqualTo("abandoned: task t-0 started sync s2");
    assertThat(lost.settledEnd("s1")).isSameAs(abandonedEnd);
    assertThat(lost.overSyncs(List.of(), SAME)).isEmpty();
  }

  @Test
  void afterASkippedGapOnlySyncsWhoseEndWasReadAreOver() {
    LostCheckpoints<StateEvent> lost = new LostCheckpoints<>();
    lost.gapSkipped();
    List<StateEvent> pending =
        List.of(checkpoint("running", 1, 5), checkpoint("done", 1, 5), end("done", 9));
    assertThat(lost.overSyncs(pending, SAME)).isEqualTo(Set.of("done"));
    lost.clear();
    assertThat(lost.overSyncs(pending, SAME)).isEmpty();
  }

  @Test
  void theWaitingCheckpointsAreNamedWithWhatTheyLack() {
    CheckpointTracker<StateEvent> tracker = new CheckpointTracker<>();
    tracker.recordApplied("s1", "u/0", 4);
    List<StateEvent> pending = List.of(checkpoint("s1", 2, 10), checkpoint("s1", 1, 4));
    assertThat(LostCheckpoints.waitingOn(pending, SAME, tracker, Set.of("u/0")))
        .containsExactly("CHECKPOINT 2 of sync s1 (needs 6 more from u/0)");
    assertThat(LostCheckpoints.waitingOn(pending, SAME, tracker, Set.of("v/0"))).isEmpty();
  }
}
