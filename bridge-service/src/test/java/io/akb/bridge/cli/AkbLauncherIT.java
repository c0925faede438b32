package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.testkit.TestConnectorImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./akb} launcher at the repository root as a user would: a process with no
 * stdin, its output lines and exit code checked. The connector is the real {@code
 * airbyte-source-faker} from PyPI, installed into a venv under {@code AKB_INSTALL_DIR} on first
 * use. The launcher is told not to build ({@code AKB_SKIP_BUILD=1}): the Maven build running this
 * test has just packaged what it runs.
 */
class AkbLauncherIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  record Run(int exitCode, List<String> stdout, String stderr) {}

  /** Runs {@code ./akb} with {@code args} from the repository root; also used by other ITs. */
  static Run akb(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("akb").toString()));
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile("akb-stderr", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(ROOT.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectError(stderr.toFile());
      builder.environment().put("AKB_SKIP_BUILD", "1");
      Process process = builder.start();
      List<String> stdout =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .toList();
      // A guard against a hung run, not a timing assertion.
      assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("akb finished").isTrue();
      return new Run(process.exitValue(), stdout, Files.readString(stderr));
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  @Test
  void discoverListsTheFakerStreamsWithSyncModesKeysAndCursors() throws Exception {
    Run run = akb("discover", "source-faker", "--config", "{\"count\": 100}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout().get(0)).startsWith("STREAM").contains("SYNC MODES", "PRIMARY KEY");
    assertThat(run.stdout())
        .anyMatch(line -> line.matches("users +full_refresh,incremental +id +updated_at"))
        .anyMatch(line -> line.startsWith("products "))
        .anyMatch(line -> line.startsWith("purchases "))
        .hasSize(4);
  }

  @Test
  void peekPrintsTheFirstRecordsAsJsonLines() throws Exception {
    Run run = akb("peek", "source-faker", "users", "--limit", "5", "--config", "{\"count\": 100}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).hasSize(5);
    List<Integer> ids = new ArrayList<>();
    for (String line : run.stdout()) {
      JsonNode user = AirbyteJson.parse(line);
      assertThat(user.get("email").asText()).contains("@");
      ids.add(user.get("id").asInt());
    }
    assertThat(ids).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void peekStopsTheSourceInsteadOfReadingTheWholeStream() throws Exception {
    // Ten million users take the faker far longer than the guard above: only a stop ends it.
    Run run =
        akb("peek", "source-faker", "users", "--limit", "3", "--config", "{\"count\": 10000000}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).hasSize(3);
  }

  @Test
  void aDockerImageRunsDiscoverAndPeek() throws Exception {
    TestConnectorImage.build();
    String[] image = {"--docker-image", TestConnectorImage.NAME};
    String config = "{\"greeting\": \"hi\"}";

    Run discover =
        akb(concat(new String[] {"discover", "source-greetings", "--config", config}, image));
    assertThat(discover.exitCode()).as(discover.stderr()).isZero();
    assertThat(discover.stdout())
        .containsExactly(
            "STREAM     SYNC MODES                PRIMARY KEY  CURSOR",
            "greetings  full_refresh,incremental  id           id");

    Run peek =
        akb(
            concat(
                new String[] {
                  "peek", "source-greetings", "greetings", "--limit", "2", "--config", config
                },
                image));
    assertThat(peek.exitCode()).as(peek.stderr()).isZero();
    assertThat(peek.stdout())
        .containsExactly("{\"id\":1,\"text\":\"hello 1\"}", "{\"id\":2,\"text\":\"hello 2\"}");
  }

  @Test
  void aDockerImageThatIsNotThereIsNeverPulled() throws Exception {
    Run run = akb("spec", "source-faker", "--docker-image", "akb-test-absent:0");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr())
        .startsWith("Error: Docker image akb-test-absent:0 (network host) failed:")
        .contains("AKB never pulls images", "docker build");
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  @Test
  void aConfigFailingTheSpecIsOneParagraphAndExitCodeOne() throws Exception {
    Run run = akb("check", "source-faker", "--config", "{\"count\": \"many\"}");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr().strip())
        .startsWith("Error: ")
        .contains("source-faker", "$.count", "integer")
        .doesNotContain("Exception", "\tat ");
    assertThat(run.stderr().strip().lines()).hasSize(1);
  }

  @Test
  void aConfigThatIsNotJsonNamesWhereWithoutQuotingIt() throws Exception {
    Run run = akb("check", "source-faker", "--config", "{\"password\": hunter2}");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr())
        .contains("not valid JSON", "line 1, column")
        .doesNotContain("hunter2", "Exception");
  }

  @Test
  void aMissingConfigPointsToHelp() throws Exception {
    Run run = akb("discover", "source-faker");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr())
        .contains("Missing required option: '--config=FILE|JSON'")
        .contains("Run 'akb discover --help' for its options.");
  }
}
