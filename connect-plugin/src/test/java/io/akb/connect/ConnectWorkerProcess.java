package io.akb.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka Connect worker in distributed mode as a JVM of its own, started as an operator starts
 * one ({@code org.apache.kafka.connect.cli.ConnectDistributed} with a worker properties file), so
 * that a test can SIGKILL it. Its class path is the test JVM's (Connect's runtime, Kafka's clients;
 * the plugin itself comes from {@code plugin.path}, never from the class path), its REST listener
 * is a free port of 127.0.0.1 and its worker id {@code 127.0.0.1:<port>}, and everything it prints
 * goes to {@code <dir>/<name>.log}. Workers given the same {@code group.id} and internal topics
 * form one Connect cluster (see {@link DistributedConnect}).
 */
public final class ConnectWorkerProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final int port;
  private final Path log;

  private ConnectWorkerProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a worker with these worker properties (plus its REST listener) and JVM options; returns
   * once the process runs, not once it has joined its group.
   *
   * @param launcher what runs the JVM, such as {@code taskset -c 2}; empty for nothing
   */
  public static ConnectWorkerProcess start(
      String name,
      Map<String, String> workerProps,
      List<String> launcher,
      List<String> jvmOptions,
      Path dir)
      throws IOException {
    Files.createDirectories(dir);
    int port = freePort();
    Map<String, String> props = new TreeMap<>(workerProps);
    props.put("listeners", "http://127.0.0.1:" + port);
    props.put("rest.advertised.host.name", "127.0.0.1");
    props.put("rest.advertised.port", String.valueOf(port));
    props.put("rest.advertised.listener", "http");
    Path properties = dir.resolve(name + ".properties");
    StringBuilder text = new StringBuilder();
    props.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    Files.writeString(properties, text);
    // An argument file: the test class path is longer than a command line argument may be.
    Path args = dir.resolve(name + ".args");
    Files.writeString(args, "-cp \"" + System.getProperty("java.class.path") + "\"\n");
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    command.add("@" + args);
    command.add("org.apache.kafka.connect.cli.ConnectDistributed");
    command.add(properties.toString());
    Path log = dir.resolve(name + ".log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new ConnectWorkerProcess(name, process, port, log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public String name() {
    return name;
  }

  /** The id Connect's REST status gives this worker ({@code worker_id}). */
  public String workerId() {
    return "127.0.0.1:" + port;
  }

  public ProcessHandle process() {
    return process.toHandle();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The last {@code lines} lines of the worker's log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Whether the REST server answers {@code GET /}. */
  public boolean restAnswers() {
    try {
      return send("GET", "/", null).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** GET, the body as JSON; fails on a status other than 2xx, with the body. */
  public JsonNode get(String path) throws IOException {
    return json("GET", path, send("GET", path, null));
  }

  /** PUT with a JSON body, the answer as JSON; fails on a status other than 2xx, with the body. */
  public JsonNode put(String path, Object body) throws IOException {
    return json("PUT", path, send("PUT", path, AirbyteJson.toJson(body)));
  }

  private JsonNode json(String method, String path, HttpResponse<String> response)
      throws IOException {
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method
              + " "
              + path
              + " on "
              + name
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return AirbyteJson.MAPPER.readTree(response.body());
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * SIGKILL ({@link Process#destroyForcibly()} on Linux): the worker ends at once, whatever it was
   * writing, its transactions left open, its group left without a goodbye. Returns its exit code
   * (137, 128 + SIGKILL). The connector programs it ran would end at their next write to it; they
   * are ended too, so that no test leaves one behind.
   */
  public int kill() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not end 30 s after SIGKILL");
    }
    children.forEach(ProcessHandle::destroyForcibly);
    return process.exitValue();
  }

  /** SIGTERM, the worker's graceful shutdown, then SIGKILL if it takes over 30 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (" + workerId() + ", pid " + process.pid() + ")";
  }
}
