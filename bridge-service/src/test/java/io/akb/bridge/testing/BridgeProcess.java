package io.akb.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged bridge ({@code target/quarkus-app/quarkus-run.jar}) running as a child JVM, as an
 * operator runs it, configured with {@code -D} properties; its output goes to a log file.
 */
public final class BridgeProcess implements AutoCloseable {
  private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;
  private final String token;

  private BridgeProcess(Process process, int port, String token) {
    this.process = process;
    this.port = port;
    this.token = token;
  }

  /** Starts the bridge with these {@code akb.*} / {@code quarkus.*} properties. */
  public static BridgeProcess start(Map<String, String> properties, Path log) throws IOException {
    return start(EmbeddedKafka.bootstrapServers(), properties, log);
  }

  /** As {@link #start(Map, Path)}, on the Kafka cluster at {@code bootstrap}. */
  public static BridgeProcess start(String bootstrap, Map<String, String> properties, Path log)
      throws IOException {
    return start(null, Map.of(), bootstrap, properties, log);
  }

  /**
   * As {@link #start(String, Map, Path)}, run in {@code workDir} as an operator runs it there: the
   * bridge reads {@code workDir/config/application.properties} (Quarkus's place for an operator's
   * file) and resolves its relative paths ({@code ./.cache/...}) against {@code workDir}; {@code
   * environment} is added to this JVM's.
   */
  public static BridgeProcess startIn(
      Path workDir,
      Map<String, String> environment,
      String bootstrap,
      Map<String, String> properties,
      Path log)
      throws IOException {
    return start(workDir, environment, bootstrap, properties, log);
  }

  private static BridgeProcess start(
      Path workDir,
      Map<String, String> environment,
      String bootstrap,
      Map<String, String> properties,
      Path log)
      throws IOException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: build the module (mvn package) first");
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dakb.kafka.bootstrap-servers=" + bootstrap);
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    builder.environment().putAll(environment);
    Process process = builder.start();
    return new BridgeProcess(process, port, properties.get("akb.admin.token"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** An HTTP request to the bridge, with the admin token when one is configured. */
  public HttpResponse<String> request(String method, String path, boolean withToken)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (withToken && token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET with the token, the body as JSON; fails on a status other than 200. */
  public JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = request("GET", path, true);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return AirbyteJson.MAPPER.readTree(response.body());
  }

  /** Waits until the HTTP server answers, failing when the process ends first. */
  public void awaitHttp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the bridge ended with exit code " + process.exitValue());
      }
      try {
        if (request("GET", "/q/health/live", false).statusCode() > 0) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the bridge's HTTP server did not answer within " + timeout);
  }

  /** SIGKILL: the process ends at once, whatever it was writing. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for the graceful shutdown. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
