package io.akb.bridge.local;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress on a terminal: a block of lines (phase and elapsed time, then the per-stream table)
 * redrawn in place with ANSI cursor movement. Notes print above the block and stay.
 */
final class LiveProgressDisplay implements ProgressDisplay {
  private static final String CLEAR_LINE = "\033[2K";

  private final PrintStream out;
  private int drawnLines;

  LiveProgressDisplay(PrintStream out) {
    this.out = out;
  }

  @Override
  public void update(SyncProgress progress) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "akb sync: "
            + progress.phaseLabel()
            + " \u00b7 "
            + ProgressTable.duration(progress.elapsed()));
    if (!progress.streams().isEmpty()) {
      lines.addAll(ProgressTable.lines(progress));
    }
    String waiting = progress.waiting();
    if (waiting != null) {
      lines.add(waiting);
    }
    redraw(lines);
  }

  @Override
  public void note(String line) {
    erase();
    out.println(line);
    out.flush();
  }

  @Override
  public void finish(SyncProgress progress) {
    update(progress);
    drawnLines = 0; // the last frame stays on screen
  }

  private void redraw(List<String> lines) {
    StringBuilder frame = new StringBuilder();
    if (drawnLines > 0) {
      frame.append("\033[").append(drawnLines).append('A').append('\r');
    }
    for (String line : lines) {
      frame.append(CLEAR_LINE).append(line).append('\n');
    }
    // A shorter frame than the last one clears what is left below it.
    for (int i = lines.size(); i < drawnLines; i++) {
      frame.append(CLEAR_LINE).append('\n');
    }
    int printed = Math.max(lines.size(), drawnLines);
    out.print(frame);
    out.flush();
    drawnLines = printed;
  }

  private void erase() {
    if (drawnLines == 0) {
      return;
    }
    StringBuilder frame = new StringBuilder();
    frame.append("\033[").append(drawnLines).append('A').append('\r');
    for (int i = 0; i < drawnLines; i++) {
      frame.append(CLEAR_LINE).append('\n');
    }
    frame.append("\033[").append(drawnLines).append('A').append('\r');
    out.print(frame);
    drawnLines = 0;
  }
}
