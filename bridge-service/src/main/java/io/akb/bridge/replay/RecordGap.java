package io.akb.bridge.replay;

import io.akb.runtime.AkbException;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Records of one partition a target should have read but the broker no longer has: the one place
 * where both kinds of target (cache and destination) decide that records are gone.
 *
 * <p>Contract of {@link #find}: a target expected to read a partition from {@code expected} (its
 * stored next offset, or 0 for a partition it never read, since every partition starts at 0), and
 * the broker holds offsets {@code [beginning, end)}. Records are gone when {@code expected <
 * beginning} (deleted by retention or {@code Admin.deleteRecords} before the target read them:
 * exactly {@code beginning - expected} records) or when {@code expected > end} (the topic was
 * deleted and recreated, or truncated: how many records the old topic held after {@code expected}
 * is not known). Otherwise nothing is gone. Reading goes on at {@link #resumeAt()} when the
 * target's {@link GapPolicy} says to skip.
 *
 * @param topic the partition's topic
 * @param partition the partition
 * @param from the first missing offset: the target's position
 * @param resumeAt the first offset there is, where a target that skips the gap reads on
 * @param recreated whether the partition now ends before the target's position (deleted and
 *     recreated), so the number of records gone is unknown
 */
public record RecordGap(String topic, int partition, long from, long resumeAt, boolean recreated) {

  /** The gap a target reading {@code partition} from {@code expected} meets, if any. */
  static Optional<RecordGap> find(
      TopicPartition partition, long expected, long beginning, long end) {
    if (expected < beginning) {
      return Optional.of(
          new RecordGap(partition.topic(), partition.partition(), expected, beginning, false));
    }
    if (expected > end) {
      return Optional.of(
          new RecordGap(partition.topic(), partition.partition(), expected, beginning, true));
    }
    return Optional.empty();
  }

  /** Records gone, or -1 when unknown (a recreated topic). */
  public long records() {
    return recreated ? -1 : resumeAt - from;
  }

  /** {@code topic/partition}, as in the counts of the state topic. */
  public String partitionKey() {
    return topic + "/" + partition;
  }

  /** One sentence on what is gone, with the numbers. */
  public String describe() {
    if (recreated) {
      return partitionKey()
          + " ends before offset "
          + from
          + ", where this target stands: the topic was deleted and recreated (or truncated), and"
          + " the records the old topic held from offset "
          + from
          + " on are gone (how many is unknown)";
    }
    return partitionKey()
        + ": "
        + records()
        + (records() == 1 ? " record" : " records")
        + " (offsets "
        + from
        + ".."
        + (resumeAt - 1)
        + ") are gone, deleted by retention or delete-records before this target read them";
  }

  /**
   * The failure of a target whose policy is {@link GapPolicy#FAIL}: what is gone, the checkpoints
   * that wait on those partitions (sync id and sequence to the records they still need), and what
   * to do.
   */
  static RecordsGone failure(String target, List<RecordGap> gaps, List<String> waiting) {
    StringBuilder why = new StringBuilder();
    for (RecordGap gap : gaps) {
      why.append(why.isEmpty() ? "" : "; ").append(gap.describe());
    }
    if (!waiting.isEmpty()) {
      why.append("; checkpoints still waiting on these partitions (those that counted the lost")
          .append(" records can never complete): ")
          .append(String.join(", ", waiting));
    }
    return new RecordsGone(
        "replaying into target '" + target + "'",
        why.toString(),
        "The target stays FAILED until it is reset (POST /targets/"
            + target
            + "/reset, or akb sync --full-refresh), which reads on from the first record there is;"
            + " run a full refresh of the source to get the lost records again, or set akb.targets."
            + target
            + ".on-gap=skip to skip such gaps with a warning.");
  }

  /**
   * A target found records gone and its policy is {@link GapPolicy#FAIL}: not a transient failure,
   * so the target does not retry; it stays FAILED until it is reset.
   */
  public static final class RecordsGone extends AkbException {
    RecordsGone(String what, String why, String hint) {
      super(what, why, hint);
    }
  }

  /** What a target does when it finds records gone. */
  public enum GapPolicy {
    /** Turn FAILED and stay so until reset: no record is lost silently. The default. */
    FAIL,
    /**
     * Log a warning with the numbers, read on from the first record there is, and drop the
     * checkpoints that can no longer complete (their rows stay; their state is not written).
     */
    SKIP;

    /** Parses {@code fail} or {@code skip}, in any case. */
    public static GapPolicy fromProperty(String value) {
      for (GapPolicy policy : values()) {
        if (policy.name().equalsIgnoreCase(value == null ? "" : value.strip())) {
          return policy;
        }
      }
      throw new AkbException(
          "reading the option on-gap",
          "'" + value + "' is not a gap policy",
          "Use fail (the default) or skip.");
    }
  }
}
