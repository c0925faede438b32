package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.ConnectorOptions;
import io.akb.runtime.MessageStream;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.secret.SecretMasker;
import io.akb.runtime.testkit.FakeConnector;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's contract for {@code write}: input on stdin while the output is read. */
class ConnectorRunnerIT {
  @TempDir Path dir;

  @Test
  void aWriteRunReadsStdinAndEchoesStatesWhileTheCallerFeedsIt() throws Exception {
    // A destination in three lines of bash: it confirms each STATE it receives, as Airbyte's do.
    FakeConnector destination =
        FakeConnector.bash(
            dir,
            "destination-echo",
            "while IFS= read -r line; do case \"$line\" in *'\"STATE\"'*) echo \"$line\";; esac; done");
    ConnectorRunner runner =
        new ConnectorRunner(
            "destination-echo",
            destination.executor(),
            ConnectorOptions.defaults(),
            SecretMasker.none(),
            null);

    List<AirbyteMessage> confirmed = new ArrayList<>();
    try (MessageStream messages =
        runner.run(
            new ConnectorInvocation(
                "write", Map.of("--config", "{}", "--catalog", "{}"), List.of(), true))) {
      Thread feeder =
          new Thread(
              () -> {
                try (OutputStream stdin = messages.stdin()) {
                  for (int i = 1; i <= 3; i++) {
                    stdin.write(
                        (FakeConnector.record("users", i) + "\n").getBytes(StandardCharsets.UTF_8));
                    stdin.write(
                        (FakeConnector.state("users", i) + "\n").getBytes(StandardCharsets.UTF_8));
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      feeder.start();
      messages.forEachRemaining(confirmed::add);
      feeder.join();
    }

    assertThat(confirmed)
        .extracting(m -> m.state().stream().streamState().get("cursor").asInt())
        .containsExactly(1, 2, 3);
  }
}
