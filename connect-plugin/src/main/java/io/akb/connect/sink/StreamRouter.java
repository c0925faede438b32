package io.akb.connect.sink;

import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.StreamDescriptor;
import io.akb.runtime.topic.RecordHeaders;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Finds the catalog stream of a Kafka record: by its {@code airbyte.stream} (and {@code
 * airbyte.namespace}) header, as the source connector writes them; else by {@code topic.streams};
 * else by the topic name without {@code topic.prefix}.
 */
final class StreamRouter {
  private final Map<String, ConfiguredAirbyteStream> byQualifiedName = new HashMap<>();
  private final Map<String, String> topicStreams;
  private final String topicPrefix;

  StreamRouter(ConfiguredAirbyteCatalog catalog, Map<String, String> topicStreams, String prefix) {
    for (ConfiguredAirbyteStream stream : catalog.streams()) {
      byQualifiedName.put(stream.stream().descriptor().qualifiedName(), stream);
    }
    this.topicStreams = Map.copyOf(topicStreams);
    this.topicPrefix = prefix == null ? "" : prefix;
  }

  /** The stream a record names, whether or not the catalog has it. */
  StreamDescriptor streamOf(SinkRecord record) {
    String name = header(record, RecordHeaders.STREAM);
    if (name != null) {
      return new StreamDescriptor(name, header(record, RecordHeaders.NAMESPACE));
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
  ConfiguredAirbyteStream find(StreamDescriptor stream) {
    return byQualifiedName.get(stream.qualifiedName());
  }

  /** A header's value as text, or null when the record does not carry it. */
  static String header(SinkRecord record, String key) {
    Header header = record.headers().lastWithName(key);
    if (header == null || header.value() == null) {
      return null;
    }
    Object value = header.value();
    String text =
        value instanceof byte[] bytes
            ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
            : value.toString();
    return text.isEmpty() ? null : text;
  }
}
