package io.akb.bridge.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;

/**
 * The progress when the output is not a terminal (a pipe, a CI log): one line every {@code
 * interval}, and one whenever the phase changes, never a cursor movement.
 */
final class PlainProgressDisplay implements ProgressDisplay {
  private final PrintStream out;
  private final long intervalNanos;
  private long lastPrinted;
  private SyncProgress.Phase lastPhase;
  private boolean lastWaiting;

  PlainProgressDisplay(PrintStream out, Duration interval) {
    this.out = out;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void update(SyncProgress progress) {
    long now = System.nanoTime();
    boolean phaseChanged = progress.phase() != lastPhase;
    // The moment the sync starts waiting for a silent source is news, as a phase change is.
    boolean waiting = progress.waiting() != null;
    boolean startsWaiting = waiting && !lastWaiting;
    lastWaiting = waiting;
    if (!phaseChanged && !startsWaiting && now - lastPrinted < intervalNanos) {
      return;
    }
    lastPrinted = now;
    lastPhase = progress.phase();
    out.println(line(progress));
    out.flush();
  }

  @Override
  public void note(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public void finish(SyncProgress progress) {
    out.println(line(progress));
    out.flush();
  }

  /** Up to this many streams are listed one by one; more are summed, with the busiest named. */
  static final int STREAMS_LISTED = 4;

  /**
   * {@code [12.5s] reading: users 1,200 (400/s, 1 checkpoint), ...; cached 1,000}, then what the
   * sync waits for when the source is silent (see {@link SyncProgress#waiting}). With more than
   * {@link #STREAMS_LISTED} streams the line stays short: the totals, then the busiest streams.
   */
  static String line(SyncProgress progress) {
    StringBuilder line =
        new StringBuilder("[")
            .append(ProgressTable.duration(progress.elapsed()))
            .append("] ")
            .append(progress.phaseLabel());
    List<SyncProgress.StreamProgress> streams = progress.streams();
    if (streams.isEmpty()) {
      return line.toString();
    }
    long cached = streams.stream().mapToLong(SyncProgress.StreamProgress::cached).sum();
    StringJoiner listed = new StringJoiner(", ", ": ", "");
    if (streams.size() <= STREAMS_LISTED) {
      streams.forEach(stream -> listed.add(figures(stream)));
    } else {
      int checkpoints = streams.stream().mapToInt(SyncProgress.StreamProgress::checkpoints).sum();
      listed.add(
          streams.size()
              + " streams "
              + ProgressTable.count(progress.totalRecords())
              + " ("
              + ProgressTable.count(Math.round(progress.totalRecordsPerSecond()))
              + "/s, "
              + checkpoints
              + (checkpoints == 1 ? " checkpoint)" : " checkpoints)"));
      List<SyncProgress.StreamProgress> busiest =
          streams.stream()
              .filter(stream -> stream.records() > 0)
              .sorted(
                  Comparator.comparingDouble(SyncProgress.StreamProgress::recordsPerSecond)
                      .thenComparingLong(SyncProgress.StreamProgress::records)
                      .reversed())
              .limit(STREAMS_LISTED - 1)
              .toList();
      if (!busiest.isEmpty()) {
        StringJoiner named = new StringJoiner(", ", "busiest ", "");
        busiest.forEach(stream -> named.add(figures(stream)));
        listed.add(named.toString());
      }
    }
    line.append(listed)
        .append("; ")
        .append(progress.writtenLabel())
        .append(" ")
        .append(ProgressTable.count(cached));
    String waiting = progress.waiting();
    return waiting == null ? line.toString() : line.append("; ").append(waiting).toString();
  }

  private static String figures(SyncProgress.StreamProgress stream) {
    return stream.name()
        + " "
        + ProgressTable.count(stream.records())
        + " ("
        + ProgressTable.count(Math.round(stream.recordsPerSecond()))
        + "/s, "
        + stream.checkpoints()
        + (stream.checkpoints() == 1 ? " checkpoint)" : " checkpoints)");
  }
}
