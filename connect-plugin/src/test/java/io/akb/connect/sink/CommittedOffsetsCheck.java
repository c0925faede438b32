package io.akb.connect.sink;

import io.akb.connect.ConnectTestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's promise, checked from outside: the committed offsets never pass the last STATE the
 * destination echoed, so every record below a committed offset is already in the destination. Each
 * {@link #check} reads the committed offsets first, then what the destination holds, then where the
 * records are (a record below a committed offset was in the log before the commit).
 */
final class CommittedOffsetsCheck {
  /** Where a record with user id {@code id} is in the log. */
  record Position(TopicPartition partition, long offset, long id) {}

  private final ConnectTestCluster cluster;
  private final String connector;
  private final List<String> violations = new ArrayList<>();

  CommittedOffsetsCheck(ConnectTestCluster cluster, String connector) {
    this.cluster = cluster;
    this.connector = connector;
  }

  /**
   * Notes a violation for each record below its partition's committed offset whose id the
   * destination does not hold.
   */
  void check(Supplier<Set<Long>> idsInDestination, Supplier<List<Position>> positions) {
    Map<TopicPartition, OffsetAndMetadata> committed = committed();
    Set<Long> present = idsInDestination.get();
    for (Position position : positions.get()) {
      OffsetAndMetadata commit = committed.get(position.partition());
      if (commit != null
          && position.offset() < commit.offset()
          && !present.contains(position.id())) {
        violations.add(
            "user "
                + position.id()
                + " at "
                + position.partition()
                + "@"
                + position.offset()
                + " is below the committed offset "
                + commit.offset()
                + " but not in the destination");
      }
    }
  }

  Map<TopicPartition, OffsetAndMetadata> committed() {
    return cluster.committedOffsets(connector);
  }

  /** The sum of the committed offsets over every partition the sink consumes. */
  long committedTotal() {
    return committed().values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  List<String> violations() {
    return violations;
  }
}
