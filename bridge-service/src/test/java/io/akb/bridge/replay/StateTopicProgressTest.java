package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.cache.StoredOffset;
import io.akb.runtime.topic.StateEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateTopicProgressTest {
  private static final StateEvent STARTED = StateEvent.syncStarted("s1", "0", "src", null, 0);
  private static final StateEvent CP1 = StateEvent.checkpoint("s1", "0", 1, Map.of(), null, 0);
  private static final StateEvent CP2 = StateEvent.checkpoint("s1", "0", 2, Map.of(), null, 0);
  private static final StateEvent DONE =
      StateEvent.syncCompleted("s1", "0", StateEvent.SYNC_SUCCEEDED, null, Map.of(), 0);

  @Test
  void aRestartReReadsFromTheRunningSyncAndSkipsWhatWasApplied() {
    StateTopicProgress before = new StateTopicProgress(null, 0);
    before.started(STARTED, 10);
    before.awaiting(11);
    before.awaiting(12);
    before.applied(CP1, 11);

    StoredOffset stored = before.toStored();
    // Re-read from the SYNC_STARTED: the catalog is needed for the sync's remaining records.
    assertThat(stored.nextOffset()).isEqualTo(10);

    StateTopicProgress after = new StateTopicProgress(stored, 0);
    assertThat(after.seekOffset()).isEqualTo(10);
    assertThat(after.alreadyApplied(CP1, 11)).isTrue();
    assertThat(after.alreadyApplied(CP2, 12)).as("the pending checkpoint").isFalse();
  }

  @Test
  void aPendingCheckpointOfAFinishedSyncKeepsItsOffset() {
    StateTopicProgress progress = new StateTopicProgress(null, 0);
    progress.started(STARTED, 0);
    progress.applied(DONE, 3); // a sync without records completes at once
    progress.awaiting(7);
    assertThat(progress.toStored().nextOffset()).isEqualTo(7);
  }

  @Test
  void aCompletedSyncIsForgottenOnceTheReReadPositionHasPassedIt() {
    StateTopicProgress progress = new StateTopicProgress(null, 0);
    progress.started(STARTED, 0);
    progress.awaiting(1);
    progress.applied(CP1, 1);
    progress.awaiting(2);
    progress.applied(DONE, 2);

    StoredOffset stored = progress.toStored();
    assertThat(stored.nextOffset()).isEqualTo(3);
    assertThat(stored.appliedPerSync()).isEmpty();
  }

  @Test
  void withNothingStoredItStartsAtTheBeginning() {
    assertThat(new StateTopicProgress(null, 42).seekOffset()).isEqualTo(42);
  }
}
