package io.akb.runtime.protocol;

/** Scope of a STATE message. */
public enum AirbyteStateType {
  STREAM,
  GLOBAL,
  LEGACY
}
