package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.SyncMode;
import io.akb.runtime.testkit.Faker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Samples, selection and overrides with the real faker, the way a PyAirbyte user calls {@code
 * get_samples}, {@code print_samples}, {@code select_streams("*")}, {@code set_primary_keys},
 * {@code set_cursor_keys} and {@code validate=False}.
 */
class SourceSamplesIT {
  private static Source faker;

  @BeforeAll
  static void installFaker() {
    faker = Faker.source(1_000);
  }

  @Test
  void getSamplesOfEveryStreamTakesFiveRecordsEach() {
    Map<String, List<JsonNode>> samples = faker.getSamples(List.of("*"), Source.OnError.RAISE);

    assertThat(samples).containsOnlyKeys(Faker.STREAMS);
    assertThat(samples.values()).allSatisfy(records -> assertThat(records).hasSize(5));
    assertThat(samples.get("users"))
        .allSatisfy(user -> assertThat(user.get("email").asText()).contains("@"));
    assertThat(samples.get("purchases").get(0).has("product_id")).isTrue();
  }

  @Test
  void aStreamThatFailsRaisesOrIsNullWithIgnoreAndLog() {
    assertThatThrownBy(() -> faker.getSamples(List.of("users", "orders"), 2, Source.OnError.RAISE))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("the source has no stream named orders")
        .hasMessageContaining("Available streams: products, users, purchases");

    for (Source.OnError onError : List.of(Source.OnError.IGNORE, Source.OnError.LOG)) {
      Map<String, List<JsonNode>> samples =
          faker.getSamples(List.of("users", "orders"), 2, onError);
      assertThat(samples).containsOnlyKeys("users", "orders");
      assertThat(samples.get("users")).hasSize(2);
      assertThat(samples.get("orders")).isNull();
    }
    assertThat(Source.OnError.fromString("log")).isEqualTo(Source.OnError.LOG);
    assertThatThrownBy(() -> Source.OnError.fromString("warn"))
        .hasMessageContaining("'warn' is not one of raise, ignore, log");
  }

  @Test
  void printSamplesShowsATablePerStream() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    faker.printSamples(
        List.of("products", "users", "orders"),
        3,
        Source.OnError.LOG,
        new PrintStream(bytes, true));
    String text = bytes.toString(StandardCharsets.UTF_8);
    List<String> lines = Arrays.asList(text.split("\n"));

    assertThat(lines.get(0)).isEqualTo("# Sample Records from `source-faker` (3 selected streams)");
    assertThat(lines)
        .containsSubsequence(
            "## `products` Stream Sample",
            "## `users` Stream Sample",
            "## `orders` Stream Sample",
            "Error fetching sample records.",
            "--------------");
    // products: 7 fields, a column each, a row per record; a rule below each row.
    String productsHeader =
        lines.stream().filter(l -> l.startsWith("| id ")).findFirst().orElseThrow();
    assertThat(productsHeader).contains("| make ", "| model ", "| price ");
    // users: 17 fields, so turned around: a row per field, a column per record.
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).startsWith("| Column Name ").contains("| Record 3 "));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("| email ").contains("@"));
    assertThat(lines.stream().filter(l -> l.startsWith("| Column Name ")).count()).isEqualTo(1);
    assertThat(lines.stream().filter(l -> l.startsWith("+=")).count()).isEqualTo(2);
  }

  @Test
  void theStarSelectsEveryStreamAndPluralOverridesSetSeveralStreams() {
    Source source = Faker.source(10).selectStreams("*");
    assertThat(source.selectedStreams()).containsExactlyElementsOf(Faker.STREAMS);
    assertThat(source.configuredCatalog(List.of("*"), true).streams())
        .hasSize(3)
        .extracting(ConfiguredAirbyteStream::syncMode)
        .containsOnly(SyncMode.FULL_REFRESH);

    source
        .setPrimaryKeys(Map.of("users", List.of("email"), "products", List.of("make", "model")))
        .setCursorKeys(Map.of("users", "created_at", "purchases", "purchased_at"));

    ConfiguredAirbyteCatalog catalog = source.configuredCatalog();
    assertThat(stream(catalog, "users").primaryKey()).containsExactly(List.of("email"));
    assertThat(stream(catalog, "users").cursorField()).containsExactly("created_at");
    assertThat(stream(catalog, "products").primaryKey())
        .containsExactly(List.of("make"), List.of("model"));
    assertThat(stream(catalog, "purchases").cursorField()).containsExactly("purchased_at");
    assertThat(stream(catalog, "purchases").primaryKey()).containsExactly(List.of("id"));

    assertThatThrownBy(
            () -> source.setCursorKeys(Map.of("products", "year", "orders", "placed_at")))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("the source has no stream named orders");
    assertThat(stream(source.configuredCatalog(), "products").cursorField())
        .containsExactly("updated_at"); // nothing of the refused call was set
  }

  @Test
  void validationCanBeSkippedAndRunLater() throws Exception {
    JsonNode badCount = AirbyteJson.parse("{\"count\": \"many\"}");
    assertThatThrownBy(() -> Airbyte.getSource(Faker.NAME, badCount, Faker.options()))
        .hasMessageContaining("$.count");

    Source unchecked = Airbyte.getSource(Faker.NAME, badCount, Faker.options(), false);

    assertThat(unchecked.config().get("count").asText()).isEqualTo("many");
    assertThatThrownBy(unchecked::validateConfig)
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("$.count")
        .hasMessageContaining("integer");
    assertThat(
            unchecked
                .setConfig(Faker.config(3), true)
                .getSamples(List.of("users"), 2, Source.OnError.RAISE)
                .get("users"))
        .hasSize(2);
  }

  private static ConfiguredAirbyteStream stream(ConfiguredAirbyteCatalog catalog, String name) {
    return catalog.streams().stream()
        .filter(s -> s.stream().name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
