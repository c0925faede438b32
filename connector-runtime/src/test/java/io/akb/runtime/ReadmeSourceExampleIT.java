package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.testkit.CapturedOutput;
import io.akb.runtime.testkit.Faker;
import io.akb.runtime.testkit.ReadmeBlock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's first Java API example runs as written: the lines between the markers below are the
 * README's code block (the test fails when the two differ), run with the real source-faker at the
 * registry's version, given the {@code config} the block leaves to its reader.
 */
class ReadmeSourceExampleIT {
  @Test
  void theReadmesSourceExampleRunsAsWritten() throws Exception {
    JsonNode config = Faker.config(10);
    String printed;
    try (CapturedOutput output = CapturedOutput.start()) {
      // spotless:off
      // README:begin
      Source source = Airbyte.getSource("source-faker", config /* JsonNode */, ConnectorOptions.defaults());
      source.check();
      source.selectStreams(List.of("users"));
      try (MessageStream messages = source.read()) {
        while (messages.hasNext()) { AirbyteMessage m = messages.next(); /* RECORD, STATE, TRACE, ... */ }
      }
      try (Stream<JsonNode> users = source.getRecords("users", 5)) { users.forEach(System.out::println); }
      source.printSamples(System.out);                           // PyAirbyte's print_samples()
      // README:end
      // spotless:on
      printed = output.text();
    }

    // getRecords printed five users, a JSON object per line.
    List<JsonNode> users =
        printed
            .lines()
            .filter(line -> line.startsWith("{\"id\":"))
            .map(ReadmeSourceExampleIT::json)
            .toList();
    assertThat(users).hasSize(5).allSatisfy(user -> assertThat(user.has("email")).isTrue());
    // printSamples: the selected stream only, as a table (users have too many fields for columns).
    assertThat(printed)
        .contains("# Sample Records from `source-faker` (1 selected streams)")
        .contains("## `users` Stream Sample")
        .doesNotContain("## `products` Stream Sample")
        .contains("| Column Name ");
    ReadmeBlock.assertInReadme(ReadmeSourceExampleIT.class);
  }

  private static JsonNode json(String line) {
    try {
      return AirbyteJson.parse(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
