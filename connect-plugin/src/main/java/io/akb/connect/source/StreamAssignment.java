package io.akb.connect.source;

import java.util.ArrayList;
import java.util.List;

/**
 * Spreads streams over at most {@code tasks.max} tasks, round robin in catalog order, so each task
 * runs one {@code read} of its own streams. Never more tasks than streams.
 */
final class StreamAssignment {
  private StreamAssignment() {}

  /** Groups of stream names, one group per task; empty when there are no streams. */
  static List<List<String>> spread(List<String> streams, int maxTasks) {
    int tasks = Math.min(Math.max(1, maxTasks), streams.size());
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < streams.size(); i++) {
      groups.get(i % tasks).add(streams.get(i));
    }
    return groups;
  }
}
