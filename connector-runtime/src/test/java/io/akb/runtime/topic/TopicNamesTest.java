package io.akb.runtime.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.protocol.StreamDescriptor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicNamesTest {
  private static final StreamDescriptor DUP_SPACE = new StreamDescriptor("dup name", null);
  private static final StreamDescriptor DUP_UNDERSCORE = new StreamDescriptor("dup_name", null);
  private static final StreamDescriptor USERS = new StreamDescriptor("users", "");

  @Test
  void streamsWhoseNamesCollideAfterSanitizingGetTopicsOfTheirOwn() {
    Map<StreamDescriptor, String> topics =
        TopicNames.recordTopics("p.", List.of(DUP_SPACE, DUP_UNDERSCORE, USERS));

    assertThat(topics.get(DUP_UNDERSCORE)).isEqualTo("p.dup_name");
    assertThat(topics.get(DUP_SPACE)).matches("p\\.dup_name_[0-9a-f]{8}");
    assertThat(topics.get(new StreamDescriptor("users", null))).isEqualTo("p.users");
    assertThat(new HashSet<>(topics.values())).hasSize(3);
  }

  @Test
  void theNamesDependOnTheSetOfStreamsNotOnTheirOrder() {
    assertThat(TopicNames.recordTopics("p.", List.of(DUP_UNDERSCORE, DUP_SPACE, USERS)))
        .isEqualTo(TopicNames.recordTopics("p.", List.of(USERS, DUP_SPACE, DUP_UNDERSCORE)));
  }

  @Test
  void withoutACollisionEveryStreamKeepsItsPlainTopic() {
    Map<StreamDescriptor, String> topics =
        TopicNames.recordTopics(
            "p.", List.of(DUP_SPACE, new StreamDescriptor("events", "app"), USERS));
    assertThat(topics.values()).containsExactly("p.dup_name", "p.app.events", "p.users");
    assertThat(topics.get(DUP_SPACE)).isEqualTo(TopicNames.recordTopic("p.", null, "dup name"));
  }

  @Test
  void whenNoNameIsLegalAsItIsEveryStreamOfTheGroupGetsAHash() {
    Map<StreamDescriptor, String> topics =
        TopicNames.recordTopics("p.", List.of(DUP_SPACE, new StreamDescriptor("dup/name", null)));
    assertThat(topics.values()).allMatch(t -> t.matches("p\\.dup_name_[0-9a-f]{8}"));
    assertThat(new HashSet<>(topics.values())).hasSize(2);
  }

  @Test
  void aNamespaceDotNameAndTheSameDottedNameDoNotShareATopic() {
    Map<StreamDescriptor, String> topics =
        TopicNames.recordTopics(
            "p.",
            List.of(
                new StreamDescriptor("events", "app"), new StreamDescriptor("app.events", null)));
    assertThat(new HashSet<>(topics.values())).hasSize(2);
    assertThat(topics.values()).contains("p.app.events");
  }

  @Test
  void collidingLongNamesStayWithinKafkasLimit() {
    String longName = "x".repeat(300);
    Map<StreamDescriptor, String> topics =
        TopicNames.recordTopics(
            "p.",
            List.of(new StreamDescriptor(longName, null), new StreamDescriptor(longName, "")));
    assertThat(topics).hasSize(1); // the same stream twice is one stream
    Map<StreamDescriptor, String> two =
        TopicNames.recordTopics(
            "p.",
            List.of(
                new StreamDescriptor(longName + " a", null),
                new StreamDescriptor(longName + "_a", null)));
    assertThat(two.values()).allMatch(t -> t.length() <= TopicNames.MAX_LENGTH);
    assertThat(new HashSet<>(two.values())).hasSize(2);
  }
}
