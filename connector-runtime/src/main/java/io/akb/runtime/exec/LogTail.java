package io.akb.runtime.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines a connector wrote, for error messages: at most {@code maxLines} lines of at most
 * {@code maxLineChars} characters each, so a chatty or broken connector cannot fill the heap.
 * Thread-safe: the stderr drain thread adds while a reader takes snapshots.
 */
public final class LogTail {
  /** Lines kept when nothing else is asked for. */
  public static final int DEFAULT_LINES = 50;

  /** Characters kept of one line; the rest is replaced by a note of how much was cut. */
  public static final int MAX_LINE_CHARS = 2_000;

  private final int maxLines;
  private final ArrayDeque<String> lines;

  public LogTail(int maxLines) {
    this.maxLines = Math.max(1, maxLines);
    this.lines = new ArrayDeque<>(this.maxLines);
  }

  public synchronized void add(String line) {
    if (lines.size() == maxLines) {
      lines.removeFirst();
    }
    lines.addLast(shorten(line));
  }

  /** The kept lines, oldest first. */
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  static String shorten(String line) {
    if (line.length() <= MAX_LINE_CHARS) {
      return line;
    }
    return line.substring(0, MAX_LINE_CHARS)
        + "... ("
        + (line.length() - MAX_LINE_CHARS)
        + " more characters)";
  }
}
