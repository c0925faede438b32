package io.akb.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentAnswersTest {
  private final AtomicLong now = new AtomicLong();
  private final RecentAnswers<String> answers =
      new RecentAnswers<>(Duration.ofSeconds(60), now::get);
  private final AtomicInteger asked = new AtomicInteger();

  private String ask(String connector, String config) {
    return answers.get(
        connector, config, () -> "answer " + asked.incrementAndGet(), answer -> true);
  }

  @Test
  void theSameQuestionWithinTheLifetimeIsAskedOnce() {
    assertThat(ask("venv faker", "{\"count\":1}")).isEqualTo("answer 1");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(ask("venv faker", "{\"count\":1}")).isEqualTo("answer 1");
    assertThat(asked).hasValue(1);
  }

  @Test
  void anAnswerOlderThanTheLifetimeIsAskedAgain() {
    ask("venv faker", "{\"count\":1}");
    now.addAndGet(Duration.ofSeconds(60).toNanos());
    assertThat(ask("venv faker", "{\"count\":1}")).isEqualTo("answer 2");
  }

  @Test
  void anotherConfigOrConnectorIsAnotherQuestion() {
    ask("venv faker", "{\"count\":1}");
    assertThat(ask("venv faker", "{\"count\":2}")).isEqualTo("answer 2");
    assertThat(ask("docker faker", "{\"count\":1}")).isEqualTo("answer 3");
  }

  @Test
  void anAnswerNotToKeepIsAskedEveryTime() {
    AtomicInteger checks = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      answers.get("venv faker", "{}", () -> "FAILED " + checks.incrementAndGet(), a -> false);
    }
    assertThat(checks).hasValue(3);
  }
}
