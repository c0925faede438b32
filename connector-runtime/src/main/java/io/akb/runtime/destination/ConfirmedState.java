package io.akb.runtime.destination;

import io.akb.runtime.protocol.AirbyteStateMessage;

/**
 * A STATE the destination echoed back: everything sent before it is persisted.
 *
 * @param id the writer's id for the state, increasing in the order states were sent
 * @param state the state as the caller gave it (without AKB's tag), for storing or passing on
 * @param recordsBefore how many records the writer had sent before this state
 */
public record ConfirmedState(long id, AirbyteStateMessage state, long recordsBefore) {}
