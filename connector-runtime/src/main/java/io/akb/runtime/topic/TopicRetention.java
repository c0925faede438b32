package io.akb.runtime.topic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long the topics AKB creates keep their records. The topics are the cache (ARCHITECTURE.md),
 * so by default they keep everything: {@code retention.ms=-1} and {@code retention.bytes=-1}. A
 * record's timestamp is its {@code emitted_at}, which may be months old, so under a broker's
 * default retention (7 days) the broker would delete a backfill as soon as it lands.
 *
 * <p>The cleanup policy applies to record topics of streams with a primary key only: a compacted
 * topic refuses records without a key, and the state topic needs every event in order (compacting
 * it by task id would keep only the last), so those two always use {@code delete}.
 *
 * @param retentionMs {@code retention.ms} of the topics created; -1 keeps records forever
 * @param retentionBytes {@code retention.bytes} (per partition) of the topics created; -1 means no
 *     size limit
 * @param cleanupPolicy {@code cleanup.policy} of keyed streams' record topics: {@code delete},
 *     {@code compact}, or both comma separated
 */
public record TopicRetention(long retentionMs, long retentionBytes, String cleanupPolicy) {
  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String CLEANUP_POLICY = "cleanup.policy";

  /** The cleanup policies Kafka knows, the values {@code cleanupPolicy} may list. */
  public static final List<String> CLEANUP_POLICIES = List.of("delete", "compact");

  /** Records kept until the user decides otherwise: the default of every topic AKB creates. */
  public static final TopicRetention FOREVER = new TopicRetention(-1, -1, "delete");

  public TopicRetention {
    if (retentionMs < -1 || retentionBytes < -1) {
      throw new IllegalArgumentException("retention is -1 (unlimited) or a positive amount");
    }
    cleanupPolicy = cleanupPolicy == null ? "delete" : cleanupPolicy.toLowerCase(Locale.ROOT);
    for (String policy : cleanupPolicy.split(",")) {
      if (!CLEANUP_POLICIES.contains(policy.trim())) {
        throw new IllegalArgumentException(
            "cleanup policy '" + policy.trim() + "' is not one of " + CLEANUP_POLICIES);
      }
    }
  }

  /** Topic configs of a new record topic; {@code keyed} when its stream has a primary key. */
  public Map<String, String> recordTopicConfigs(boolean keyed) {
    Map<String, String> configs = retentionConfigs();
    configs.put(CLEANUP_POLICY, keyed ? cleanupPolicy.replace(" ", "") : "delete");
    return configs;
  }

  /** Topic configs of a new state topic. */
  public Map<String, String> stateTopicConfigs() {
    Map<String, String> configs = retentionConfigs();
    configs.put(CLEANUP_POLICY, "delete");
    return configs;
  }

  /**
   * Topic configs of a new schemas topic: compacted (one record per schema fingerprint, none ever
   * deleted by age) with this retention.
   */
  public Map<String, String> schemasTopicConfigs() {
    Map<String, String> configs = retentionConfigs();
    configs.put(CLEANUP_POLICY, "compact");
    return configs;
  }

  /**
   * The settings of an existing topic (its effective configs, by name) under which the broker
   * deletes records this retention would keep: a finite {@code retention.ms} or {@code
   * retention.bytes} below the one asked for (any finite one when -1 is). Empty when the topic
   * keeps at least what it should.
   */
  public Map<String, String> shorterThanWanted(Map<String, String> topicConfigs) {
    Map<String, String> shorter = new LinkedHashMap<>();
    check(topicConfigs, RETENTION_MS, retentionMs, shorter);
    check(topicConfigs, RETENTION_BYTES, retentionBytes, shorter);
    return shorter;
  }

  private static void check(
      Map<String, String> topicConfigs, String name, long wanted, Map<String, String> shorter) {
    String value = topicConfigs.get(name);
    if (value == null) {
      return;
    }
    long actual;
    try {
      actual = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return;
    }
    if (actual >= 0 && (wanted < 0 || actual < wanted)) {
      shorter.put(name, value.trim());
    }
  }

  private Map<String, String> retentionConfigs() {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put(RETENTION_MS, Long.toString(retentionMs));
    configs.put(RETENTION_BYTES, Long.toString(retentionBytes));
    return configs;
  }
}
