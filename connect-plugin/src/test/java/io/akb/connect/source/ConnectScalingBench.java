package io.akb.connect.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.connect.ConnectTestCluster;
import io.akb.connect.ConnectWorkerProcess;
import io.akb.connect.DistributedConnect;
import io.akb.connect.TestTopics;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records/s of one source connector on distributed Connect clusters of 1, 2, ... workers (processes
 * on this machine, {@link DistributedConnect}), one after the other in one run on one broker: the
 * test source program (counting_source.py, no delay) with {@code bench.streams} streams of {@code
 * bench.records} records each, {@code tasks.max} = the streams, exactly-once on unless {@code
 * bench.eos=false}. Each run's time is from its first task's {@code SYNC_STARTED} to its last
 * task's {@code SYNC_COMPLETED} (workers already up, in a stable group); its records are counted
 * back with a read_committed consumer, a mismatch is the run's error. CPU time of the workers (with
 * the connector programs they ran) and of this JVM (the broker and the harness), and the whole
 * machine's busy share (from /proc/stat), say which resource ran out.
 *
 * <p>Not part of the build (no *Test or *IT name): {@code bench/connect-scaling} runs it and names
 * the result file ({@code bench.out}).
 */
class ConnectScalingBench {
  private static final Duration STARTUP = Duration.ofMinutes(3);

  @TempDir Path tmp;

  @Test
  void measure() throws Exception {
    int streams = Integer.getInteger("bench.streams", 4);
    int records = Integer.getInteger("bench.records", 100_000);
    boolean exactlyOnce = Boolean.parseBoolean(System.getProperty("bench.eos", "true"));
    int[] workerCounts =
        Arrays.stream(System.getProperty("bench.workers", "1,2,4").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip()))
            .toArray();
    List<String> jvm = List.of(System.getProperty("bench.worker.jvm", "-Xmx512m").split(" "));
    int coresPerWorker = Integer.getInteger("bench.cores.per.worker", 0);
    int brokerCores = Integer.getInteger("bench.broker.cores", 1);
    Path out = Path.of(System.getProperty("bench.out", "target/connect-scaling.json"));
    Path logs = Path.of("target", "connect-scaling");
    Path program = ConnectTestCluster.countingSource(tmp);
    List<String> names = IntStream.range(0, streams).mapToObj(i -> "s" + i).toList();

