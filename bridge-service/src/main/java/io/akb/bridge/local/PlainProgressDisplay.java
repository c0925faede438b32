package io.akb.bridge.local;

import java.io.PrintStream;
import java.time.Duration;
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

  PlainProgressDisplay(PrintStream out, Duration interval) {
    this.out = out;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void update(SyncProgress progress) {
    long now = System.nanoTime();
    boolean phaseChanged = progress.phase() != lastPhase;
    if (!phaseChanged && now - lastPrinted < intervalNanos) {
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

  /** {@code [12.5s] reading: users 1,200 (400/s, 1 checkpoint), ...; cached 1,000}. */
  static String line(SyncProgress progress) {
    StringBuilder line =
        new StringBuilder("[")
            .append(ProgressTable.duration(progress.elapsed()))
            .append("] ")
            .append(progress.phase().label());
    if (!progress.streams().isEmpty()) {
      StringJoiner streams = new StringJoiner(", ", ": ", "");
      long cached = 0;
      for (SyncProgress.StreamProgress stream : progress.streams()) {
        streams.add(
            stream.name()
                + " "
                + ProgressTable.count(stream.records())
                + " ("
                + ProgressTable.count(Math.round(stream.recordsPerSecond()))
                + "/s, "
                + stream.checkpoints()
                + (stream.checkpoints() == 1 ? " checkpoint)" : " checkpoints)"));
        cached += stream.cached();
      }
      line.append(streams).append("; cached ").append(ProgressTable.count(cached));
    }
    return line.toString();
  }
}
