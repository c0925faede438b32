package io.akb.runtime.exec;

import java.nio.file.Path;

/**
 * Starts a connector program, one process per command. Implementations: {@code LocalExecutor} (a
 * program on PATH or at a path), {@code VenvExecutor} (a PyPI package in a venv under {@code
 * AKB_INSTALL_DIR}), {@code DockerExecutor} (an image run through docker-java) and {@code
 * ManifestExecutor} (a declarative YAML manifest run by airbyte-source-declarative-manifest).
 *
 * <p>Lifecycle: {@link #install()} once (idempotent, safe to call from several processes), then
 * {@link #start} any number of times, each process closed by its caller.
 */
public interface ConnectorExecutor {

  /** What runs, for messages: "airbyte-source-faker==7.2.1 in venv /root/.cache/akb/...". */
  String describe();

  /** Makes the connector runnable (creates the venv, checks the image exists). Idempotent. */
  default void install() {}

  /**
   * Where this connector's spec may be kept between runs, or null when the program can change under
   * the same description (a local program): a spec depends only on the installed program, and
   * asking for it costs a start of the connector.
   */
  default Path specFile() {
    return null;
  }

  /**
   * Starts the connector for one command. The executor writes the invocation's files into a private
   * temp dir (0700, files 0600), passes their paths as it must (host path or mount point), and
   * removes them when the process is closed.
   */
  ConnectorProcess start(ConnectorInvocation invocation);
}
