package io.akb.runtime.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a source reads a stream. */
public enum SyncMode {
  FULL_REFRESH,
  INCREMENTAL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
