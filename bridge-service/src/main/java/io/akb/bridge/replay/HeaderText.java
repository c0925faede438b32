package io.akb.bridge.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One header of the records a target reads, as text: the sync id, the stream and the namespace are
 * the same for long runs of records, so the text (and the hash a map lookup computes on it) is made
 * once per run of equal bytes instead of once per record. Not thread-safe: one per replay thread.
 */
final class HeaderText {
  private final String name;
  private byte[] lastBytes;
  private String lastText;

  HeaderText(String name) {
    this.name = name;
  }

  /** The header's value as UTF-8 text, or null when the record has none. */
  String of(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(name);
    byte[] value = header == null ? null : header.value();
    if (value == null) {
      return null;
    }
    if (!Arrays.equals(value, lastBytes)) {
      lastBytes = value;
      lastText = new String(value, StandardCharsets.UTF_8);
    }
    return lastText;
  }
}
