package io.akb.connect.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * The task's view of Connect for tests that drive {@link AirbyteSinkTask} directly: it keeps the
 * rewinds the task asks for and the records it reports as errant. The Connect IT covers the real
 * worker.
 */
final class RecordingSinkTaskContext implements SinkTaskContext {
  final Map<TopicPartition, Long> rewinds = new HashMap<>();
  final List<SinkRecord> errant = new ArrayList<>();
  final List<Throwable> errantReasons = new ArrayList<>();
  private final Map<String, String> configs;

  RecordingSinkTaskContext(Map<String, String> configs) {
    this.configs = configs;
  }

  @Override
  public Map<String, String> configs() {
    return configs;
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {
    rewinds.putAll(offsets);
  }

  @Override
  public void offset(TopicPartition tp, long offset) {
    rewinds.put(tp, offset);
  }

  @Override
  public void timeout(long timeoutMs) {}

  @Override
  public Set<TopicPartition> assignment() {
    return Set.of();
  }

  @Override
  public void pause(TopicPartition... partitions) {}

  @Override
  public void resume(TopicPartition... partitions) {}

  @Override
  public void requestCommit() {}

  @Override
  public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
    return null;
  }

  @Override
  public ErrantRecordReporter errantRecordReporter() {
    return (record, error) -> {
      errant.add(record);
      errantReasons.add(error);
      return CompletableFuture.completedFuture(null);
    };
  }
}
