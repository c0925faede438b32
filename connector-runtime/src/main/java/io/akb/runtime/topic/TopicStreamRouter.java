package io.akb.runtime.topic;

import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the catalog stream of a topic record: by its {@code airbyte.stream} (and {@code
 * airbyte.namespace}) header, as the source connector writes them; else by an explicit topic to
 * stream map; else by the topic name without the topic prefix.
 */
public final class TopicStreamRouter {
  private final Map<String, ConfiguredAirbyteStream> byQualifiedName = new HashMap<>();
  private final Map<String, String> topicStreams;
  private final String topicPrefix;

  /**
   * @param catalog the streams records may belong to
   * @param topicStreams topic to qualified stream name, for topics written without headers
   * @param topicPrefix removed from a topic's name to get its stream's; may be null
   */
  public TopicStreamRouter(
      ConfiguredAirbyteCatalog catalog, Map<String, String> topicStreams, String topicPrefix) {
    for (ConfiguredAirbyteStream stream : catalog.streams()) {
      byQualifiedName.put(stream.stream().descriptor().qualifiedName(), stream);
    }
    this.topicStreams = Map.copyOf(topicStreams);
    this.topicPrefix = topicPrefix == null ? "" : topicPrefix;
  }

  /** The stream a record names, whether or not the catalog has it. */
  public StreamDescriptor streamOf(TopicRecord record) {
    String name = record.header(RecordHeaders.STREAM);
    if (name != null) {
      return new StreamDescriptor(name, record.header(RecordHeaders.NAMESPACE));
    }
    String mapped = topicStreams.get(record.topic());
    String qualified =
        mapped != null
            ? mapped
            : record.topic().startsWith(topicPrefix)
                ? record.topic().substring(topicPrefix.length())
                : record.topic();
    ConfiguredAirbyteStream known = byQualifiedName.get(qualified);
    return known != null ? known.stream().descriptor() : new StreamDescriptor(qualified, null);
  }

  /** The catalog's stream for a descriptor, or null when the catalog lacks it. */
  public ConfiguredAirbyteStream find(StreamDescriptor stream) {
    return byQualifiedName.get(stream.qualifiedName());
  }

  /** Qualified names of the catalog's streams, for messages. */
  public java.util.List<String> streamNames() {
    return byQualifiedName.keySet().stream().sorted().toList();
  }
}
