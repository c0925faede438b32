package io.akb.runtime.topic;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.Map;

/**
 * One value on the state topic {@code <prefix>_state} (key = task id), written with {@link
 * io.akb.runtime.protocol.AirbyteJson#MAPPER}. Which fields are set depends on the type:
 *
 * <ul>
 *   <li>{@code SYNC_STARTED}: syncId, task, catalog (each stream's JSON schema, primary key,
 *       cursor, sync mode), sourceName
 *   <li>{@code CHECKPOINT}: syncId, task, seq, counts, state (the Airbyte STATE, verbatim)
 *   <li>{@code STREAM_STATUS}: syncId, task, stream, status ({@code COMPLETE} or {@code
 *       INCOMPLETE}), counts
 *   <li>{@code SYNC_COMPLETED}: syncId, task, status ({@code SUCCEEDED} or {@code FAILED}), error,
 *       counts
 * </ul>
 *
 * <p>{@code counts} maps {@code topic/partition} to the cumulative number of records of this sync
 * the task has sent to that partition. A checkpoint is complete for a reader once it has applied,
 * for every entry, that many records carrying the same sync id.
 */
public record StateEvent(
    @JsonProperty("type") Type type,
    @JsonProperty("sync_id") String syncId,
    @JsonProperty("task") String task,
    @JsonProperty("source_name") String sourceName,
    @JsonProperty("seq") Long seq,
    @JsonProperty("emitted_at") Long emittedAt,
    @JsonProperty("catalog") ConfiguredAirbyteCatalog catalog,
    @JsonProperty("counts") Map<String, Long> counts,
    @JsonProperty("state") AirbyteStateMessage state,
    @JsonProperty("stream") StreamDescriptor stream,
    @JsonProperty("status") String status,
    @JsonProperty("error") String error,
    @JsonAnySetter Map<String, JsonNode> unknownFields) {

  /** Event types on the state topic. */
  public enum Type {
    SYNC_STARTED,
    CHECKPOINT,
    STREAM_STATUS,
    SYNC_COMPLETED
  }

  public static final String STREAM_COMPLETE = "COMPLETE";
  public static final String STREAM_INCOMPLETE = "INCOMPLETE";
  public static final String SYNC_SUCCEEDED = "SUCCEEDED";
  public static final String SYNC_FAILED = "FAILED";

  @Override
  @JsonAnyGetter
  public Map<String, JsonNode> unknownFields() {
    return unknownFields == null ? Map.of() : unknownFields;
  }

  /** The key of a {@code counts} entry. */
  public static String countsKey(String topic, int partition) {
    return topic + "/" + partition;
  }

  public static StateEvent syncStarted(
      String syncId, String task, String sourceName, ConfiguredAirbyteCatalog catalog, long now) {
    return new StateEvent(
        Type.SYNC_STARTED,
        syncId,
        task,
        sourceName,
        null,
        now,
        catalog,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public static StateEvent checkpoint(
      String syncId,
      String task,
      long seq,
      Map<String, Long> counts,
      AirbyteStateMessage state,
      long now) {
    return new StateEvent(
        Type.CHECKPOINT,
        syncId,
        task,
        null,
        seq,
        now,
        null,
        Map.copyOf(counts),
        state,
        null,
        null,
        null,
        null);
  }

  public static StateEvent streamStatus(
      String syncId,
      String task,
      StreamDescriptor stream,
      String status,
      Map<String, Long> counts,
      long now) {
    return new StateEvent(
        Type.STREAM_STATUS,
        syncId,
        task,
        null,
        null,
        now,
        null,
        Map.copyOf(counts),
        null,
        stream,
        status,
        null,
        null);
  }

  public static StateEvent syncCompleted(
      String syncId, String task, String status, String error, Map<String, Long> counts, long now) {
    return new StateEvent(
        Type.SYNC_COMPLETED,
        syncId,
        task,
        null,
        null,
        now,
        null,
        Map.copyOf(counts),
        null,
        null,
        status,
        error,
        null);
  }
}
