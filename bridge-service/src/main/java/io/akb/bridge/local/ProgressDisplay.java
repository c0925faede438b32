package io.akb.bridge.local;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a sync's progress while it runs. {@link #update} is called about twice a second from the
 * sync's thread; {@link #note} for one-off lines (the broker's address, the sync's start); {@link
 * #finish} once, before the summary is printed.
 */
public interface ProgressDisplay {

  /** Shows the progress as it is now. */
  void update(SyncProgress progress);

  /** Prints a line that stays (not redrawn). */
  void note(String line);

  /** Leaves the display in its final state, so the summary prints below it. */
  void finish(SyncProgress progress);

  /**
   * The display for {@code out}: a live, redrawn table on a terminal, else plain lines every {@code
   * plainInterval}. {@code TERM=dumb} counts as no terminal.
   */
  static ProgressDisplay forOutput(PrintStream out, boolean terminal, Duration plainInterval) {
    return terminal ? new LiveProgressDisplay(out) : new PlainProgressDisplay(out, plainInterval);
  }

  /** Whether this process writes to a terminal that understands ANSI cursor movement. */
  static boolean onTerminal() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.isEmpty() && !"dumb".equals(term);
  }
}
