package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.exec.ConnectorExecutor;
import io.akb.runtime.exec.ConnectorInvocation;
import io.akb.runtime.exec.ConnectorProcess;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.secret.SecretResolver;
import io.akb.runtime.testkit.FakeConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorSpecsTest {
  @TempDir Path dir;

  /** The fake connector behind a description of its own, keeping its spec where told. */
  private static ConnectorExecutor keepingSpecIn(
      FakeConnector connector, String description, Path specFile) {
    ConnectorExecutor local = connector.executor();
    return new ConnectorExecutor() {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public Path specFile() {
        return specFile;
      }

      @Override
      public ConnectorProcess start(ConnectorInvocation invocation) {
        return local.start(invocation);
      }
    };
  }

  @Test
  void aSpecKeptByTheExecutorIsReadByTheNextRunWithoutStartingTheConnector() throws Exception {
    Path starts = dir.resolve("starts.log");
    FakeConnector connector =
        FakeConnector.bash(
            dir,
            "source-fake",
            "echo \"$1\" >> '" + starts + "'\necho '" + FakeConnector.SPEC_WITH_SECRET + "'");
    Path specFile = dir.resolve("venv-spec.json");

    // Two runs of the same installed connector: two JVMs, as far as the in-memory memo knows.
    Source first =
        new Source(
            "source-fake",
            keepingSpecIn(connector, "run 1 " + dir, specFile),
            ConnectorOptions.defaults(),
            SecretResolver.defaults(),
            null);
    Source second =
        new Source(
            "source-fake",
            keepingSpecIn(connector, "run 2 " + dir, specFile),
            ConnectorOptions.defaults(),
            SecretResolver.defaults(),
            null);

    assertThat(first.configSpec().path("required").get(0).asText()).isEqualTo("api_key");
    assertThat(specFile).exists();
    assertThat(second.configSpec()).isEqualTo(first.configSpec());
    assertThat(Files.readAllLines(starts)).containsExactly("spec");
  }

  @Test
  void twoDestinationsOfOneInstalledConnectorStartItForTheSpecOnce() throws Exception {
    // akb sync --destination: the early config check and the target each make a Destination.
    Path starts = dir.resolve("starts.log");
    FakeConnector connector =
        FakeConnector.bash(
            dir,
            "destination-fake",
            "echo \"$1\" >> '" + starts + "'\necho '" + FakeConnector.SPEC_WITH_SECRET + "'");
    ConnectorExecutor executor = keepingSpecIn(connector, "destination " + dir, null);
    JsonNode config = AirbyteJson.parse("{\"api_key\": \"k\"}");

    Destination checked =
        new Destination("destination-fake", config, executor, ConnectorOptions.defaults());
    Destination target =
        new Destination("destination-fake", config, executor, ConnectorOptions.defaults());

    assertThat(target.spec()).isEqualTo(checked.spec());
    assertThat(Files.readAllLines(starts)).containsExactly("spec");
  }
}
