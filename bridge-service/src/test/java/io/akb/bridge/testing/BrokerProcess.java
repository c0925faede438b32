package io.akb.bridge.testing;

import io.akb.bridge.local.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-node KRaft broker ({@link EmbeddedKafkaBroker}, akb sync's own) in a child JVM of its own,
 * so that a test can kill it and start it again on the same ports and log directory, as an
 * operator's restart (or a crash and a supervisor's restart) does to a real broker. Its clients see
 * one broker that went away for a while. Its output goes to {@code <dir>/broker.log}.
 */
public final class BrokerProcess implements AutoCloseable {
  private static final String READY = "akb-test-broker-ready";

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private Process process;

  private BrokerProcess(Path dir, int port, int controllerPort) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /** Starts a broker with its log under {@code dir}, on two ports free now. */
  public static BrokerProcess start(Path dir) throws IOException, InterruptedException {
    BrokerProcess broker = new BrokerProcess(dir, freePort(), freePort());
    broker.startAgain();
    return broker;
  }

  /** {@code 127.0.0.1:<port>}, the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL: the broker ends at once, as in a crash; its log stays. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Starts the stopped broker on the same ports and log; returns once it serves. */
  public void startAgain() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the broker still runs");
    }
    process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    BrokerProcess.class.getName(),
                    dir.toString(),
                    String.valueOf(port),
                    String.valueOf(controllerPort)))
            .redirectErrorStream(true)
            .start();
    // The child prints READY on stdout once it serves; everything goes on to the log file.
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread copier =
        new Thread(
            () -> {
              try (BufferedReader lines =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  var log =
                      java.nio.file.Files.newBufferedWriter(
                          dir.resolve("broker.log"),
                          StandardCharsets.UTF_8,
                          java.nio.file.StandardOpenOption.CREATE,
                          java.nio.file.StandardOpenOption.APPEND)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  if (line.equals(READY)) {
                    ready.complete(true);
                  }
                  log.write(line);
                  log.newLine();
                  log.flush();
                }
              } catch (IOException e) {
                // The broker was killed: its output ends here.
              }
              ready.complete(false);
            },
            "broker-output");
    copier.setDaemon(true);
    copier.start();
    try {
      if (!ready.get(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "the test broker ended before it served; see " + dir.resolve("broker.log"));
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the test broker did not start in 120 s; see " + dir.resolve("broker.log"), e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy(); // the child's shutdown hook stops the broker cleanly
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The child: {@code <dir> <port> <controller port>}; runs until killed or sent SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(
            Path.of(args[0]).resolve("kafka"),
            Integer.parseInt(args[1]),
            Integer.parseInt(args[2]));
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    System.out.println(READY);
    System.out.flush();
    Thread.currentThread().join();
  }
}
