package io.akb.bridge.health;

import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.BridgeTargets;
import io.akb.bridge.replay.RecordGap;
import io.akb.bridge.replay.TargetStatus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * One liveness and one readiness check per target, at {@code /q/health/live} and {@code
 * /q/health/ready}, named {@code target-<name>}. Live: the target's thread has not stopped (a
 * failing target retries by itself, so it stays live). Ready: the target's cache (or destination)
 * and consumer are open (running or paused), or a destination target waits for its sources' first
 * sync; not starting or failed. A target FAILED on records gone from Kafka stays not ready until it
 * is reset, and its check's data has {@code gaps}: what is gone, where. Registered once the targets
 * exist, since their number comes from configuration.
 */
@ApplicationScoped
public class TargetHealthChecks {
  private final HealthRegistry liveness;
  private final HealthRegistry readiness;
  private final BridgeTargets targets;

  TargetHealthChecks(
      @Liveness HealthRegistry liveness,
      @Readiness HealthRegistry readiness,
      BridgeTargets targets) {
    this.liveness = liveness;
    this.readiness = readiness;
    this.targets = targets;
  }

  // After BridgeTargets has built the targets (its observer has the default priority).
  void register(
      @Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000)
          StartupEvent event) {
    for (BridgeTarget target : targets.all().values()) {
      String name = "target-" + target.settings().name();
      liveness.register(name, () -> response(target.status(), true));
      readiness.register(name, () -> response(target.status(), false));
    }
  }

  private static HealthCheckResponse response(TargetStatus status, boolean live) {
    boolean up =
        live
            ? status.phase() != BridgeTarget.Phase.STOPPED
            : status.phase() == BridgeTarget.Phase.RUNNING
                || status.phase() == BridgeTarget.Phase.PAUSED
                || status.phase() == BridgeTarget.Phase.WAITING;
    HealthCheckResponseBuilder builder =
        HealthCheckResponse.named("target-" + status.name())
            .status(up)
            .withData("phase", status.phase().name())
            .withData("lag", status.lag());
    if (status.lastError() != null) {
      builder.withData("error", status.lastError());
    }
    if (!status.gaps().isEmpty()) {
      builder.withData(
          "gaps", String.join("; ", status.gaps().stream().map(RecordGap::describe).toList()));
    }
    return builder.build();
  }
}
