package io.akb.bridge.metrics;

import io.akb.bridge.replay.BridgeStateStore;
import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.DestinationReplicator;
import io.akb.bridge.replay.TargetReplicator;
import io.akb.bridge.replay.TargetSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * A target's Micrometer meters, exported at {@code /q/metrics} in Prometheus format, tagged with
 * {@code target}: {@code akb_target_records_total} (records written, or confirmed by a destination;
 * rate() gives records/s), {@code akb_target_lag_records}, {@code akb_target_batch_seconds} (time
 * to write one batch), {@code akb_target_batch_bytes_total}, {@code
 * akb_target_checkpoints_pending}, {@code akb_target_failed} (1 while FAILED), {@code
 * akb_target_records_lost} (records found gone from Kafka before the target read them, -1 when
 * unknown) and {@code akb_target_checkpoints_dropped} (checkpoints that could never complete).
 */
@ApplicationScoped
public class TargetMetrics {
  private final MeterRegistry registry;

  TargetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Creates a target whose batches are timed, with its gauges registered: a destination target when
   * the settings name a destination (its offsets go to {@code stateStore}), else a cache target.
   */
  public BridgeTarget bind(TargetSettings settings, BridgeStateStore stateStore) {
    Tags tags = Tags.of("target", settings.name());
    Timer batchTime =
        Timer.builder("akb.target.batch")
            .description("Time to write one batch to the target's cache, in one transaction")
            .tags(tags)
            .register(registry);
    Counter bytes =
        Counter.builder("akb.target.batch.bytes")
            .description("Bytes of record values written")
            .baseUnit("bytes")
            .tags(tags)
            .register(registry);
    BridgeTarget.BatchObserver observer =
        (records, batchBytes, nanos) -> {
          batchTime.record(nanos, TimeUnit.NANOSECONDS);
          bytes.increment(batchBytes);
        };
    BridgeTarget target =
        settings.destination() != null
            ? new DestinationReplicator(settings, stateStore, observer)
            : new TargetReplicator(settings, observer);
    FunctionCounter.builder("akb.target.records", target, BridgeTarget::recordsApplied)
        .description("Records written to the target's cache")
        .tags(tags)
        .register(registry);
    Gauge.builder("akb.target.lag", target, BridgeTarget::lag)
        .description("Records on the target's partitions not written yet (-1 while unknown)")
        .baseUnit("records")
        .tags(tags)
        .register(registry);
    Gauge.builder("akb.target.checkpoints.pending", target, t -> t.status().checkpointsPending())
        .description("Checkpoints waiting for their records")
        .tags(tags)
        .register(registry);
    Gauge.builder(
            "akb.target.failed",
            target,
            t -> t.status().phase() == BridgeTarget.Phase.FAILED ? 1 : 0)
        .description("1 while the target is FAILED (its REST status and health say why)")
        .tags(tags)
        .register(registry);
    Gauge.builder("akb.target.records.lost", target, t -> t.status().recordsLost())
        .description(
            "Records found gone from Kafka before the target read them (-1: a recreated topic)")
        .tags(tags)
        .register(registry);
    Gauge.builder("akb.target.checkpoints.dropped", target, t -> t.status().checkpointsDropped())
        .description("Checkpoints dropped because they can never complete")
        .tags(tags)
        .register(registry);
    Gauge.builder("akb.target.count.mismatches", target, t -> t.status().countMismatches())
        .description(
            "Checkpoints whose sourceStats.recordCount differed from the records the target applied")
        .tags(tags)
        .register(registry);
    return target;
  }
}
