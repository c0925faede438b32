package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VenvExecutorTest {
  @TempDir Path dir;

  @Test
  void theRequirementPipCouldNotMeetIsReadFromItsOutput() {
    // pip 23.2's own last lines for airbyte-source-file==0.6.0, whose wheel pins a smart-open
    // version that PyPI never had.
    List<String> output =
        List.of(
            "INFO: pip is looking at multiple versions of airbyte-source-file to determine which"
                + " version is compatible with other requirements. This could take a while.",
            "ERROR: Could not find a version that satisfies the requirement smart-open[all]==0.6.0"
                + " (from airbyte-source-file) (from versions: 0.1.0, 0.1.1, 9.0.2)",
            "ERROR: No matching distribution found for smart-open[all]==0.6.0");
    assertThat(VenvExecutor.unsatisfiedRequirement(output)).isEqualTo("smart-open[all]==0.6.0");
    assertThat(VenvExecutor.unsatisfiedRequirement(List.of("ERROR: HTTP error 503"))).isNull();
  }

  @Test
  void aVersionTheIndexLacksIsAnsweredWithTheNearestVersionsTheRegistryRecords() {
    assertThat(
            VenvExecutor.knownVersions(
                "source-faker", "airbyte-source-faker", "airbyte-source-faker==6.2.99"))
        .isEqualTo(
            " The registry records 109 versions of airbyte-source-faker; the nearest are 6.2.38"
                + " and 7.0.0 (akb connectors source-faker --versions lists them).");
    // Nothing recorded for the connector, or another package under its name: no hint.
    assertThat(VenvExecutor.knownVersions("source-pokeapi", "airbyte-source-pokeapi", "x==1"))
        .isEmpty();
    assertThat(VenvExecutor.knownVersions("source-faker", "my-faker", "my-faker==1")).isEmpty();
  }

  @Test
  void scriptsBuiltInTheTempDirPointAtTheVenvsFinalPlace() throws Exception {
    Path temp = dir.resolve(".tmp-airbyte-source-x-1.0-123");
    Path venv = dir.resolve("airbyte-source-x-1.0");
    Path bin = Files.createDirectories(temp.resolve("bin"));
    Files.writeString(bin.resolve("source-x"), "#!" + temp + "/bin/python\nimport sys\n");
    Files.writeString(
        bin.resolve("activate"), "VIRTUAL_ENV=\"" + temp + "\"\nexport VIRTUAL_ENV\n");
    byte[] program = ("\u007fELF" + temp).getBytes(StandardCharsets.UTF_8);
    Files.write(bin.resolve("compiled"), program);

    VenvExecutor.pointScriptsAt(temp, venv);

    assertThat(Files.readString(bin.resolve("source-x")))
        .isEqualTo("#!" + venv + "/bin/python\nimport sys\n");
    assertThat(Files.readString(bin.resolve("activate"))).contains("VIRTUAL_ENV=\"" + venv + "\"");
    assertThat(Files.readAllBytes(bin.resolve("compiled"))).isEqualTo(program);
  }
}
