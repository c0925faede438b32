package io.akb.bridge.replay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;

/**
 * How the bridge instances replaying one shared target split its topics, in the target's Kafka
 * consumer group (classic protocol, eager rebalancing):
 *
 * <ul>
 *   <li>the record partitions are dealt round-robin over the members (sorted by member id), so each
 *       is written by exactly one instance;
 *   <li>every state topic partition goes to every member: each instance must see the sync starts
 *       (the catalogs its records need), and
 *   <li>one member, the <em>coordinator</em> (the first by member id), applies the checkpoints and
 *       sync ends and stores the state topics' offsets; its assignment carries a flag saying so.
 * </ul>
 *
 * <p>Kafka creates this assignor from {@link #CONFIG_STRATEGY}; the consumer's config hands it the
 * {@link Share} of its instance under {@link #SHARE_CONFIG}, where the assignment's role is left
 * for the target.
 */
public final class SharedTargetAssignor implements ConsumerPartitionAssignor, Configurable {
  /** The assignor's name in the group protocol. */
  public static final String NAME = "akb-shared-target";

  /** The value of {@code partition.assignment.strategy}. */
  public static final String CONFIG_STRATEGY = SharedTargetAssignor.class.getName();

  /** The consumer config key under which the {@link Share} object is passed. */
  public static final String SHARE_CONFIG = "akb.shared.target.share";

  private Share share;

  /**
   * What the assignor and its target share: which topics are state topics, and the role of the
   * latest assignment (written on the consumer's thread during a poll, read on the same thread).
   */
  public static final class Share {
    private final Predicate<String> isStateTopic;
    private boolean coordinator;

    public Share(Predicate<String> isStateTopic) {
      this.isStateTopic = isStateTopic;
    }

    /** Whether this instance coordinates the target (applies checkpoints) since the rebalance. */
    public boolean coordinator() {
      return coordinator;
    }
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object value = configs.get(SHARE_CONFIG);
    if (!(value instanceof Share given)) {
      throw new IllegalStateException(
          SHARE_CONFIG + " must hold the target's " + Share.class.getName());
    }
    share = given;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
    Map<String, Subscription> members = new TreeMap<>(groupSubscription.groupSubscription());
    List<String> memberIds = new ArrayList<>(members.keySet());
    Map<String, List<TopicPartition>> partitions = new HashMap<>();
    memberIds.forEach(id -> partitions.put(id, new ArrayList<>()));
    // Every topic any member subscribed to, in a stable order.
    TreeMap<String, Integer> topics = new TreeMap<>();
    members.values().stream()
        .flatMap(subscription -> subscription.topics().stream())
        .forEach(
            topic -> {
              Integer count = metadata.partitionCountForTopic(topic);
              if (count != null) {
                topics.put(topic, count);
              }
            });
    int next = 0;
    for (Map.Entry<String, Integer> topic : topics.entrySet()) {
      boolean state = share.isStateTopic.test(topic.getKey());
      List<String> subscribers =
          memberIds.stream()
              .filter(id -> members.get(id).topics().contains(topic.getKey()))
              .toList();
      if (subscribers.isEmpty()) {
        continue;
      }
      for (int p = 0; p < topic.getValue(); p++) {
        TopicPartition partition = new TopicPartition(topic.getKey(), p);
        if (state) {
          subscribers.forEach(id -> partitions.get(id).add(partition));
        } else {
          partitions.get(subscribers.get(next++ % subscribers.size())).add(partition);
        }
      }
    }
    Map<String, Assignment> assignments = new HashMap<>();
    String coordinator = memberIds.stream().min(Comparator.naturalOrder()).orElse(null);
    for (String id : memberIds) {
      ByteBuffer role = ByteBuffer.allocate(1).put(0, (byte) (id.equals(coordinator) ? 1 : 0));
      assignments.put(id, new Assignment(partitions.get(id), role));
    }
    return new GroupAssignment(assignments);
  }

  @Override
  public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
    ByteBuffer role = assignment.userData();
    share.coordinator = role != null && role.remaining() > 0 && role.get(role.position()) == 1;
  }
}
