package io.akb.bridge.local;

import io.akb.runtime.MessageStream;
import io.akb.runtime.protocol.AirbyteMessage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The progress of {@code akb read} while the connector runs: a {@link MessageStream} that counts
 * the records (per stream) and checkpoints passing through it, and prints a plain line every {@code
 * interval}, one as soon as the reader has waited a while for the connector's next message (what
 * the read waits for), and one at the end. Lines go to {@code out} from a daemon thread of its own;
 * counting happens on the reader's thread.
 */
public final class ReadProgress implements MessageStream {
  private final MessageStream messages;
  private final String source;
  private final Duration idleTimeout;
  private final PrintWriter out;
  private final long startedNanos = System.nanoTime();
  private final Map<String, LongAdder> records = new ConcurrentHashMap<>();
  private final LongAdder checkpoints = new LongAdder();

  /** Since when the reader waits for the connector's next message (nanoTime); 0: not waiting. */
  private volatile long waitingSince;

  private final ScheduledExecutorService printer;
  private final long intervalNanos;
  private long lastPrinted;
  private boolean waitingShown;
  private String lastStream;
  private LongAdder lastCounter;

  /**
   * Counts {@code messages} of {@code source} and prints its progress to {@code out} until closed.
   *
   * @param idleTimeout the connector's idle timeout, named when it is silent
   */
  public ReadProgress(
      MessageStream messages,
      String source,
      Duration idleTimeout,
      PrintWriter out,
      Duration interval) {
    this.messages = messages;
    this.source = source;
    this.idleTimeout = idleTimeout;
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.lastPrinted = startedNanos;
    this.printer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "akb-read-progress");
              thread.setDaemon(true);
              return thread;
            });
    printer.scheduleAtFixedRate(this::tick, 250, 250, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean hasNext() {
    // Only the time spent waiting for the connector is its silence, not the cache's own work.
    waitingSince = System.nanoTime();
    try {
      return messages.hasNext();
    } finally {
      waitingSince = 0;
    }
  }

  @Override
  public AirbyteMessage next() {
    AirbyteMessage message = messages.next();
    if (message.type() == AirbyteMessage.Type.RECORD && message.record() != null) {
      String stream = String.valueOf(message.record().stream());
      if (!stream.equals(lastStream)) { // records come in runs of one stream: one lookup a run
        lastStream = stream;
        lastCounter = records.computeIfAbsent(stream, s -> new LongAdder());
      }
      lastCounter.increment();
    } else if (message.type() == AirbyteMessage.Type.STATE) {
      checkpoints.increment();
    }
    return message;
  }

  @Override
  public boolean ready() {
    return messages.ready();
  }

  @Override
  public List<String> logTail() {
    return messages.logTail();
  }

  /** Stops printing and prints the last line: {@code failed} says how the read ended. */
  public void finish(boolean failed) {
    stopPrinting();
    print(line(failed ? "failed" : "read", null));
  }

  /** Records read so far, all streams. */
  public long totalRecords() {
    return records.values().stream().mapToLong(LongAdder::sum).sum();
  }

  @Override
  public void close() {
    stopPrinting();
    messages.close();
  }

  private void stopPrinting() {
    printer.shutdownNow();
    try {
      printer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs on the printer thread. */
  private void tick() {
    long now = System.nanoTime();
    long since = waitingSince;
    Duration silent = Duration.ofNanos(since == 0 ? 0 : now - since);
    String waiting = null;
    if (since != 0 && silent.compareTo(SyncProgress.silenceShownAfter(idleTimeout)) >= 0) {
      waiting = SyncProgress.waitingText(source, "no output", silent, idleTimeout);
    } else {
      waitingShown = false;
    }
    boolean startsWaiting = waiting != null && !waitingShown;
    if (startsWaiting || now - lastPrinted >= intervalNanos) {
      waitingShown |= waiting != null;
      lastPrinted = now;
      print(line("reading", waiting));
    }
  }

  private synchronized void print(String line) {
    out.println(line);
    out.flush();
  }

  /** {@code [12.5s] reading: 1,200 records (users 1,000, products 200), 3 checkpoints}. */
  String line(String phase, String waiting) {
    long total = totalRecords();
    StringBuilder line =
        new StringBuilder("[")
            .append(ProgressTable.duration(Duration.ofNanos(System.nanoTime() - startedNanos)))
            .append("] ")
            .append(phase)
            .append(": ")
            .append(ProgressTable.count(total))
            .append(total == 1 ? " record" : " records");
    if (!records.isEmpty()) {
      StringJoiner streams = new StringJoiner(", ", " (", ")");
      new TreeMap<>(records)
          .forEach((stream, count) -> streams.add(stream + " " + ProgressTable.count(count.sum())));
      line.append(streams);
    }
    long states = checkpoints.sum();
    line.append(", ")
        .append(ProgressTable.count(states))
        .append(states == 1 ? " checkpoint" : " checkpoints");
    if (waiting != null) {
      line.append("; ").append(waiting);
    }
    return line.toString();
  }
}
