package io.akb.bridge.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.ConnectorOptions;

/**
 * The Airbyte destination an {@code akb sync --destination} writes the source's topics into
 * (PyAirbyte's {@code pyab sync}), instead of a SQL cache.
 *
 * @param name the destination's name, such as {@code destination-duckdb}
 * @param config its config (secret references resolved each time it runs)
 * @param connector how to get and run it, config updates included
 */
public record SyncDestination(String name, JsonNode config, ConnectorOptions connector) {}
