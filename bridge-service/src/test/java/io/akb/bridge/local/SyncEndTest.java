package io.akb.bridge.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.local.SyncEnd.Next;
import io.akb.runtime.topic.StateEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How {@code akb sync} ends after its {@code SYNC_COMPLETED}. The case that matters most: a failed
 * sync whose last records the cache has applied is a failure, never a finished sync. {@code
 * SilentSourceIT} once printed "Synced" and exited 0 for a connector that sent a TRACE ERROR and
 * exited 1, under load: the loop asked the cache twice in one tick, saw it behind (so the failure
 * was not reported yet) and then, a moment later, through the event, which it took for success.
 */
class SyncEndTest {
  private static final Duration RECORDS_WAIT = Duration.ofSeconds(60);
  private static final Duration FAILED_WAIT = Duration.ofSeconds(60);
  private static final Duration SOON = Duration.ofSeconds(1);
  private static final Duration LATE = Duration.ofSeconds(61);

  private final SyncEnd end = new SyncEnd(RECORDS_WAIT, FAILED_WAIT);

  @Test
  void aFailedSyncIsNeverDoneWhateverTheCacheAndKafkaSay() {
    for (String status : new String[] {StateEvent.SYNC_FAILED, null, "SOMETHING_ELSE"}) {
      for (boolean inKafka : new boolean[] {true, false}) {
        for (boolean applied : new boolean[] {true, false}) {
          for (Duration waited : new Duration[] {Duration.ZERO, SOON, LATE}) {
            assertThat(end.next(status, inKafka, applied, waited))
                .as(
                    "status %s, in Kafka %s, applied %s, after %s",
                    status, inKafka, applied, waited)
                .isIn(Next.WAIT, Next.FAILED, Next.FAILED_CACHE_BEHIND);
          }
        }
      }
    }
  }

  @Test
  void aFailedSyncEndsOnceTheCacheHasEverythingOrTheWaitIsOver() {
    assertThat(end.next(StateEvent.SYNC_FAILED, true, true, SOON)).isEqualTo(Next.FAILED);
    // The cache applied the event, but Kafka does not show every counted record yet: wait.
    assertThat(end.next(StateEvent.SYNC_FAILED, false, true, SOON)).isEqualTo(Next.WAIT);
    assertThat(end.next(StateEvent.SYNC_FAILED, true, false, SOON)).isEqualTo(Next.WAIT);
    assertThat(end.next(StateEvent.SYNC_FAILED, true, false, LATE))
        .isEqualTo(Next.FAILED_CACHE_BEHIND);
    assertThat(end.next(StateEvent.SYNC_FAILED, false, true, LATE))
        .isEqualTo(Next.FAILED_CACHE_BEHIND);
  }

  @Test
  void aSucceededSyncStopsTheConnectorOnceItsRecordsAreInKafkaAndIsDoneOnceCached() {
    assertThat(end.next(StateEvent.SYNC_SUCCEEDED, false, false, SOON)).isEqualTo(Next.WAIT);
    assertThat(end.next(StateEvent.SYNC_SUCCEEDED, true, false, SOON))
        .isEqualTo(Next.STOP_CONNECTOR);
    assertThat(end.next(StateEvent.SYNC_SUCCEEDED, true, true, SOON)).isEqualTo(Next.DONE);
    assertThat(end.next(StateEvent.SYNC_SUCCEEDED, false, false, LATE))
        .isEqualTo(Next.RECORDS_MISSING);
  }
}
