package io.akb.bridge.replay;

import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sync a target has seen start on a state topic: which source it belongs to and the catalog its
 * records follow. Records carry only the sync id and stream name; this resolves them.
 */
final class ActiveSync {
  private final String syncId;
  private final String sourceName;
  private final Map<String, ConfiguredAirbyteStream> streams = new HashMap<>();

  ActiveSync(String syncId, String sourceName, List<ConfiguredAirbyteStream> catalog) {
    this.syncId = syncId;
    this.sourceName = sourceName;
    for (ConfiguredAirbyteStream stream : catalog) {
      streams.put(key(stream.stream().descriptor()), stream);
    }
  }

  String syncId() {
    return syncId;
  }

  String sourceName() {
    return sourceName;
  }

  /** The stream named by a record's headers, or null when the catalog does not have it. */
  ConfiguredAirbyteStream stream(String name, String namespace) {
    ConfiguredAirbyteStream stream = streams.get(key(new StreamDescriptor(name, namespace)));
    // A connector may leave the namespace out of either the catalog or the record.
    return stream != null ? stream : streams.get(key(new StreamDescriptor(name, null)));
  }

  java.util.Collection<ConfiguredAirbyteStream> streams() {
    return streams.values();
  }

  private static String key(StreamDescriptor descriptor) {
    return descriptor.qualifiedName();
  }
}
