package io.akb.cache.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentifierNormalizerTest {
  private final IdentifierNormalizer postgres = new IdentifierNormalizer(63);

  @Test
  void followsPyAirbytesLowerCaseRule() {
    assertThat(IdentifierNormalizer.pyAirbyteName("Hello World!")).isEqualTo("hello_world_");
    assertThat(IdentifierNormalizer.pyAirbyteName("Average Sales (%)"))
        .isEqualTo("average_sales____");
    assertThat(IdentifierNormalizer.pyAirbyteName("+1")).isEqualTo("_1");
    assertThat(IdentifierNormalizer.pyAirbyteName("1b")).isEqualTo("_1b");
    assertThat(IdentifierNormalizer.pyAirbyteName("___Hello, World___"))
        .isEqualTo("___hello__world___");
    assertThat(postgres.normalize("users\"; DROP TABLE x;--")).isEqualTo("users___drop_table_x___");
  }

  @Test
  void aNameOutsideAsciiBecomesUnderscoresOnePerCharacter() {
    // Code points, not UTF-16 units: the emoji is one underscore, as in Python.
    assertThat(IdentifierNormalizer.pyAirbyteName("prix 💶 été")).isEqualTo("prix____t_");
  }

  @Test
  void aLongNameIsCutAndEndsWithAHashOfTheWholeName() {
    String a = postgres.normalize("x".repeat(300));
    String b = postgres.normalize("x".repeat(299) + "y");
    assertThat(a).hasSize(63).startsWith("xxxx").matches("[a-z0-9_]+");
    assertThat(b).hasSize(63).isNotEqualTo(a);
    assertThat(postgres.normalize("x".repeat(300))).isEqualTo(a);
  }

  @Test
  void aNameWithoutLettersOrDigitsGetsAHash() {
    assertThat(postgres.normalize("%%%")).matches("_[0-9a-f]{8}");
    assertThat(postgres.normalize("%%%")).isNotEqualTo(postgres.normalize("$$$"));
  }

  @Test
  void collidingNamesGetDistinctDeterministicIdentifiers() {
    Set<String> taken = new HashSet<>();
    String first = postgres.unique("First Name", taken);
    taken.add(first);
    String second = postgres.unique("first_name", taken);
    taken.add(second);
    String third = postgres.unique("first name", taken);
    assertThat(first).isEqualTo("first_name");
    assertThat(second).startsWith("first_name_").isNotEqualTo(first);
    assertThat(third).startsWith("first_name_").isNotIn(first, second);
    assertThat(postgres.unique("first_name", Set.of("first_name"))).isEqualTo(second);
    String longCollision =
        postgres.unique("y".repeat(300), Set.of(postgres.normalize("y".repeat(300))));
    assertThat(longCollision).hasSizeLessThanOrEqualTo(63);
  }
}
