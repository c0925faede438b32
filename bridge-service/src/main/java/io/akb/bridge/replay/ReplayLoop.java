package io.akb.bridge.replay;

import io.akb.cache.TargetTakenOver;
import io.akb.runtime.AkbException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one replay loop of the bridge: every target, whatever it writes to, is this loop and a writer
 * of its kind ({@link TargetReplicator} for a SQL cache, {@link DestinationReplicator} for an
 * Airbyte destination), which implement the hooks below.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>One thread runs {@link #run()}; it alone uses the consumer and the writer's side. Other
 *       threads talk to it through {@link #status()}, {@link #pause()}, {@link #resume()}, {@link
 *       #reset()} and {@link #submit}, whose commands run between two polls.
 *   <li>The partitions are assigned by the target itself (no group rebalancing moves them): every
 *       topic refresh interval the loop assigns the partitions of topics that appeared, at the
 *       offsets the writer stored ({@link #startOffsets}).
 *   <li>A shared target ({@link TargetSettings#shared}) instead subscribes to its topics in its
 *       consumer group, which splits them over the bridge processes replaying it ({@link
 *       SharedTargetAssignor}); at a rebalance the writer writes what it read ({@link
 *       #writeWhatWasRead}) and forgets its progress ({@link #partitionsReleased}) before the
 *       partitions go, and takes the new ones at their stored offsets ({@link #startOffsets}). A
 *       writer fenced on a partition another process took over ({@link TargetTakenOver}) rejoins
 *       the group.
 *   <li>A failure (writer or broker) closes both, waits the retry backoff (doubled after each
 *       failure in a row up to {@link #MAX_BACKOFF}, reset by {@link #succeeded()}) and starts
 *       again from the stored offsets.
 *   <li>Records gone before the target read them ({@link RecordGap}: retention, a deleted or
 *       recreated topic) are found when a partition is assigned and when a fetch is out of range.
 *       With {@code on-gap=skip} the loop warns, seeks past them and tells the writer ({@link
 *       #gapsSkipped}); with {@code on-gap=fail} the writer decides when to fail ({@link
 *       #gapsFound}) by throwing {@link RecordGap.RecordsGone}: the target turns FAILED and stays
 *       so, its writer's side still open (a cache still answers queries), without retrying, until
 *       {@link #reset()}.
 *   <li>A cache writer whose target another process claimed since ({@link TargetTakenOver}: that
 *       process fenced this one) turns FAILED and stays so until this process stops: retrying would
 *       take the target back and fence the other in turn.
 *   <li>{@link #reset()} rewinds the writer's stored offsets ({@link #rewind()}) and starts the
 *       target again from them.
 * </ul>
 */
public abstract class ReplayLoop implements BridgeTarget {
  private static final Logger log = LoggerFactory.getLogger(ReplayLoop.class);
  static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  static final Duration LAG_CHECK_INTERVAL = Duration.ofSeconds(1);

  /** The longest wait between two starts of a failing target. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  protected final TargetSettings settings;
  protected final BatchObserver observer;

  /** For a shared target, the role its group gave this process; null for a target of its own. */
  protected final SharedTargetAssignor.Share share;

  /** The topics a shared target's consumer subscribed to. */
  private Set<String> subscribed = Set.of();

  private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private volatile boolean stopping;
  private volatile boolean pauseRequested;
  private volatile TargetStatus status;
  private volatile String restartRequested;
  private volatile int failuresInARow;
  private final AtomicLong lag = new AtomicLong(-1);

  // Owned by the replay thread.
  protected KafkaConsumer<byte[], byte[]> consumer;

  /** Per assigned partition, the offset of the next record to read. */
  protected final Map<TopicPartition, Long> positions = new LinkedHashMap<>();

  protected Phase phase = Phase.STARTING;
  protected String lastError;
  protected long skippedRecords;

  /** Topic name to whether it is a state topic: asked per record, computed once per topic. */
  private final Map<String, Boolean> stateTopicNames = new java.util.HashMap<>();

  /** The latest gaps found, for the status. */
  protected final List<RecordGap> gaps = new ArrayList<>();

  private long nextTopicRefresh;
  private long nextLagCheck;

  /** Ends a run so that the next one starts from the stored offsets, without counting a failure. */
  protected static final class Restart extends RuntimeException {
    Restart(String why) {
      super(why, null, false, false);
    }
  }

  protected ReplayLoop(TargetSettings settings, BatchObserver observer) {
    this.settings = settings;
    this.observer = observer == null ? (records, bytes, nanos) -> {} : observer;
    this.status = TargetStatus.starting(settings);
    this.share = settings.shared() ? new SharedTargetAssignor.Share(settings::isStateTopic) : null;
  }

  // ---- what each kind of target does --------------------------------------------------------

  /**
   * Opens the writer's side once the consumer is open (nothing assigned yet); returns null when
   * ready, or why it waits (phase WAITING: it is asked again after the topic refresh interval).
   */
  protected abstract String openWriter();

  /**
   * Where to read each of {@code added} (newly assigned partitions) from; the loop seeks there and
   * checks for records gone before it.
   */
  protected abstract Map<TopicPartition, Long> startOffsets(List<TopicPartition> added);

  /**
   * A shared target's partitions are about to go to a rebalance (after {@link #writeWhatWasRead},
   * unless they were lost): forget what was read from them; {@link #startOffsets} comes next.
   */
  protected void partitionsReleased() {}

  /** Whether this process applies the checkpoints: always, unless a shared target's member. */
  protected final boolean coordinating() {
    return share == null || share.coordinator();
  }

  /** After {@link #startOffsets} and the gap check: the partitions are read from now on. */
  protected void assigned(List<TopicPartition> added) {}

  /**
   * Takes one polled record; false when its partition must stop here for the rest of this poll (the
   * writer has sought it back).
   */
  protected abstract boolean handle(ConsumerRecord<byte[], byte[]> record);

  /** After each poll; {@code caughtUp} when it returned nothing. */
  protected abstract void afterPoll(boolean caughtUp);

  /** Before the target pauses, and before it stands FAILED: write (or confirm) what was read. */
  protected abstract void writeWhatWasRead();

  /** The partitions a resume may read again (all of {@code assigned} unless some must wait). */
  protected Set<TopicPartition> resumable(Set<TopicPartition> assigned) {
    return assigned;
  }

  /** A graceful stop: write (or confirm) what was read before the writer's side closes. */
  protected abstract void finish();

  /**
   * Closes the writer's side, logging rather than throwing, and forgets what it held in memory: the
   * next run starts from the stored offsets.
   */
  protected abstract void closeWriter();

  /**
   * With {@code on-gap=fail}: records are gone. Throw {@link RecordGap.RecordsGone} now, or later
   * from {@link #afterPoll} (for instance once the state topics tell which checkpoints wait on
   * them).
   */
  protected abstract void gapsFound(List<RecordGap> found);

  /** With {@code on-gap=skip}: the loop has sought past {@code skipped}; warn and adjust. */
  protected void gapsSkipped(List<RecordGap> skipped) {
    for (RecordGap gap : skipped) {
      log.warn("Target {} skips records gone (on-gap=skip): {}", settings.name(), gap.describe());
    }
  }

  /** On the replay thread, for {@link #reset()}: rewinds the stored offsets to the beginning. */
  protected abstract void rewind();

  /** Records after what the target has written (or had confirmed) in {@code partition}. */
  protected abstract long behind(TopicPartition partition, long endOffset);

  /** Records read but not written yet (they count in the lag). */
  protected long unwritten() {
    return 0;
  }

  /** The status to publish, with {@code lag} measured by the loop (-1 when unknown). */
  protected abstract TargetStatus status(long lag);

  // ---- the loop ------------------------------------------------------------------------------

  @Override
  public TargetSettings settings() {
    return settings;
  }

  /** A snapshot of the target's progress, refreshed by the replay thread every poll. */
  @Override
  public TargetStatus status() {
    return status;
  }

  @Override
  public long lag() {
    return lag.get();
  }

  @Override
  public void pause() {
    pauseRequested = true;
  }

  @Override
  public void resume() {
    pauseRequested = false;
  }

  /** Whether a pause has been asked for and not taken back. */
  protected boolean pauseRequested() {
    return pauseRequested;
  }

  /**
   * Rewinds the target's stored offsets ({@link #rewind()}) and starts it again from the earliest
   * retained offsets; a target FAILED on records gone reads on. Completes once the offsets are
   * rewound.
   */
  @Override
  public CompletableFuture<Void> reset() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(
        () -> {
          if (stopping) {
            done.completeExceptionally(
                new AkbException(
                    "resetting target '" + settings.name() + "'",
                    "the target is stopping",
                    "Reset it again once the bridge runs."));
            return;
          }
          try {
            rewind();
            restartRequested = "reset";
            done.complete(null);
            log.info("Target {} reset: replaying from the earliest offsets", settings.name());
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
            if (consumer != null) {
              // The writer may be half rewound (a destination's run half finished): start over.
              restartRequested = "the reset failed: " + e.getMessage();
            }
          }
        });
    return done;
  }

  /**
   * Runs {@code command} on the replay thread between two polls (or while the target waits). No
   * wakeup(): it could interrupt the thread in the middle of a write; a poll lasts at most {@link
   * #POLL_TIMEOUT}, so the command runs soon enough.
   */
  protected void submit(Runnable command) {
    commands.add(command);
  }

  /** The writer wrote or had confirmed a batch: the next failure waits the base backoff again. */
  protected void succeeded() {
    failuresInARow = 0;
  }

  protected boolean stopping() {
    return stopping;
  }

  /** Asks the replay thread to write what it has and stop; {@link #run()} returns soon after. */
  @Override
  public void close() {
    stopping = true;
    KafkaConsumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
  }

  @Override
  public final void run() {
    Thread.currentThread().setName("akb-target-" + settings.name());
    while (!stopping) {
      boolean failed = false;
      try {
        if (open()) {
          replay();
          finish();
        }
      } catch (Restart restart) {
        log.info("Target {} starts again: {}", settings.name(), restart.getMessage());
      } catch (WakeupException e) {
        // close() woke the consumer; the loop ends.
      } catch (RecordGap.RecordsGone gone) {
        writeWhatWasRead();
        standFailed(gone, true);
      } catch (TargetTakenOver fenced) {
        if (share != null) {
          // A partition moved to another process of the shared target while this one was not
          // looking: it wrote nothing, and joins the group again.
          log.warn("Target {}: {}; joining its group again", settings.name(), fenced.summary());
        } else {
          standFailed(fenced, false);
        }
      } catch (RuntimeException e) {
        failed = true;
        failuresInARow++;
        phase = Phase.FAILED;
        if (e instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
          // The broker did not answer: named, with the address to check, no stack trace.
          lastError = TargetConsumer.unanswered(settings, timeout, backoff());
          log.error("Target {}: {}", settings.name(), lastError);
        } else {
          // The full message: for a destination it carries its last log lines. A bug's exception
          // may have none: then its class says what happened.
          lastError = e.getMessage() != null ? e.getMessage() : e.toString();
          log.error(
              "Target {} failed; starting again from its stored offsets in {}",
              settings.name(),
              backoff(),
              e);
        }
      } finally {
        closeQuietly();
      }
      publishStatus();
      if (!stopping && failed) {
        waitFor(backoff(), () -> stopping || restartRequested != null);
      }
    }
    phase = Phase.STOPPED;
    publishStatus();
    runCommands(); // stopping: commands still queued complete exceptionally
  }

  private Duration backoff() {
    Duration backoff = settings.retryBackoff();
    for (int i = 1; i < failuresInARow && backoff.compareTo(MAX_BACKOFF) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
  }

  private boolean open() {
    if (phase != Phase.WAITING) { // a waiting target stays WAITING while it looks again
      phase = Phase.STARTING;
      publishStatus();
    }
    restartRequested = null;
    consumer = TargetConsumer.open(settings, share);
    subscribed = Set.of();
    String waiting = openWriter();
    if (waiting != null) {
      phase = Phase.WAITING;
      lastError = waiting;
      publishStatus();
      waitFor(settings.topicRefreshInterval(), () -> stopping || restartRequested != null);
      return false;
    }
    nextTopicRefresh = 0;
    nextLagCheck = 0;
    lastError = null;
    phase = Phase.RUNNING;
    return true;
  }

  private void replay() {
    while (!stopping) {
      runCommands();
      if (restartRequested != null) {
        throw new Restart(restartRequested);
      }
      if (System.nanoTime() >= nextTopicRefresh) {
        if (share == null) {
          assignNewPartitions();
        } else {
          subscribeToNewTopics();
        }
        nextTopicRefresh = System.nanoTime() + settings.topicRefreshInterval().toNanos();
      }
      applyPause();
      ConsumerRecords<byte[], byte[]> polled;
      try {
        polled = TargetConsumer.poll(consumer, POLL_TIMEOUT);
      } catch (WakeupException e) {
        continue; // close() woke us
      } catch (OffsetOutOfRangeException e) {
        onGaps(TargetConsumer.gaps(consumer, e));
        continue;
      }
      Set<TopicPartition> blocked = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : polled) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (!blocked.contains(partition) && !handle(record)) {
          blocked.add(partition);
        }
      }
      afterPoll(polled.isEmpty());
      publishStatus();
    }
  }

  /**
   * FAILED for a reason a retry cannot cure (records gone, the target taken over by another
   * process): the target waits, its writer's side open, for a reset ({@code resettable}) or the
   * process to stop.
   */
  private void standFailed(AkbException why, boolean resettable) {
    phase = Phase.FAILED;
    lastError = why.summary();
    log.error("Target {} stopped: {}", settings.name(), lastError);
    publishStatus();
    waitFor(Duration.ofDays(3650), () -> stopping || resettable && restartRequested != null);
  }

  private void applyPause() {
    if (pauseRequested && phase != Phase.PAUSED) {
      writeWhatWasRead();
      consumer.pause(consumer.assignment());
      phase = Phase.PAUSED;
      log.info("Target {} paused", settings.name());
    } else if (!pauseRequested && phase == Phase.PAUSED) {
      consumer.resume(resumable(consumer.assignment()));
      phase = Phase.RUNNING;
      log.info("Target {} resumed", settings.name());
    }
  }

  /** Assigns partitions of topics that appeared since the last look, seeking each. */
  private void assignNewPartitions() {
    Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
    List<TopicPartition> added = TargetConsumer.partitionsToRead(consumer, settings, assigned);
    if (added.isEmpty()) {
      return;
    }
    assigned.addAll(added);
    consumer.assign(assigned);
    take(added);
  }

  /**
   * A shared target subscribes to the topics it reads as they appear; each change makes its group
   * split them again ({@link SharedPartitions}).
   */
  private void subscribeToNewTopics() {
    Set<String> topics = TargetConsumer.topicsToRead(consumer, settings);
    if (!topics.isEmpty() && !topics.equals(subscribed)) {
      subscribed = topics;
      consumer.subscribe(topics, new SharedPartitions());
    }
  }

  /** A shared target's side of its group's rebalances, run by the consumer inside a poll. */
  private final class SharedPartitions implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!positions.isEmpty()) {
        writeWhatWasRead(); // before another process takes them over from the stored offsets
      }
      release();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      release(); // another process owns them already: writing would be fenced anyway
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      log.info(
          "Target {} owns {} partitions of its group{}: {}",
          settings.name(),
          assigned.size(),
          share.coordinator() ? " and applies the checkpoints" : "",
          assigned);
      take(new ArrayList<>(assigned));
    }

    private void release() {
      partitionsReleased();
      positions.clear();
    }
  }

  /** Seeks newly read partitions to where the writer says and checks for records gone. */
  private void take(List<TopicPartition> added) {
    Map<TopicPartition, Long> expected = startOffsets(added);
    expected.forEach(
        (partition, offset) -> {
          consumer.seek(partition, offset);
          positions.put(partition, offset);
        });
    if (phase == Phase.PAUSED) {
      consumer.pause(added);
    }
    log.info("Target {} reads {} new partitions from: {}", settings.name(), added.size(), expected);
    onGaps(TargetConsumer.gaps(consumer, expected));
    assigned(added);
  }

  /**
   * Records are gone: remembered for the status; then either (skip) read on from the first record
   * there is, or (fail) the writer fails when it knows what waits on them.
   */
  protected final void onGaps(List<RecordGap> found) {
    if (found.isEmpty()) {
      return;
    }
    gaps.addAll(found);
    while (gaps.size() > TargetStatus.MAX_GAPS) {
      gaps.remove(0);
    }
    if (settings.onGap() == RecordGap.GapPolicy.FAIL) {
      gapsFound(found);
      return;
    }
    for (RecordGap gap : found) {
      TopicPartition partition = new TopicPartition(gap.topic(), gap.partition());
      consumer.seek(partition, gap.resumeAt());
      positions.put(partition, gap.resumeAt());
    }
    gapsSkipped(found);
  }

  /** {@link TargetSettings#isStateTopic}, remembered per topic (it is asked for every record). */
  protected final boolean isStateTopic(String topic) {
    return stateTopicNames.computeIfAbsent(topic, settings::isStateTopic);
  }

  /** Runs the commands queued by other threads. */
  protected final void runCommands() {
    Runnable command;
    while ((command = commands.poll()) != null) {
      command.run();
    }
  }

  /** Measures the lag once a second (it asks the broker) and publishes the writer's status. */
  protected final void publishStatus() {
    long totalLag = lag.get();
    if (consumer == null || phase == Phase.FAILED) {
      totalLag = -1;
    } else if (System.nanoTime() >= nextLagCheck) {
      totalLag = measureLag();
      nextLagCheck = System.nanoTime() + LAG_CHECK_INTERVAL.toNanos();
    }
    lag.set(totalLag);
    status = status(totalLag);
  }

  /** Records on the record partitions the target has not written yet; -1 while none assigned. */
  private long measureLag() {
    List<TopicPartition> recordPartitions =
        positions.keySet().stream().filter(p -> !settings.isStateTopic(p.topic())).toList();
    if (recordPartitions.isEmpty()) {
      return -1;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(recordPartitions, Duration.ofSeconds(5));
    long sum = unwritten();
    for (TopicPartition partition : recordPartitions) {
      sum += behind(partition, ends.getOrDefault(partition, 0L));
    }
    return sum;
  }

  private void closeQuietly() {
    try {
      closeWriter();
    } finally {
      KafkaConsumer<byte[], byte[]> current = consumer;
      consumer = null;
      TargetConsumer.closeQuietly(current, settings.name());
      positions.clear();
    }
  }

  /** Waits up to {@code duration} (running commands, so resets and queries are answered). */
  protected final void waitFor(Duration duration, java.util.function.BooleanSupplier until) {
    if (!TargetConsumer.sleep(duration, until, this::runCommands)) {
      stopping = true;
    }
  }
}
