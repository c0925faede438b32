package io.akb.runtime.destination;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteStateMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest state of each stream (or the newest GLOBAL or LEGACY state): exactly what a source's
 * {@code --state} argument needs to resume where a destination's confirmed data ends. Thread-safe.
 */
public final class LatestStates {
  private static final String GLOBAL_KEY = "\u0000global";

  private final Map<String, AirbyteStateMessage> byStream = new LinkedHashMap<>();

  /** Keeps {@code state} as the newest for its stream (or as the one GLOBAL/LEGACY state). */
  public synchronized void apply(AirbyteStateMessage state) {
    String key =
        switch (state.effectiveType()) {
          case STREAM ->
              state.stream() == null || state.stream().streamDescriptor() == null
                  ? GLOBAL_KEY
                  : state.stream().streamDescriptor().qualifiedName();
          case GLOBAL, LEGACY -> GLOBAL_KEY;
        };
    if (key.equals(GLOBAL_KEY)) {
      // A GLOBAL or LEGACY state covers every stream: older per-stream states are superseded.
      byStream.clear();
    }
    byStream.put(key, state);
  }

  /** Applies each state in order. */
  public void applyAll(List<AirbyteStateMessage> states) {
    states.forEach(this::apply);
  }

  public synchronized boolean isEmpty() {
    return byStream.isEmpty();
  }

  /** The states, oldest stream first. */
  public synchronized List<AirbyteStateMessage> states() {
    return List.copyOf(byStream.values());
  }

  /** The JSON array a source's {@code --state} argument takes, or null when there is no state. */
  public synchronized ArrayNode toStateArgument() {
    if (byStream.isEmpty()) {
      return null;
    }
    ArrayNode array = AirbyteJson.MAPPER.createArrayNode();
    byStream.values().forEach(state -> array.add(AirbyteJson.MAPPER.valueToTree(state)));
    return array;
  }
}
