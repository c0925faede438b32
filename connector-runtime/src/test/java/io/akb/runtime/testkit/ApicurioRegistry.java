package io.akb.runtime.testkit;

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

/**
 * A real schema registry for tests: Apicurio Registry 2.4.2.Final with in-memory (H2) storage, run
 * as a process of its own on 127.0.0.1 and a free port. The module {@code test-registry} builds it
 * from Maven Central jars into {@code test-registry/target/quarkus-app/quarkus-run.jar}; the system
 * property {@code akb.registry.app} names that jar (failsafe sets it), else it is looked for from
 * the working directory up. Its log goes to {@code registry.log} in the given directory.
 */
public final class ApicurioRegistry implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private ApicurioRegistry(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the registry and waits until its REST API answers. */
  public static ApicurioRegistry start(Path dir) throws IOException, InterruptedException {
    Path app = app();
    int port = freePort();
    Path log = dir.resolve("registry.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-jar",
                app.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
    registry.awaitUp();
    return registry;
  }

  /** The registry's v2 REST API, as the Apicurio serdes and converter take it. */
  public String apiUrl() {
    return "http://127.0.0.1:" + port + "/apis/registry/v2";
  }

  /** The Confluent-compatible API the registry also serves. */
  public String confluentUrl() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v6";
  }

  /** A GET on the v2 API, parsed; {@code path} starts with a slash. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(apiUrl() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": " + response.statusCode() + " " + response.body());
    }
    return AirbyteJson.MAPPER.readTree(response.body());
  }

  /** The ids of every artifact the registry holds, in any group. */
  public List<String> artifactIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonNode artifact : get("/search/artifacts?limit=1000").path("artifacts")) {
      ids.add(artifact.path("id").asText());
    }
    return ids;
  }

  /** The versions of one artifact of the default group, oldest first. */
  public List<String> versions(String artifactId) throws IOException, InterruptedException {
    List<String> versions = new ArrayList<>();
    for (JsonNode version :
        get("/groups/default/artifacts/" + artifactId + "/versions").path("versions")) {
      versions.add(version.path("version").asText());
    }
    return versions;
  }

  /** The content of one version of an artifact of the default group, parsed. */
  public JsonNode content(String artifactId, String version)
      throws IOException, InterruptedException {
    return get("/groups/default/artifacts/" + artifactId + "/versions/" + version);
  }

  /** The registry-wide id of one version of an artifact of the default group. */
  public long globalId(String artifactId, String version) throws IOException, InterruptedException {
    return get("/groups/default/artifacts/" + artifactId + "/versions/" + version + "/meta")
        .path("globalId")
        .asLong();
  }

  private void awaitUp() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the registry exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        get("/system/info");
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException(
              "the registry did not answer in " + START_TIMEOUT + ":\n" + logTail());
        }
        Thread.sleep(250);
      }
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static Path app() {
    String named = System.getProperty("akb.registry.app");
    if (named != null) {
      Path app = Path.of(named);
      if (Files.isRegularFile(app)) {
        return app;
      }
      throw new IllegalStateException(
          "akb.registry.app names " + app + ", which does not exist: build test-registry first");
    }
    Path relative = Path.of("test-registry", "target", "quarkus-app", "quarkus-run.jar");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(
        "no " + relative + " from the working directory up: build the test-registry module");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
