package io.akb.runtime;

import io.akb.runtime.exec.ConnectorExecutor;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConnectorSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connector specs, fetched once per installed connector for sources and destinations alike: kept by
 * the JVM (keyed by {@link ConnectorExecutor#describe()}), and in the executor's spec file when it
 * has one (a venv), so later commands do not start the connector for it either.
 *
 * <p>Why: a spec depends only on the installed program, and one command asks for it through several
 * objects ({@code akb sync --destination} checks the destination's config, then its target starts
 * the destination); every start of a Python connector costs seconds.
 */
final class ConnectorSpecs {
  private static final Logger log = LoggerFactory.getLogger(ConnectorSpecs.class);
  private static final Map<String, ConnectorSpecification> SPECS = new ConcurrentHashMap<>();

  private ConnectorSpecs() {}

  /** The spec of what {@code executor} runs; {@code fetch} runs the connector's {@code spec}. */
  static ConnectorSpecification of(
      ConnectorExecutor executor, Supplier<ConnectorSpecification> fetch) {
    return SPECS.computeIfAbsent(executor.describe(), key -> fromFileOrFetch(executor, fetch));
  }

  /**
   * The spec from the executor's spec file when it keeps one and it is readable, else fetched and
   * written to the file for the next run (beside it, then renamed: never half there).
   */
  private static ConnectorSpecification fromFileOrFetch(
      ConnectorExecutor executor, Supplier<ConnectorSpecification> fetch) {
    Path file = executor.specFile();
    if (file != null && Files.isRegularFile(file)) {
      try {
        return AirbyteJson.MAPPER.readValue(file.toFile(), ConnectorSpecification.class);
      } catch (IOException | RuntimeException unreadable) {
        log.debug("Ignoring the unreadable spec file {}: {}", file, unreadable.toString());
      }
    }
    ConnectorSpecification fetched = fetch.get();
    if (file != null && Files.isDirectory(file.getParent())) {
      try {
        Path partial = Files.createTempFile(file.getParent(), ".akb-spec-", ".json");
        AirbyteJson.MAPPER.writeValue(partial.toFile(), fetched);
        Files.move(
            partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        log.debug("Could not keep the spec in {}: {}", file, e.toString());
      }
    }
    return fetched;
  }
}
