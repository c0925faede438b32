package io.akb.bridge.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.bridge.replay.BridgeTarget;
import io.akb.bridge.replay.BridgeTargets;
import io.akb.bridge.replay.TargetStatus;
import io.akb.runtime.AkbException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The bridge's admin API: targets with their progress, a peek at a stream's rows, and pause, resume
 * and reset. Requires {@code Authorization: Bearer <akb.admin.token>} when a token is set ({@link
 * AdminTokenFilter}).
 */
@Path("/targets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "targets", description = "Targets the bridge keeps up to date")
public class TargetResource {
  /** Most rows one peek returns. */
  static final int MAX_PEEK = 1000;

  private final BridgeTargets targets;

  TargetResource(BridgeTargets targets) {
    this.targets = targets;
  }

  @GET
  @Operation(summary = "Every target with its phase, lag, records and last checkpoint per stream")
  public List<TargetStatus> list() {
    return targets.all().values().stream().map(BridgeTarget::status).toList();
  }

  @GET
  @Path("/{target}")
  @Operation(summary = "One target's phase, lag, records and last checkpoint per stream")
  public TargetStatus get(@PathParam("target") String target) {
    return targets.get(target).status();
  }

  /** A stream's table as the cache has it: row count and the first {@code limit} rows. */
  public record StreamRows(String stream, long count, List<JsonNode> rows) {}

  @GET
  @Path("/{target}/streams")
  @Operation(summary = "The streams that have a table in the target's cache")
  public List<String> streams(@PathParam("target") String target) {
    return await(targets.cacheTarget(target).query(cache -> cache.streams()), "listing streams");
  }

  @GET
  @Path("/{target}/streams/{stream}/rows")
  @Operation(summary = "Peek at a stream's rows in the target's cache (at most 1000)")
  public StreamRows rows(
      @PathParam("target") String target,
      @PathParam("stream") String stream,
      @QueryParam("limit") @DefaultValue("20") int limit) {
    int bounded = Math.max(0, Math.min(limit, MAX_PEEK));
    return await(
        targets
            .cacheTarget(target)
            .query(
                cache -> {
                  if (!cache.streams().contains(stream)) {
                    throw new AkbException(
                        "peeking at stream '" + stream + "'",
                        "the cache of target '" + target + "' has no such stream",
                        "GET /targets/" + target + "/streams lists the streams it has.");
                  }
                  try (Stream<JsonNode> rows = cache.rows(stream)) {
                    return new StreamRows(
                        stream, cache.count(stream), rows.limit(bounded).toList());
                  }
                }),
        "peeking at stream '" + stream + "'");
  }

  @POST
  @Path("/{target}/pause")
  @Operation(summary = "Stop reading; the current batch is written first")
  public TargetStatus pause(@PathParam("target") String target) {
    BridgeTarget replicator = targets.get(target);
    replicator.pause();
    return replicator.status();
  }

  @POST
  @Path("/{target}/resume")
  @Operation(summary = "Read again after a pause")
  public TargetStatus resume(@PathParam("target") String target) {
    BridgeTarget replicator = targets.get(target);
    replicator.resume();
    return replicator.status();
  }

  @POST
  @Path("/{target}/reset")
  @Operation(
      summary =
          "Forget the stored offsets and replay from the earliest retained offset (a cache's"
              + " rows stay and no record is written twice; a destination gets every record again)")
  public TargetStatus reset(@PathParam("target") String target) {
    BridgeTarget replicator = targets.get(target);
    await(replicator.reset(), "resetting target '" + target + "'");
    return replicator.status();
  }

  private static <T> T await(Future<T> result, String what) {
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AkbException akb) {
        throw akb;
      }
      throw new AkbException(what, String.valueOf(e.getCause()), null, e.getCause());
    } catch (TimeoutException e) {
      throw new AkbException(what, "the target did not answer within 30 s", "Retry later.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException(what, "interrupted", null);
    }
  }
}
