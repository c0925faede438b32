package io.akb.bridge.local;

import io.akb.bridge.replay.TargetStatus;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.topic.StateEvent;
import io.akb.runtime.topic.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one {@code akb sync} stands, per stream: records the connector has written to Kafka,
 * records per second, state checkpoints, records the cache has applied. Fed by the sync's loop
 * thread only (state events, topic end offsets, the replay target's status); displays read it on
 * that same thread.
 */
public final class SyncProgress {
  /** The phase shown beside the elapsed time. */
  public enum Phase {
    STARTING_KAFKA("starting Kafka"),
    STARTING_CONNECT("starting Kafka Connect and checking the source's config"),
    WAITING_FOR_SOURCE("starting the source"),
    READING("reading"),
    CACHING("writing the last records to the cache"),
    SAVING_FAILED("the source failed: writing what it sent to the cache"),
    DONE("done"),
    FAILED("failed");

    private final String label;

    Phase(String label) {
      this.label = label;
    }

    /** How the phase reads on screen. */
    public String label() {
      return label;
    }
  }

  /** One stream's figures. */
  public static final class StreamProgress {
    private final String name;
    private final String topic;
    private long records;
    private double recordsPerSecond;
    private int checkpoints;
    private long cached;
    private long lastSampleRecords;
    private long lastSampleNanos;

    StreamProgress(String name, String topic) {
      this.name = name;
      this.topic = topic;
    }

    /** The stream's name. */
    public String name() {
      return name;
    }

    /** The stream's record topic. */
    public String topic() {
      return topic;
    }

    /** Records of this sync written to the stream's topic. */
    public long records() {
      return records;
    }

    /** Records per second over the last few samples. */
    public double recordsPerSecond() {
      return recordsPerSecond;
    }

    /** State checkpoints of this stream (a GLOBAL state counts for every stream). */
    public int checkpoints() {
      return checkpoints;
    }

    /** Records of this stream the cache has applied in this run. */
    public long cached() {
      return cached;
    }
  }

  private final long startedNanos = System.nanoTime();
  private final String prefix;
  private final String source;
  private final Duration idleTimeout;

  /** When a record or event of this sync was last seen (nanoTime), 0 before the sync started. */
  private long lastActivityNanos;

  private final Map<String, StreamProgress> streams = new LinkedHashMap<>();
  private Phase phase = Phase.STARTING_KAFKA;
  private String syncId;
  private String syncStatus;
  private long finishedNanos;
  private long readStartedNanos;
  private long readEndedNanos;

  /** Where the topics go, as the phases name it; null: the cache. */
  private String target;

  /** Progress of a sync writing topics under {@code prefix}. */
  public SyncProgress(String prefix) {
    this(prefix, "the source", Duration.ZERO);
  }

  /**
   * Progress of a sync of {@code source} writing topics under {@code prefix}, whose connector is
   * stopped after {@code idleTimeout} without output ({@link Duration#ZERO}: never).
   */
  public SyncProgress(String prefix, String source, Duration idleTimeout) {
    this.prefix = prefix;
    this.source = source;
    this.idleTimeout = idleTimeout;
  }

  /**
   * Names where the topics go when it is not the cache (an Airbyte destination): the phases and the
   * written column then say so.
   */
  public void writesTo(String target) {
    this.target = target;
  }

  /** The phase as it reads on screen, naming the target. */
  public String phaseLabel() {
    return target == null ? phase.label() : phase.label().replace("the cache", target);
  }

  /** The word for records the target wrote: {@code cached}, or {@code written} to a destination. */
  public String writtenLabel() {
    return target == null ? "cached" : "written";
  }

  /**
   * How long the source must have sent nothing before the progress says it waits for it: soon
   * enough to be seen before a short idle timeout ends the wait, late enough not to flicker.
   */
  static Duration silenceShownAfter(Duration idleTimeout) {
    Duration usual = Duration.ofSeconds(10);
    if (idleTimeout.isZero() || idleTimeout.isNegative()) {
      return usual;
    }
    Duration quarter = idleTimeout.dividedBy(4);
    return quarter.compareTo(usual) < 0 ? quarter : usual;
  }

  /**
   * While the source is reading but has sent no record or checkpoint for a while, what the sync
   * waits for: {@code waiting for source-x: no records or checkpoints for 45 s (...)}; else null.
   */
  public String waiting() {
    return waiting(System.nanoTime());
  }

  String waiting(long nowNanos) {
    if (phase != Phase.READING || lastActivityNanos == 0) {
      return null;
    }
    Duration silent = Duration.ofNanos(nowNanos - lastActivityNanos);
    if (silent.compareTo(silenceShownAfter(idleTimeout)) < 0) {
      return null;
    }
    return waitingText(source, "no records or checkpoints", silent, idleTimeout);
  }

  /**
   * {@code waiting for source-x: <what> for 45 s (stopped after 10 min without output; see
   * --idle-timeout)}: one wording for {@code akb sync} and {@code akb read}.
   */
  static String waitingText(String source, String what, Duration silent, Duration idleTimeout) {
    return "waiting for "
        + source
        + ": "
        + what
        + " for "
        + silent.toSeconds()
        + " s ("
        + (idleTimeout.isZero() || idleTimeout.isNegative()
            ? "no idle timeout: it may wait forever; see --idle-timeout)"
            : "stopped after " + describe(idleTimeout) + " without output; see --idle-timeout)");
  }

  /** {@code 10 min}, {@code 90 s}, {@code 0.5 s}. */
  static String describe(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds >= 60 && seconds % 60 == 0) {
      return seconds / 60 + " min";
    }
    if (duration.toMillis() % 1000 == 0) {
      return seconds + " s";
    }
    return duration.toMillis() / 1000.0 + " s";
  }

  /** Moves to {@code phase}; {@link Phase#DONE} and {@link Phase#FAILED} stop the clock. */
  public void phase(Phase phase) {
    this.phase = phase;
    if ((phase == Phase.DONE || phase == Phase.FAILED) && finishedNanos == 0) {
      finishedNanos = System.nanoTime();
    }
  }

  /** The current phase. */
  public Phase phase() {
    return phase;
  }

  /** Time since the sync command started (until it finished). */
  public Duration elapsed() {
    long end = finishedNanos == 0 ? System.nanoTime() : finishedNanos;
    return Duration.ofNanos(end - startedNanos);
  }

  /** The sync's id once its {@code SYNC_STARTED} was seen, else null. */
  public String syncId() {
    return syncId;
  }

  /** {@code SUCCEEDED} or {@code FAILED} once the sync completed, else null. */
  public String syncStatus() {
    return syncStatus;
  }

  /** The streams, in the catalog's order. */
  public List<StreamProgress> streams() {
    return new ArrayList<>(streams.values());
  }

  /** Total records written to Kafka in this sync. */
  public long totalRecords() {
    return streams.values().stream().mapToLong(StreamProgress::records).sum();
  }

  /** Total records per second. */
  public double totalRecordsPerSecond() {
    return streams.values().stream().mapToDouble(StreamProgress::recordsPerSecond).sum();
  }

  /** Record topics of the sync's streams. */
  public List<String> topics() {
    return streams.values().stream().map(StreamProgress::topic).toList();
  }

  /**
   * Applies an event of the sync's state topic: the first {@code SYNC_STARTED} names the sync and
   * its streams; events of other syncs are ignored.
   */
  public void apply(StateEvent event) {
    if (event.type() == StateEvent.Type.SYNC_STARTED && syncId == null) {
      syncId = event.syncId();
      phase = Phase.READING;
      readStartedNanos = System.nanoTime();
      lastActivityNanos = readStartedNanos;
      if (event.catalog() != null && event.catalog().streams() != null) {
        for (ConfiguredAirbyteStream stream : event.catalog().streams()) {
          String name = stream.stream().name();
          streams.put(
              name,
              new StreamProgress(
                  name, TopicNames.recordTopic(prefix, stream.stream().namespace(), name)));
        }
      }
      return;
    }
    if (syncId == null || !syncId.equals(event.syncId())) {
      return;
    }
    lastActivityNanos = System.nanoTime();
    switch (event.type()) {
      case CHECKPOINT -> countCheckpoint(event.state());
      case SYNC_COMPLETED -> {
        syncStatus = event.status();
        readEndedNanos = System.nanoTime();
        applyCounts(event.counts());
      }
      default -> {}
    }
  }

  /**
   * Sets each stream's record count from its topic's end offsets minus those before the sync; the
   * rate comes from the change since the last sample.
   */
  public void sampleRecords(Map<String, Long> recordsPerTopic) {
    long now = System.nanoTime();
    for (StreamProgress stream : streams.values()) {
      Long records = recordsPerTopic.get(stream.topic);
      if (records == null || records < stream.records) {
        continue;
      }
      if (records > stream.records) {
        lastActivityNanos = now;
      }
      stream.records = records;
      if (stream.lastSampleNanos != 0) {
        double seconds = (now - stream.lastSampleNanos) / 1e9;
        double rate = (records - stream.lastSampleRecords) / Math.max(seconds, 1e-3);
        // Smoothed, so a display refreshed twice a second does not flicker.
        stream.recordsPerSecond = 0.5 * stream.recordsPerSecond + 0.5 * rate;
      }
      stream.lastSampleRecords = records;
      stream.lastSampleNanos = now;
    }
  }

  /** Takes the cache side's figures from the replay target's status. */
  public void sampleCache(TargetStatus status) {
    for (TargetStatus.StreamStatus cached : status.streams()) {
      StreamProgress stream = streams.get(cached.stream());
      if (stream != null) {
        stream.cached = cached.recordsApplied();
      }
    }
  }

  /**
   * How long the source read, from its {@code SYNC_STARTED} to its {@code SYNC_COMPLETED} (or now),
   * or zero before it started.
   */
  public Duration readTime() {
    if (readStartedNanos == 0) {
      return Duration.ZERO;
    }
    long end = readEndedNanos == 0 ? System.nanoTime() : readEndedNanos;
    return Duration.ofNanos(end - readStartedNanos);
  }

  /** Once the sync is over, rates give way to the average over the read time. */
  public void settleRates() {
    double seconds = Math.max(readTime().toNanos() / 1e9, 1e-3);
    for (StreamProgress stream : streams.values()) {
      stream.recordsPerSecond = stream.records / seconds;
    }
  }

  private void countCheckpoint(AirbyteStateMessage state) {
    if (state == null) {
      return;
    }
    if (state.effectiveType() == AirbyteStateType.STREAM && state.stream() != null) {
      StreamProgress stream = streams.get(state.stream().streamDescriptor().name());
      if (stream != null) {
        stream.checkpoints++;
      }
    } else {
      streams.values().forEach(stream -> stream.checkpoints++);
    }
  }

  /** The final counts of {@code SYNC_COMPLETED} are exact: they replace the sampled ones. */
  private void applyCounts(Map<String, Long> counts) {
    if (counts == null) {
      return;
    }
    Map<String, Long> perTopic = new LinkedHashMap<>();
    counts.forEach(
        (topicPartition, count) -> {
          int slash = topicPartition.lastIndexOf('/');
          String topic = slash < 0 ? topicPartition : topicPartition.substring(0, slash);
          perTopic.merge(topic, count, Long::sum);
        });
    for (StreamProgress stream : streams.values()) {
      stream.records = perTopic.getOrDefault(stream.topic, stream.records);
    }
  }
}
