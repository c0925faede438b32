package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * Kafka Connect in standalone mode inside this process: the worker and herder {@code
 * connect-standalone.sh} builds, without its REST server. The connectors it runs are the same
 * classes a distributed worker runs.
 *
 * <p>Contract: source offsets live in {@code offsetsFile}, which Connect reads at start and writes
 * every {@link #OFFSET_FLUSH_MS} ms and when a task stops, so a connector started again with the
 * same name resumes from them. Record keys and values are schemaless JSON ({@link JsonConverter}
 * with {@code schemas.enable=false}), what the bridge reads. Plugins are found on the class path
 * through their {@code META-INF/services} files (no scan of every jar).
 */
public final class StandaloneConnectWorker implements AutoCloseable {
  /** How often source offsets are written to the file while a task runs. */
  static final long OFFSET_FLUSH_MS = 1000;

  private final StandaloneHerder herder;

  private StandaloneConnectWorker(StandaloneHerder herder) {
    this.herder = herder;
  }

  /** Starts a worker on the cluster at {@code bootstrapServers}, offsets in {@code offsetsFile}. */
  public static StandaloneConnectWorker start(String bootstrapServers, Path offsetsFile) {
    Map<String, String> props = new HashMap<>();
    props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName());
    props.put(WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, JsonConverter.class.getName());
    props.put("key.converter." + JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false");
    props.put("value.converter." + JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false");
    props.put(
        StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG,
        offsetsFile.toAbsolutePath().toString());
    props.put(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, String.valueOf(OFFSET_FLUSH_MS));
    // Connect's 5 s default, on a busy machine, cancels a stopping task and closes its producer
    // with records still unsent: they would be lost. A task that stops sends them first.
    props.put(WorkerConfig.TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG, "60000");
    props.put(WorkerConfig.PLUGIN_DISCOVERY_CONFIG, "service_load");
    try {
      StandaloneConfig config = new StandaloneConfig(props);
      Plugins plugins = new Plugins(props);
      plugins.compareAndSwapWithDelegatingLoader();
      // As ConnectStandalone does: offsets are stored with the worker's internal JSON converter.
      FileOffsetBackingStore offsets =
          new FileOffsetBackingStore(
              plugins.newInternalConverter(
                  true,
                  JsonConverter.class.getName(),
                  Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false")));
      offsets.configure(config);
      ConnectorClientConfigOverridePolicy policy = new AllConnectorClientConfigOverridePolicy();
      String workerId = "akb-sync";
      Worker worker = new Worker(workerId, Time.SYSTEM, plugins, config, offsets, policy);
      StandaloneHerder herder = new StandaloneHerder(worker, config.kafkaClusterId(), policy);
      herder.start();
      return new StandaloneConnectWorker(herder);
    } catch (RuntimeException e) {
      throw new AkbException(
          "starting Kafka Connect (standalone) on " + bootstrapServers,
          String.valueOf(e.getMessage()),
          "Check that Kafka is reachable at " + bootstrapServers + ".",
          e);
    }
  }

  /**
   * Creates (or replaces) the connector {@code name} with {@code config} and returns once the
   * herder has accepted it; its tasks start right after.
   */
  public void startConnector(String name, Map<String, String> config) {
    FutureCallback<org.apache.kafka.connect.runtime.Herder.Created<?>> created =
        new FutureCallback<>();
    herder.putConnectorConfig(
        name, config, true, (error, result) -> created.onCompletion(error, result));
    try {
      created.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new AkbException(
          "starting the source connector " + name,
          String.valueOf(cause.getMessage()),
          "Check the source's options (--config, --streams).",
          cause);
    } catch (TimeoutException e) {
      throw new AkbException(
          "starting the source connector " + name,
          "Kafka Connect did not accept it within 60 s",
          "Look at the log file for what Connect was waiting for.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException("starting the source connector " + name, "interrupted", null, e);
    }
  }

  /**
   * Why the connector or one of its tasks failed (Connect's stack trace), or empty while they run.
   */
  public Optional<String> failure(String name) {
    ConnectorStateInfo status;
    try {
      status = herder.connectorStatus(name);
    } catch (RuntimeException e) {
      return Optional.empty(); // not created yet
    }
    if ("FAILED".equals(status.connector().state())) {
      return Optional.ofNullable(status.connector().trace()).or(() -> Optional.of("failed"));
    }
    return status.tasks().stream()
        .filter(task -> "FAILED".equals(task.state()))
        .map(task -> task.trace() == null ? "task " + task.id() + " failed" : task.trace())
        .findFirst();
  }

  /** Stops the connector's tasks, which commits their last offsets to the file, and removes it. */
  public void stopConnector(String name) {
    FutureCallback<Object> deleted = new FutureCallback<>();
    herder.deleteConnectorConfig(name, (error, result) -> deleted.onCompletion(error, result));
    try {
      deleted.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AkbException(
          "stopping the source connector " + name,
          String.valueOf(e.getMessage()),
          "The next sync may repeat records read since the last offset flush.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops every connector (committing their offsets) and the worker. */
  @Override
  public void close() {
    herder.stop();
  }
}
