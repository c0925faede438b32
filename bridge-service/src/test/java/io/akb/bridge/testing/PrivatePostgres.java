package io.akb.bridge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, from the machine's PostgreSQL binaries ({@code
 * /usr/lib/postgresql/<version>/bin}, Debian's layout), on a free port of 127.0.0.1 with its data
 * in a directory of the test's: a test can stop and start it without touching the shared server
 * other tests (and other test runs) use. As root the server runs as the {@code postgres} user,
 * which PostgreSQL requires. User {@code postgres}, password {@code postgres}.
 */
public final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path data;
  private final Path log;
  private final int port;

  private PrivatePostgres(Path bin, Path data, Path log, int port) {
    this.bin = bin;
    this.data = data;
    this.log = log;
    this.port = port;
  }

  /** Creates a server's data directory under {@code dir} and starts it. */
  public static PrivatePostgres start(Path dir) throws IOException, InterruptedException {
    Path bin = binaries();
    Path home = Files.createDirectories(dir.resolve("postgres"));
    Path data = home.resolve("data");
    Path log = home.resolve("server.log");
    Path password = home.resolve("password");
    Files.writeString(password, "postgres\n");
    if (isRoot()) {
      // The server refuses to run as root; its user must own (and reach) its files.
      run(List.of("chown", "-R", "postgres:", home.toString()), false);
      run(List.of("chmod", "o+x", dir.toString()), false); // a test's temp dir is 0700
    }
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "--pwfile=" + password,
            "--auth=scram-sha-256",
            "--no-sync"),
        true);
    PrivatePostgres server = new PrivatePostgres(bin, data, log, freePort());
    server.startServer();
    return server;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>?user=postgres&password=postgres}. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/"
        + database
        + "?user=postgres&password=postgres";
  }

  /** Creates {@code database} and returns its URL. */
  public String createDatabase(String database) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url("postgres"));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    return url(database);
  }

  /** Stops the server the way an operator's fast shutdown does: sessions are ended at once. */
  public void stop() throws IOException, InterruptedException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"),
        true);
  }

  /** Starts the stopped server again, on the same port and data; returns once it accepts. */
  public void startServer() throws IOException, InterruptedException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            log.toString(),
            "-o",
            "-p " + port + " -c listen_addresses=127.0.0.1 -k " + data,
            "-w",
            "start"),
        true);
  }

  /** The server's own log. */
  public Path log() {
    return log;
  }

  /** Stops the server if it runs; the data directory goes with the test's. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      stop();
    }
  }

  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
          .max(
              Comparator.comparing(
                  bin ->
                      Integer.parseInt(
                          bin.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries in " + root));
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command, boolean asServerUser)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asServerUser && isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", full) + " failed: " + output);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
