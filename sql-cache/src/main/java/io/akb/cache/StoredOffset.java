package io.akb.cache;

import java.util.Map;

/**
 * A target's position in one topic partition: the next offset to read, and how many records of each
 * sync it has applied from that partition (sync id to count), which checkpoint completeness needs
 * after a restart.
 */
public record StoredOffset(long nextOffset, Map<String, Long> appliedPerSync) {
  public StoredOffset {
    appliedPerSync = Map.copyOf(appliedPerSync);
  }
}
