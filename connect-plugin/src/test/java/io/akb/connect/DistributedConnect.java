package io.akb.connect;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.common.ClassicGroupState;

/**
 * A Kafka Connect cluster in distributed mode made of worker processes ({@link
 * ConnectWorkerProcess}) on one broker: one group id, its three internal topics, the test worker
 * settings of {@link ConnectTestCluster#workerProps}. Workers can be added and SIGKILLed while it
 * runs; REST calls go to any live worker (Connect forwards what only the leader may do). Every wait
 * ends, on timeout, with what it waited for, the connectors' status and where the worker logs are.
 */
public final class DistributedConnect implements AutoCloseable {
  private final String groupId;
  private final String bootstrapServers;
  private final Map<String, String> settings;
  private final List<String> jvmOptions;
  private final Path dir;
  private final List<ConnectWorkerProcess> workers = new ArrayList<>();

  /**
   * @param settings worker properties added to (or replacing) the test workers' and the group's
   * @param dir where the workers' properties files and logs go
   */
  public DistributedConnect(
      String groupId,
      String bootstrapServers,
      boolean exactlyOnce,
      Map<String, String> settings,
      List<String> jvmOptions,
      Path dir) {
    this.groupId = groupId;
    this.bootstrapServers = bootstrapServers;
    Map<String, String> all = new HashMap<>(ConnectTestCluster.workerProps(exactlyOnce));
    all.put("bootstrap.servers", bootstrapServers);
    all.put("group.id", groupId);
    all.put("config.storage.topic", groupId + "-configs");
    all.put("offset.storage.topic", groupId + "-offsets");
    all.put("status.storage.topic", groupId + "-status");
    all.put("config.storage.replication.factor", "1");
    all.put("offset.storage.replication.factor", "1");
    all.put("status.storage.replication.factor", "1");
    all.putAll(settings);
    this.settings = Map.copyOf(all);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.dir = dir;
  }

  /** Starts {@code count} more workers at once and waits until each one's REST server answers. */
  public List<ConnectWorkerProcess> addWorkers(int count, Duration timeout)
      throws IOException, InterruptedException {
    return addWorkers(count, timeout, number -> List.of());
  }

  /**
   * As {@link #addWorkers(int, Duration)}, each worker's JVM run by {@code launcher} of its number
   * (1 for the first worker of the cluster), such as {@code taskset -c 2}.
   */
  public List<ConnectWorkerProcess> addWorkers(
      int count, Duration timeout, IntFunction<List<String>> launcher)
      throws IOException, InterruptedException {
    List<ConnectWorkerProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ConnectWorkerProcess worker =
          ConnectWorkerProcess.start(
              "worker-" + (workers.size() + 1),
              settings,
              launcher.apply(workers.size() + 1),
              jvmOptions,
              dir);
      workers.add(worker);
      started.add(worker);
    }
    for (ConnectWorkerProcess worker : started) {
      await(
          worker + " answering REST",
          timeout,
          () -> {
            if (!worker.isAlive()) {
              throw new IllegalStateException(
                  worker + " ended; its log ends:\n" + worker.logTail(40));
            }
            return worker.restAnswers();
          });
    }
    return started;
  }

  /** Every worker started, live or killed. */
  public List<ConnectWorkerProcess> workers() {
    return List.copyOf(workers);
  }

  public List<ConnectWorkerProcess> liveWorkers() {
    return workers.stream().filter(ConnectWorkerProcess::isAlive).toList();
  }

  public ConnectWorkerProcess worker(String workerId) {
    return workers.stream()
        .filter(w -> w.workerId().equals(workerId))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no worker " + workerId));
  }

  /**
   * Waits until the group has exactly the live workers as members and is stable: a connector
   * created then is assigned over all of them at once.
   */
  public void awaitGroupOfLiveWorkers(Duration timeout) throws InterruptedException {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      await(
          "group " + groupId + " stable with " + liveWorkers().size() + " members",
          timeout,
          () -> {
            ClassicGroupDescription group =
                admin.describeClassicGroups(List.of(groupId)).all().get().get(groupId);
            return group.state() == ClassicGroupState.STABLE
                && group.members().size() == liveWorkers().size();
          });
    }
  }

  /** Creates or updates a connector ({@code PUT /connectors/<name>/config}). */
  public void configureConnector(String name, Map<String, String> config) throws IOException {
    IOException last = null;
    // A worker answers 409 while a rebalance is under way: another one may not be in one.
    for (ConnectWorkerProcess worker : liveWorkers()) {
      try {
        worker.put("/connectors/" + name + "/config", config);
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last == null ? new IOException("no live worker") : last;
  }

  /** {@code GET <path>} on the first live worker that answers it. */
  public JsonNode get(String path) throws IOException {
    IOException last = null;
    for (ConnectWorkerProcess worker : liveWorkers()) {
      try {
        return worker.get(path);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last == null ? new IOException("no live worker") : last;
  }

  /** {@code GET /connectors/<name>/status}. */
  public JsonNode status(String connector) throws IOException {
    return get("/connectors/" + connector + "/status");
  }

  /**
   * The worker id of each RUNNING task by task number, from the status; a task in another state is
   * left out.
   */
  public static Map<Integer, String> runningTasks(JsonNode status) {
    Map<Integer, String> tasks = new LinkedHashMap<>();
    for (JsonNode task : status.path("tasks")) {
      if (task.path("state").asText().equals("RUNNING")) {
        tasks.put(task.path("id").asInt(), task.path("worker_id").asText());
      }
    }
    return tasks;
  }

  /** Waits until the connector's status satisfies {@code done}; returns that status. */
  public JsonNode awaitStatus(
      String connector, String what, Predicate<JsonNode> done, Duration timeout)
      throws InterruptedException {
    JsonNode[] seen = new JsonNode[1];
    await(
        what,
        timeout,
        () -> {
          seen[0] = status(connector);
          return done.test(seen[0]);
        });
    return seen[0];
  }

  /** A condition of a wait; an exception counts as "not yet" and is shown if the wait times out. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Waits until {@code done} holds, checking every quarter second; fails after {@code timeout}
   * saying what it waited for, the last exception the condition threw, the connectors' status and
   * the worker logs. An {@link IllegalStateException} from the condition fails the wait at once.
   */
  public void await(String what, Duration timeout, Condition done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (done.holds()) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + what
                + (last == null ? "" : "; last error: " + last)
                + "; "
                + describe());
      }
      Thread.sleep(250);
    }
  }

  /** The connectors' status and the workers' logs, for a failure message. */
  public String describe() {
    String status;
    try {
      JsonNode names = get("/connectors");
      List<String> each = new ArrayList<>();
      for (JsonNode name : names) {
        each.add(name.asText() + "=" + status(name.asText()));
      }
      status = String.join(", ", each);
    } catch (IOException e) {
      status = "unknown (" + e.getMessage() + ")";
    }
    return "status: "
        + status
        + "; workers: "
        + workers.stream()
            .map(w -> w + (w.isAlive() ? "" : " (ended)") + " log " + w.log().toAbsolutePath())
            .collect(Collectors.joining(", "));
  }

  /** The tail of every worker's log, for a test that failed. */
  public String logTails(int lines) {
    return workers.stream()
        .map(w -> "----- " + w + ", " + w.log().toAbsolutePath() + ":\n" + w.logTail(lines))
        .collect(Collectors.joining("\n"));
  }

  /** Stops every live worker at once (SIGTERM, graceful), waiting for each. */
  @Override
  public void close() {
    liveWorkers().forEach(w -> w.process().destroy());
    for (ConnectWorkerProcess worker : workers) {
      worker.close();
    }
  }
}
