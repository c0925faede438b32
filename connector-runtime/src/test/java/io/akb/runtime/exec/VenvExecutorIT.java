package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.akb.runtime.AkbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real venvs and pip, with a small package (six) so the test stays quick. */
class VenvExecutorIT {
  @TempDir Path installDir;

  private VenvExecutor six() {
    return six(installDir);
  }

  static VenvExecutor six(Path installDir) {
    return new VenvExecutor(
        "six", "1.16.0", null, "six", installDir, "python3", Duration.ofMinutes(5), Map.of(), 20);
  }

  /** Installs six into the install dir given as argument: the second JVM of the test below. */
  public static void main(String[] args) {
    six(Path.of(args[0])).install();
  }

  private List<String> venvsDirEntries() throws Exception {
    try (Stream<Path> entries = Files.list(installDir.resolve("venvs"))) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".lock"))
          .sorted()
          .toList();
    }
  }

  @Test
  void concurrentInstallsFromTwoJvmsAndTwoThreadsBuildOneVenv() throws Exception {
    // A crashed install left an incomplete venv (no marker): it is replaced, not trusted.
    Files.createDirectories(installDir.resolve("venvs/six-1.16.0/bin"));

    Process otherJvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VenvExecutorIT.class.getName(),
                installDir.toString())
            .redirectErrorStream(true)
            .start();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    List<Future<?>> installs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      installs.add(threads.submit(() -> six().install()));
    }
    for (Future<?> install : installs) {
      install.get();
    }
    threads.shutdown();
    String otherOutput = new String(otherJvm.getInputStream().readAllBytes());
    assertThat(otherJvm.waitFor()).as(otherOutput).isZero();

    assertThat(venvsDirEntries()).containsExactly("six-1.16.0");
    Path venv = six().venv();
    assertThat(venv.resolve(VenvExecutor.COMPLETE_MARKER)).hasContent("six==1.16.0");
    Process python =
        new ProcessBuilder(
                venv.resolve("bin/python").toString(), "-c", "import six; print(six.__version__)")
            .redirectErrorStream(true)
            .start();
    assertThat(new String(python.getInputStream().readAllBytes()).trim()).isEqualTo("1.16.0");
    assertThat(six().isInstalled()).isTrue();
  }

  @Test
  void aPackagePipCannotInstallFailsWithPipsOwnWordsAndLeavesNothing() throws Exception {
    VenvExecutor missing =
        new VenvExecutor(
            "airbyte-source-akb-no-such-package",
            "0.0.1",
            null,
            "source-x",
            installDir,
            "python3",
            Duration.ofMinutes(5),
            Map.of(),
            20);

    assertThatThrownBy(missing::install)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("installing airbyte-source-akb-no-such-package==0.0.1 failed")
        .hasMessageContaining(
            "pip install airbyte-source-akb-no-such-package==0.0.1 failed with exit code")
        .hasMessageContaining("No matching distribution");
    assertThat(venvsDirEntries()).isEmpty();
  }

  @Test
  void theInstalledVenvsScriptsRunFromItsFinalPlace() throws Exception {
    // wheel installs a console script: its #! line must name the venv, not the temp dir it was
    // built in, so the venv serves any other tool too.
    VenvExecutor wheel =
        new VenvExecutor(
            "wheel",
            "0.43.0",
            null,
            "wheel",
            installDir,
            "python3",
            Duration.ofMinutes(5),
            Map.of(),
            20);
    wheel.install();
    Path script = wheel.venv().resolve("bin/wheel");
    assertThat(Files.readAllLines(script).get(0)).isEqualTo("#!" + wheel.venv() + "/bin/python");
    Process version = new ProcessBuilder(script.toString(), "version").start();
    assertThat(new String(version.getInputStream().readAllBytes()).trim()).contains("0.43.0");
    assertThat(version.waitFor()).isZero();
  }

  @Test
  void aMissingPythonSaysWhatToInstall() {
    VenvExecutor noPython =
        new VenvExecutor(
            "six",
            "1.16.0",
            null,
            "six",
            installDir,
            "/nonexistent/python3",
            Duration.ofMinutes(1),
            Map.of(),
            20);

    assertThatThrownBy(noPython::install)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("could not start /nonexistent/python3")
        .hasMessageContaining("python3-venv");
  }
}
