package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.ConnectorOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's parsing, listing and error output, without running a connector. */
class AkbCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int akb(String... args) {
    CommandLine commandLine = AkbCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void theIdleTimeoutTakesADurationWithItsUnit() {
    IdleTimeoutOption.DurationConverter duration = new IdleTimeoutOption.DurationConverter();
    assertThat(duration.convert("90s")).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(duration.convert("10m")).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(duration.convert("2h")).isEqualTo(java.time.Duration.ofHours(2));
    assertThat(duration.convert("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(duration.convert("0")).isZero();

    assertThat(akb("read", "source-faker", "--config", "{}", "--idle-timeout", "90")).isOne();
    assertThat(err.toString())
        .contains("--idle-timeout")
        .contains("'90' has no unit: write 90s or 90m");
    assertThat(akb("sync", "--help")).isZero();
    assertThat(out.toString()).contains("--idle-timeout=DURATION").contains("Default: 10m");
  }

  @Test
  void connectorsFiltersByNameAndType() {
    assertThat(akb("connectors", "FAKER", "--type", "source")).isZero();

    assertThat(out.toString().lines())
        .containsExactly(
            "NAME          VERSION  RUNS HERE       PYPI PACKAGE          DOCKER IMAGE          VERSIONS",
            "source-faker  7.2.1    venv from PyPI  airbyte-source-faker  airbyte/source-faker  109",
            "1 connector, from the registry snapshot");
  }

  @Test
  void connectorsListTheVersionsTheRegistryRecordsWithVersions() {
    assertThat(akb("connectors", "ailake", "--versions")).isZero();
    assertThat(out.toString().lines())
        .anyMatch(line -> line.matches("destination-ailake +0\\.1\\.16 +venv from PyPI +.* 1"))
        .contains("destination-ailake versions: 0.1.16");

    out.getBuffer().setLength(0);
    assertThat(akb("connectors", "faker", "--versions")).isZero();
    assertThat(out.toString().lines())
        .filteredOn(line -> line.startsWith("source-faker versions: "))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("source-faker versions: 4.0.0 6.0.0 ")
                    .contains(" 6.2.0 ")
                    .endsWith(" 7.2.1"));

    out.getBuffer().setLength(0);
    assertThat(akb("connectors", "postgres", "--versions")).isZero();
    assertThat(out.toString().lines())
        .contains("destination-postgres versions: not recorded")
        .anyMatch(line -> line.startsWith("destination-postgres  ") && line.endsWith("  -"));
  }

  @Test
  void connectorsSayHowEachRunsHereAndWhatTheRegistryNotes() {
    assertThat(akb("connectors", "postgres")).isZero();
    assertThat(out.toString().lines())
        .contains(
            "destination-postgres  2.4.7    Docker image (needs a local image)  -"
                + "             airbyte/destination-postgres  -")
        .anyMatch(line -> line.startsWith("source-postgres       3.7.0    Docker image"))
        .anyMatch(
            line ->
                line.startsWith("destination-postgres: Airbyte ships it only as the Docker image")
                    && line.contains("cannot be pulled here"));

    out.getBuffer().setLength(0);
    assertThat(akb("connectors", "pgvector")).isZero();
    assertThat(out.toString().lines())
        .anyMatch(line -> line.matches("destination-pgvector +0\\.1\\.13 +not runnable +.*"))
        .anyMatch(line -> line.startsWith("destination-pgvector: 0.1.13 does not install"));

    out.getBuffer().setLength(0);
    assertThat(akb("connectors", "pokeapi")).isZero();
    assertThat(out.toString().lines())
        .anyMatch(line -> line.matches("source-pokeapi +0\\.2\\.15 +venv from PyPI +.*"))
        .contains("source-pokeapi: declarative; its wheel ships source_pokeapi/manifest.yaml");
  }

  @Test
  void onlyDestinationsWithTypeDestination() {
    assertThat(akb("connectors", "--type", "destination")).isZero();

    assertThat(out.toString().lines().skip(1).filter(line -> !line.contains(" connectors, from ")))
        .isNotEmpty()
        .allMatch(line -> line.startsWith("destination-"));
  }

  @Test
  void aConfigThatIsNeitherJsonNorAFileIsExplained() {
    assertThat(akb("check", "source-faker", "--config", "no-such-file.json")).isEqualTo(1);

    assertThat(err.toString().strip())
        .isEqualTo(
            "Error: reading the config of source-faker failed: 'no-such-file.json' is neither a"
                + " JSON object nor a file. Pass a JSON object such as --config '{\"count\": 100}',"
                + " or the path of a JSON file.");
  }

  @Test
  void aCrashingConnectorShowsItsLastLogLines(@TempDir Path dir) throws Exception {
    Path connector =
        Files.writeString(
            dir.resolve("crash.sh"),
            "#!/bin/sh\necho \"starting $1\" >&2\necho 'ValueError: bad token' >&2\nexit 1\n");
    assertThat(connector.toFile().setExecutable(true)).isTrue();

    assertThat(akb("spec", "source-crash", "--local-executable", connector.toString()))
        .isEqualTo(1);

    assertThat(err.toString().lines())
        .first()
        .asString()
        .startsWith("Error: source-crash spec failed: the connector exited with code 1");
    assertThat(err.toString())
        .contains(
            "Last connector log lines:\n  stderr: starting spec\n  stderr: ValueError: bad token")
        .doesNotContain("\tat ");
  }

  @Test
  void syncChecksTheConfigBeforeItStartsAnything(@TempDir Path dir) throws Exception {
    Path connector =
        Files.writeString(
            dir.resolve("source-strict.sh"),
            "#!/bin/sh\n[ \"$1\" = spec ] && echo '{\"type\":\"SPEC\",\"spec\":"
                + "{\"connectionSpecification\":{\"type\":\"object\",\"properties\":"
                + "{\"count\":{\"type\":\"integer\"}}}}}'\nexit 0\n");
    assertThat(connector.toFile().setExecutable(true)).isTrue();
    Path work = dir.resolve("work");

    int exit =
        akb(
            "sync",
            "source-strict",
            "--local-executable",
            connector.toString(),
            "--config",
            "{\"count\": \"abc\"}",
            "--work-dir",
            work.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("count")
        .contains("integer")
        .doesNotContain("/connector-plugins");
    assertThat(work.resolve("kafka")).as("no broker was started").doesNotExist();
  }

  @Test
  void syncRefusesDestinationOptionsThatDoNotGoTogetherBeforeItStartsAnything(@TempDir Path dir) {
    Path work = dir.resolve("work");
    String[] sync = {"sync", "source-x", "--config", "{}", "--work-dir", work.toString()};
    Map<List<String>, String> refused =
        Map.of(
            List.of("--destination", "destination-x"),
            "--destination destination-x needs --destination-config",
            List.of(
                "--destination",
                "destination-x",
                "--destination-config",
                "{}",
                "--cache",
                "duckdb:x.duckdb"),
            "--cache and --destination both name where the records go",
            List.of("--destination-local-executable", "/bin/true"),
            "--destination-local-executable needs --destination NAME",
            List.of(
                "--destination",
                "destination-x",
                "--destination-config",
                "{}",
                "--strategy",
                "replace"),
            "--strategy replace cannot be used with --destination");

    refused.forEach(
        (options, message) -> {
          err.getBuffer().setLength(0);
          List<String> args = new ArrayList<>(List.of(sync));
          args.addAll(options);
          assertThat(akb(args.toArray(String[]::new))).as(String.join(" ", options)).isEqualTo(1);
          assertThat(err.toString()).contains(message);
        });
    assertThat(work.resolve("kafka")).as("no broker was started").doesNotExist();
  }

  @Test
  void aConfigFileIsRead(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("faker.json"), "{\"count\": 7}");
    ConfigOption option = new ConfigOption();
    option.config = file.toString();

    assertThat(option.load("source-faker").get("count").asInt()).isEqualTo(7);
  }

  @Test
  void aMissingArgumentNamesItAndPointsToHelp() {
    assertThat(akb("peek", "source-faker", "--config", "{}")).isEqualTo(1);

    assertThat(err.toString())
        .contains("Missing required parameter: 'STREAM'")
        .contains("Run 'akb peek --help' for its options.");
  }

  @Test
  void aLimitBelowOneIsRefusedBeforeAnythingRuns() {
    assertThat(akb("peek", "source-faker", "users", "--limit", "0", "--config", "{}")).isEqualTo(1);

    assertThat(err.toString()).contains("--limit must be at least 1, not 0");
  }

  @Test
  void executorOptionsBecomeConnectorOptions() {
    ExecutorOptions options = new ExecutorOptions();
    new CommandLine(options)
        .parseArgs(
            "--version", "7.1.0", "--docker-image", "true", "--local-executable", "/bin/faker");

    ConnectorOptions connectorOptions = options.toConnectorOptions();
    assertThat(connectorOptions.version()).isEqualTo("7.1.0");
    assertThat(connectorOptions.dockerImage()).isEqualTo("true");
    assertThat(connectorOptions.localExecutable()).isEqualTo("/bin/faker");
    assertThat(connectorOptions.pipUrl()).isNull();
    assertThat(connectorOptions.installDir()).isEqualTo(ConnectorOptions.defaultInstallDir());
  }

  @Test
  void aStarSelectsEveryStream() {
    StreamsOption star = new StreamsOption();
    new CommandLine(star).parseArgs("--streams", "*");
    StreamsOption named = new StreamsOption();
    new CommandLine(named).parseArgs("--streams", "users,products");

    assertThat(star.selected()).as("every stream").isEmpty();
    assertThat(named.selected()).containsExactly("users", "products");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command :
        new String[] {
          "connectors",
          "spec",
          "check",
          "discover",
          "peek",
          "samples",
          "read",
          "records",
          "validate",
          "benchmark",
          "serve"
        }) {
      out.getBuffer().setLength(0);
      assertThat(akb(command, "--help")).isZero();
      assertThat(out.toString()).startsWith("Usage: akb " + command);
    }
  }
}
