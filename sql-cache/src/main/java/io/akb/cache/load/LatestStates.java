package io.akb.cache.load;

import io.akb.cache.CacheTransaction;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The complete states of one transaction, the latest one per source and stream: a newer STREAM
 * state of a stream replaces its older one, and a GLOBAL or LEGACY state stands for every stream of
 * its source, so the transaction stores what the last of them says with one row each.
 */
final class LatestStates {
  private record Key(String sourceName, String stream) {}

  private final Map<Key, AirbyteStateMessage> latest = new LinkedHashMap<>();

  void add(String sourceName, AirbyteStateMessage state) {
    if (state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null) {
      Key key = new Key(sourceName, state.stream().streamDescriptor().qualifiedName());
      latest.remove(new Key(sourceName, null)); // a shared state before it is its predecessor
      latest.remove(key);
      latest.put(key, state);
    } else {
      latest.keySet().removeIf(key -> key.sourceName().equals(sourceName));
      latest.put(new Key(sourceName, null), state);
    }
  }

  /** Writes the states in the order they last changed, and forgets them. */
  void writeTo(CacheTransaction tx) {
    latest.forEach((key, state) -> tx.writeState(key.sourceName(), state));
    latest.clear();
  }
}
