package io.akb.bridge.health;

import io.akb.bridge.target.BridgeTargets;
import io.akb.bridge.target.TargetReplicator;
import io.akb.bridge.target.TargetStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * One liveness and one readiness check per target, at {@code /q/health/live} and {@code
 * /q/health/ready}, named {@code target-<name>}. Live: the target's thread has not stopped (a
 * failing target retries by itself, so it stays live). Ready: the target's cache and consumer are
 * open (running or paused), not starting or failed.
 */
@ApplicationScoped
public class TargetHealthChecks {

  @Produces
  @Liveness
  List<HealthCheck> liveness(BridgeTargets targets) {
    return checks(targets, true);
  }

  @Produces
  @Readiness
  List<HealthCheck> readiness(BridgeTargets targets) {
    return checks(targets, false);
  }

  private static List<HealthCheck> checks(BridgeTargets targets, boolean liveness) {
    List<HealthCheck> checks = new ArrayList<>();
    for (TargetReplicator target : targets.all().values()) {
      checks.add(() -> response(target.status(), liveness));
    }
    return checks;
  }

  private static HealthCheckResponse response(TargetStatus status, boolean liveness) {
    boolean up =
        liveness
            ? status.phase() != TargetReplicator.Phase.STOPPED
            : status.phase() == TargetReplicator.Phase.RUNNING
                || status.phase() == TargetReplicator.Phase.PAUSED;
    HealthCheckResponseBuilder builder =
        HealthCheckResponse.named("target-" + status.name())
            .status(up)
            .withData("phase", status.phase().name())
            .withData("lag", status.lag());
    if (status.lastError() != null) {
      builder.withData("error", status.lastError());
    }
    return builder.build();
  }
}
