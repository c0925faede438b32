package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a destination applies a stream's records. */
public enum DestinationSyncMode {
  APPEND,
  OVERWRITE,
  APPEND_DEDUP;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
