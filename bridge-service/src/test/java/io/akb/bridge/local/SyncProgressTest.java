package io.akb.bridge.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.topic.StateEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncProgressTest {
  private static final String PREFIX = "airbyte.source-faker.";

  static StateEvent event(String json) throws Exception {
    return AirbyteJson.MAPPER.readValue(json.replace('\'', '"'), StateEvent.class);
  }

  static StateEvent started(String syncId) throws Exception {
    return event(
        "{'type':'SYNC_STARTED','sync_id':'"
            + syncId
            + "','task':'0','catalog':{'streams':["
            + "{'stream':{'name':'users','json_schema':{}},'sync_mode':'incremental'},"
            + "{'stream':{'name':'products','json_schema':{}},'sync_mode':'full_refresh'}]}}");
  }

  @Test
  void theFirstSyncStartedNamesTheStreamsAndTheirTopics() throws Exception {
    SyncProgress progress = new SyncProgress(PREFIX);

    progress.apply(started("s1"));

    assertThat(progress.syncId()).isEqualTo("s1");
    assertThat(progress.phase()).isEqualTo(SyncProgress.Phase.READING);
    assertThat(progress.topics())
        .containsExactly("airbyte.source-faker.users", "airbyte.source-faker.products");
  }

  @Test
  void streamCheckpointsCountForTheirStreamAndGlobalOnesForAll() throws Exception {
    SyncProgress progress = new SyncProgress(PREFIX);
    progress.apply(started("s1"));

    progress.apply(
        event(
            "{'type':'CHECKPOINT','sync_id':'s1','task':'0','seq':1,'state':{'type':'STREAM',"
                + "'stream':{'stream_descriptor':{'name':'users'},'stream_state':{'id':10}}}}"));
    progress.apply(
        event(
            "{'type':'CHECKPOINT','sync_id':'s1','task':'0','seq':2,'state':{'type':'GLOBAL',"
                + "'global':{'shared_state':{},'stream_states':[]}}}"));
    // Another sync's events (an earlier run's, say) are not this one's.
    progress.apply(
        event(
            "{'type':'CHECKPOINT','sync_id':'other','task':'0','seq':1,'state':{'type':'STREAM',"
                + "'stream':{'stream_descriptor':{'name':'users'},'stream_state':{}}}}"));

    assertThat(progress.streams())
        .extracting(SyncProgress.StreamProgress::name, SyncProgress.StreamProgress::checkpoints)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("users", 2),
            org.assertj.core.groups.Tuple.tuple("products", 1));
  }

  @Test
  void sampledCountsGiveWayToTheExactCountsOfSyncCompleted() throws Exception {
    SyncProgress progress = new SyncProgress(PREFIX);
    progress.apply(started("s1"));
    progress.sampleRecords(Map.of("airbyte.source-faker.users", 1500L));

    progress.apply(
        event(
            "{'type':'SYNC_COMPLETED','sync_id':'s1','task':'0','status':'SUCCEEDED','counts':{"
                + "'airbyte.source-faker.users/0':1200,'airbyte.source-faker.users/1':800,"
                + "'airbyte.source-faker.products/0':100}}"));

    assertThat(progress.syncStatus()).isEqualTo(StateEvent.SYNC_SUCCEEDED);
    assertThat(progress.streams())
        .extracting(SyncProgress.StreamProgress::records)
        .containsExactly(2000L, 100L);
    assertThat(progress.totalRecords()).isEqualTo(2100);
  }

  @Test
  void aSilentSourceIsNamedWithHowLongAndItsIdleTimeout() throws Exception {
    SyncProgress progress = new SyncProgress(PREFIX, "source-x", java.time.Duration.ofMinutes(10));
    long now = System.nanoTime();
    assertThat(progress.waiting(now + 60_000_000_000L)).as("not reading yet").isNull();

    progress.apply(started("s1"));
    progress.sampleRecords(java.util.Map.of(PREFIX + "users", 500L));
    long sampled = System.nanoTime();
    assertThat(progress.waiting(sampled + 1_000_000_000L)).as("silent for a second").isNull();
    assertThat(progress.waiting(sampled + 45_500_000_000L))
        .isEqualTo(
            "waiting for source-x: no records or checkpoints for 45 s (stopped after 10 min"
                + " without output; see --idle-timeout)");

    SyncProgress forever = new SyncProgress(PREFIX, "source-x", java.time.Duration.ZERO);
    forever.apply(started("s1"));
    assertThat(forever.waiting(System.nanoTime() + 11_000_000_000L))
        .endsWith("for 11 s (no idle timeout: it may wait forever; see --idle-timeout)");
  }

  @Test
  void aShortIdleTimeoutIsNamedSoonerThanTheUsualTenSeconds() {
    assertThat(SyncProgress.silenceShownAfter(java.time.Duration.ofMinutes(10)))
        .isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(SyncProgress.silenceShownAfter(java.time.Duration.ofSeconds(8)))
        .isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(SyncProgress.silenceShownAfter(java.time.Duration.ZERO))
        .isEqualTo(java.time.Duration.ofSeconds(10));
  }
}
