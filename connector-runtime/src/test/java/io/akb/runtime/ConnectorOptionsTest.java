package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.control.ConfigUpdates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorOptionsTest {

  @Test
  void eachWithMethodSetsItsOwnOptionAndKeepsTheOthers() {
    ConnectorOptions options =
        ConnectorOptions.defaults()
            .withVersion("7.2.1")
            .withPipUrl("airbyte-source-faker==7.2.1")
            .withDockerImage("airbyte/source-faker:6.2.0")
            .withLocalExecutable("/bin/faker")
            .withManifest("manifest.yaml")
            .withInstallDir(Path.of("/opt/akb"))
            .withPython("python3.11")
            .withIdleTimeout(Duration.ZERO)
            .withInstallTimeout(Duration.ofMinutes(3))
            .withMaxLineBytes(1024)
            .withLogTailLines(7)
            .withEnvironment(Map.of("A", "b"))
            .withConfigUpdates(ConfigUpdates.in(Path.of("/var/lib/akb/updates"), "shop"));

    assertThat(options)
        .isEqualTo(
            new ConnectorOptions(
                "7.2.1",
                "airbyte-source-faker==7.2.1",
                "airbyte/source-faker:6.2.0",
                "/bin/faker",
                "manifest.yaml",
                Path.of("/opt/akb"),
                "python3.11",
                Duration.ZERO,
                Duration.ofMinutes(3),
                1024,
                7,
                Map.of("A", "b"),
                ConfigUpdates.in(Path.of("/var/lib/akb/updates"), "shop")));
  }

  @Test
  void aCopyAppliesTheDefaultsAgainAndLeavesTheOriginal() {
    ConnectorOptions original = ConnectorOptions.defaults().withPython("python3.11");
    ConnectorOptions reset = original.withPython(null).withLogTailLines(0);

    assertThat(original.python()).isEqualTo("python3.11");
    assertThat(reset.python()).isEqualTo("python3");
    assertThat(reset.logTailLines()).isEqualTo(ConnectorOptions.defaults().logTailLines());
  }
}