    ObjectNode result = AirbyteJson.MAPPER.createObjectNode();
    result.put("benchmark", "connect-scaling");
    result.put("date", Instant.now().toString());
    result.put("git_commit", System.getProperty("bench.commit", "unknown"));
    result.put("label", System.getProperty("bench.label", ""));
    result.set("machine", Machine.describe());
    ObjectNode setup = result.putObject("setup");
    setup.put("streams", streams);
    setup.put("records_per_stream", records);
    setup.put("tasks_max", streams);
    setup.put("exactly_once", exactlyOnce);
    setup.put("source", "counting_source.py, no delay, a STATE every 10,000 records per stream");
    setup.put("record_format", "json (JsonConverter without schemas), 1 partition per stream");
    setup.put(
        "processes",
        "one KRaft broker in the harness JVM; each worker a JVM ("
            + String.join(" ", jvm)
            + ") running its tasks' connector programs");
    IntFunction<List<String>> launcher = worker -> List.of();
    if (coresPerWorker > 0) {
      int needed = brokerCores + Arrays.stream(workerCounts).max().orElse(1) * coresPerWorker;
      int cores = Runtime.getRuntime().availableProcessors();
      if (cores < needed) {
        throw new IllegalStateException(
            "bench.cores.per.worker="
                + coresPerWorker
                + " needs "
                + needed
                + " cores (the broker's "
                + brokerCores
                + " and each worker's own); this machine has "
                + cores);
      }
      // Each worker on cores of its own, the broker and harness on the first ones: a machine each.
      pin(ProcessHandle.current().pid(), "0-" + (brokerCores - 1));
      launcher =
          worker -> {
            int first = brokerCores + (worker - 1) * coresPerWorker;
            return List.of("taskset", "-c", first + "-" + (first + coresPerWorker - 1));
          };
      setup.put(
          "pinning",
          "broker and harness on cores 0-"
              + (brokerCores - 1)
              + ", each worker (and its connector programs) on "
              + coresPerWorker
              + " cores of its own (taskset)");
    } else {
      setup.put("pinning", "none: every process may run on every core");
    }
    ArrayNode runs = result.putArray("runs");

    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, ConnectTestCluster.brokerProps());
    kafka.start();
    try {
      TestTopics topics = new TestTopics(kafka.bootstrapServers());
      for (int workers : workerCounts) {
        ObjectNode run = runs.addObject();
        run.put("workers", workers);
        try {
          measureRun(
              run,
              workers,
              names,
              records,
              exactlyOnce,
              jvm,
              launcher,
              program,
              kafka,
              topics,
              logs);
        } catch (Exception | AssertionError e) {
          run.put("error", String.valueOf(e));
        }
        System.out.println("connect-scaling: " + run);
      }
    } finally {
      kafka.stop();
    }
    Verdict.add(result);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(
        out, AirbyteJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
    System.out.println("connect-scaling: wrote " + out.toAbsolutePath());
  }

  private static void measureRun(
      ObjectNode run,
      int workers,
      List<String> names,
      int records,
      boolean exactlyOnce,
      List<String> jvm,
      IntFunction<List<String>> launcher,
      Path program,
      EmbeddedKafkaCluster kafka,
      TestTopics topics,
      Path logs)
      throws Exception {
    String name = "scale-" + workers;
    String prefix = name + ".";
    try (DistributedConnect connect =
        new DistributedConnect(
            "akb-" + name,
            kafka.bootstrapServers(),
            exactlyOnce,
            Map.of(),
            withQuietLogs(jvm),
            logs.resolve(name))) {
      connect.addWorkers(workers, STARTUP, launcher);
      connect.awaitGroupOfLiveWorkers(STARTUP);
      run.put("load_avg_before", Machine.loadAverage());
      Map<String, String> config =
          ConnectTestCluster.countingSourceConfig(
              program,
              prefix,
              AirbyteJson.toJson(Map.of("count", records, "state_every", 10_000, "streams", names)),
              kafka.bootstrapServers());
      config.put("tasks.max", String.valueOf(names.size()));
      config.put("sync.interval.ms", "3600000");
      if (exactlyOnce) {
        config.put("exactly.once.support", "required");
        config.put("transaction.boundary", "connector");
      }
      Machine.Sample before = Machine.sample(connect.liveWorkers());
      connect.configureConnector(name, config);
      List<JsonNode>[] events = new List[1];
      connect.await(
          "every task's sync to end",
          Duration.ofMinutes(60),
          () -> {
            events[0] = topics.stateEvents(prefix + "_state", true);
            return ConnectTestCluster.count(events[0], "SYNC_COMPLETED", null) >= names.size();
          });
      Machine.Sample after = Machine.sample(connect.liveWorkers());
      run.put("load_avg_after", Machine.loadAverage());
      JsonNode status = connect.status(name);
      Map<String, Integer> tasksPerWorker = new TreeMap<>();
      DistributedConnect.runningTasks(status)
          .values()
          .forEach(w -> tasksPerWorker.merge(w, 1, Integer::sum));
      run.set("tasks_per_worker", AirbyteJson.MAPPER.valueToTree(tasksPerWorker));

      long started = Long.MAX_VALUE;
      long lastStart = 0;
      long ended = 0;
      long sent = 0;
      Map<String, Long> taskStarts = new TreeMap<>();
      ObjectNode taskSeconds = run.putObject("task_sync_seconds");
      for (JsonNode event : events[0]) {
        String type = event.path("type").asText();
        long at = event.path("emitted_at").asLong();
        if (type.equals("SYNC_STARTED")) {
          started = Math.min(started, at);
          lastStart = Math.max(lastStart, at);
          taskStarts.put(event.path("task").asText(), at);
        } else if (type.equals("SYNC_COMPLETED")) {
          ended = Math.max(ended, at);
          String task = event.path("task").asText();
          taskSeconds.put(task, (at - taskStarts.getOrDefault(task, at)) / 1000.0);
          if (!event.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("a sync failed: " + event.path("error").asText());
          }
          for (JsonNode count : event.path("counts")) {
            sent += count.asLong();
          }
        }
      }
      long expected = (long) records * names.size();
      long inTopics = 0;
      for (String stream : names) {
        inTopics += countCommitted(kafka.bootstrapServers(), prefix + stream);
      }
      double seconds = (ended - started) / 1000.0;
      run.put("records", inTopics);
      run.put("seconds", seconds);
      run.put("records_per_s", Math.round(inTopics / seconds));
      // Tasks start as the group assigns them (and, under exactly-once, once the leader fenced
      // the connector's earlier producers): part of the time a user waits.
      run.put("start_skew_s", (lastStart - started) / 1000.0);
      after.since(before, ended - started, run);
      if (sent != expected || inTopics != expected) {
        run.put(
            "error",
            "expected "
                + expected
                + " records; the syncs counted "
                + sent
                + " and the topics hold "
                + inTopics);
      }
    }
  }

  /** Pins every thread of a process to these cores. */
  private static void pin(long pid, String cores) throws IOException, InterruptedException {
    Process taskset =
        new ProcessBuilder("taskset", "-a", "-p", "-c", cores, String.valueOf(pid))
            .redirectErrorStream(true)
            .start();
    String output = new String(taskset.getInputStream().readAllBytes());
    if (taskset.waitFor() != 0) {
      throw new IllegalStateException("taskset could not pin process " + pid + ": " + output);
    }
  }

  /** Connect's INFO lines (a few per commit) would cost the workers CPU the benchmark measures. */
  private static List<String> withQuietLogs(List<String> jvm) {
    List<String> options = new ArrayList<>(jvm);
    options.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    options.add("-Dorg.slf4j.simpleLogger.log.io.akb=info");
    return options;
  }

  /** Records of a topic a read_committed consumer sees, counted without decoding them. */
  private static long countCommitted(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long count = 0;
      long deadline = System.currentTimeMillis() + 600_000;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("reading " + topic + " took over 10 minutes");
        }
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
      return count;
    }
  }

  /** What the machine is and how busy it was: /proc, read on Linux only. */
  static final class Machine {
    private Machine() {}

    static ObjectNode describe() throws IOException {
      ObjectNode machine = AirbyteJson.MAPPER.createObjectNode();
      machine.put("nproc", Runtime.getRuntime().availableProcessors());
      String cpuinfo = read("/proc/cpuinfo");
      machine.put(
          "cpu_model",
          cpuinfo
              .lines()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse(null));
      String meminfo = read("/proc/meminfo");
      meminfo
          .lines()
          .filter(l -> l.startsWith("MemTotal:"))
          .findFirst()
          .ifPresent(
              l ->
                  machine.put(
                      "ram_gib",
                      Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0 * 10) / 10.0));
      machine.put("java", System.getProperty("java.version"));
      machine.set("load_avg", loadAverage());
      return machine;
    }

    static ArrayNode loadAverage() {
      ArrayNode load = AirbyteJson.MAPPER.createArrayNode();
      try {
        Arrays.stream(read("/proc/loadavg").split(" ")).limit(3).forEach(load::add);
      } catch (IOException e) {
        // not Linux: no load average
      }
      return load;
    }

    private static String read(String path) throws IOException {
      return Files.readString(Path.of(path));
    }

    /**
     * CPU ticks so far: each worker JVM's own and its reaped children's (the connector programs of
     * its tasks, once they ended), this JVM's (broker and harness), the machine's busy and total.
     */
    record Sample(long workers, long harness, long machineBusy, long machineTotal) {
      /** Adds the CPU figures between {@code before} and this sample to {@code run}. */
      void since(Sample before, long syncMillis, ObjectNode run) {
        double hz = 100.0; // USER_HZ on Linux
        int cores = Runtime.getRuntime().availableProcessors();
        double windowTotal = machineTotal - before.machineTotal;
        ObjectNode cpu = run.putObject("cpu");
        cpu.put("workers_and_connectors_cpu_s", (workers - before.workers) / hz);
        cpu.put("broker_and_harness_cpu_s", (harness - before.harness) / hz);
        cpu.put("window_s", windowTotal / hz / cores);
        cpu.put("sync_s", syncMillis / 1000.0);
        double busy = windowTotal == 0 ? 0 : (machineBusy - before.machineBusy) / windowTotal;
        cpu.put("machine_busy_share", Math.round(busy * 1000) / 1000.0);
        double ours = ((workers - before.workers) + (harness - before.harness)) / windowTotal;
        cpu.put("this_benchmark_share", Math.round(ours * 1000) / 1000.0);
        cpu.put("others_share", Math.round(Math.max(0, busy - ours) * 1000) / 1000.0);
        long records = run.path("records").asLong();
        if (records > 0) {
          // What a record costs in CPU, whatever the cores: on machines of their own, workers
          // scale as far as this stays flat.
          double cpuSeconds = ((workers - before.workers) + (harness - before.harness)) / hz;
          cpu.put("cpu_ms_per_1000_records", Math.round(cpuSeconds * 1e6 / records * 10) / 10.0);
        }
      }
    }

    static Sample sample(List<ConnectWorkerProcess> workers) throws IOException {
      long workerTicks = 0;
      for (ConnectWorkerProcess worker : workers) {
        workerTicks += ticks(worker.process().pid(), true);
        for (ProcessHandle child : worker.process().descendants().toList()) {
          workerTicks += ticks(child.pid(), false);
        }
      }
      String[] cpu = read("/proc/stat").lines().findFirst().orElseThrow().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length; i++) {
        total += Long.parseLong(cpu[i]);
      }
      // idle + iowait
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
      return new Sample(
          workerTicks, ticks(ProcessHandle.current().pid(), false), total - idle, total);
    }

    /** utime + stime (+ cutime + cstime) of a process, in clock ticks; 0 once it is gone. */
    private static long ticks(long pid, boolean withChildren) {
      try {
        String stat = read("/proc/" + pid + "/stat");
        // Fields after the command name, which is in parentheses and may hold spaces.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
          ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** Ratios to one worker, the targets, and which resource ran out. */
  static final class Verdict {
    private Verdict() {}

    static void add(ObjectNode result) {
      JsonNode runs = result.path("runs");
      Double base = null;
      for (JsonNode run : runs) {
        if (run.path("workers").asInt() == 1
            && run.hasNonNull("records_per_s")
            && !run.hasNonNull("error")) {
          base = run.path("records_per_s").asDouble();
        }
      }
      ObjectNode targets = result.putObject("targets");
      for (JsonNode node : runs) {
        ObjectNode run = (ObjectNode) node;
        if (base == null || !run.hasNonNull("records_per_s") || run.hasNonNull("error")) {
          continue;
        }
        double ratio = Math.round(run.path("records_per_s").asDouble() / base * 100) / 100.0;
        run.put("ratio_to_1_worker", ratio);
        int workers = run.path("workers").asInt();
        Double goal =
            workers == 2 ? Double.valueOf(1.7) : workers == 4 ? Double.valueOf(3.0) : null;
        if (goal != null) {
          ObjectNode target = targets.putObject(workers + "_workers");
          target.put("goal", ">= " + goal + "x of 1 worker");
          target.put("ratio", ratio);
          target.put("met", ratio >= goal);
        }
      }
      int cores = result.path("machine").path("nproc").asInt();
      JsonNode widest = null;
      for (JsonNode run : runs) {
        if (run.has("cpu")
            && (widest == null || run.path("workers").asInt() > widest.path("workers").asInt())) {
          widest = run;
        }
      }
      String ranOut;
      if (widest == null) {
        ranOut = "unknown: no run finished";
      } else {
        JsonNode cpu = widest.path("cpu");
        long busy = Math.round(cpu.path("machine_busy_share").asDouble() * 100);
        String during =
            "during the "
                + widest.path("workers").asInt()
                + "-worker run the machine's "
                + cores
                + " cores were "
                + busy
                + "% busy ("
                + Math.round(cpu.path("this_benchmark_share").asDouble() * 100)
                + "% this benchmark's broker, workers and connector programs, "
                + Math.round(cpu.path("others_share").asDouble() * 100)
                + "% other processes)";
        ranOut =
            busy >= 90
                ? "CPU: "
                    + during
                    + ", so workers added on this machine share the same cores and cannot add"
                    + " throughput; on machines of their own each worker brings its cores."
                : "not CPU: "
                    + during
                    + "; the limit was elsewhere (the one broker's disk and network threads, the"
                    + " source program, the producers' round trips), or the runs were too short.";
      }
      result.put("resource_ran_out", ranOut);
    }
  }
}
