package io.akb.bridge.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SharedTargetAssignorTest {
  private static final String USERS = "airbyte.x.users";
  private static final String ORDERS = "airbyte.x.orders";
  private static final String STATE = "airbyte.x._state";

  private final SharedTargetAssignor.Share share =
      new SharedTargetAssignor.Share(topic -> topic.endsWith("_state"));
  private final SharedTargetAssignor assignor = new SharedTargetAssignor();

  private static Cluster cluster(Map<String, Integer> partitions) {
    Node node = new Node(0, "127.0.0.1", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    partitions.forEach(
        (topic, count) -> {
          for (int p = 0; p < count; p++) {
            infos.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
          }
        });
    return new Cluster("c", List.of(node), infos, Set.of(), Set.of());
  }

  @Test
  void recordPartitionsAreDealtOnceStatePartitionsToEveryoneAndOneMemberCoordinates() {
    assignor.configure(Map.of(SharedTargetAssignor.SHARE_CONFIG, share));
    Subscription all = new Subscription(List.of(USERS, ORDERS, STATE));
    Map<String, Assignment> assignments =
        assignor
            .assign(
                cluster(Map.of(USERS, 4, ORDERS, 2, STATE, 1)),
                new GroupSubscription(Map.of("m-b", all, "m-a", all, "m-c", all)))
            .groupAssignment();

    Set<TopicPartition> records = new HashSet<>();
    int recordCount = 0;
    for (Assignment assignment : assignments.values()) {
      assertThat(assignment.partitions()).contains(new TopicPartition(STATE, 0));
      List<TopicPartition> own =
          assignment.partitions().stream().filter(p -> !p.topic().equals(STATE)).toList();
      assertThat(own).hasSize(2); // 6 record partitions over 3 members
      records.addAll(own);
      recordCount += own.size();
    }
    assertThat(records).hasSize(6);
    assertThat(recordCount).as("no record partition given twice").isEqualTo(6);

    // The first member by id coordinates; each member learns its role from its assignment.
    assignor.onAssignment(assignments.get("m-a"), null);
    assertThat(share.coordinator()).isTrue();
    assignor.onAssignment(assignments.get("m-b"), null);
    assertThat(share.coordinator()).isFalse();
  }

  @Test
  void withoutTheTargetsShareTheAssignorRefusesToStart() {
    assertThatThrownBy(() -> assignor.configure(Map.of()))
        .hasMessageContaining(SharedTargetAssignor.SHARE_CONFIG);
  }
}
