package io.akb.bridge.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The repository's {@code ./akb} launcher as a user runs it from a shell: in a directory of the
 * test's, stdin from {@code /dev/null}, stdout in a pipe, on the existing build ({@code
 * AKB_SKIP_BUILD=1}) and on akb's embedded broker unless a bootstrap is given.
 */
public final class AkbCli {
  /** The repository root: tests run in the module's directory. */
  public static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  /** One finished run. */
  public record Run(int exitCode, String stdout, String stderr) {
    /** Both outputs, for assertion messages. */
    public String output() {
      return stdout + stderr;
    }
  }

  private AkbCli() {}

  /** Runs {@code ./akb args} in {@code dir} to its end. */
  public static Run run(Path dir, String... args) throws IOException, InterruptedException {
    return run(dir, Map.of(), args);
  }

  /** As {@link #run(Path, String...)}, with these environment variables set. */
  public static Run run(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = start(dir, env, stderr, args);
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // A guard against a hung run, not a timing assertion.
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("akb " + String.join(" ", args) + " did not end in 10 minutes");
    }
    String errors = Files.readString(stderr);
    Files.delete(stderr);
    return new Run(process.exitValue(), stdout, errors);
  }

  /**
   * Starts {@code ./akb args} in {@code dir}, stdout in a pipe, stderr into {@code stderr}; {@code
   * KAFKA_BOOTSTRAP_SERVERS} only when {@code env} sets it.
   */
  public static Process start(Path dir, Map<String, String> env, Path stderr, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("akb").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(stderr.toFile());
    builder.environment().put("AKB_SKIP_BUILD", "1");
    builder.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
    builder.environment().putAll(env);
    return builder.start();
  }
}
