package io.akb.runtime;

import java.util.List;

/**
 * The one exception family of AKB. Every failure says what failed, why, the connector's last log
 * lines (already masked: they never hold a secret) and what the user can do about it.
 */
public class AkbException extends RuntimeException {
  private final String what;
  private final String why;
  private final List<String> logTail;
  private final String hint;

  public AkbException(String what, String why, List<String> logTail, String hint, Throwable cause) {
    super(format(what, why, logTail, hint), cause);
    this.what = what;
    this.why = why;
    this.logTail = logTail == null ? List.of() : List.copyOf(logTail);
    this.hint = hint;
  }

  public AkbException(String what, String why, String hint) {
    this(what, why, List.of(), hint, null);
  }

  public AkbException(String what, String why, String hint, Throwable cause) {
    this(what, why, List.of(), hint, cause);
  }

  /** What failed, such as "source-faker check". */
  public String what() {
    return what;
  }

  /** Why it failed, in one sentence. */
  public String why() {
    return why;
  }

  /** The connector's last log lines, oldest first, with secrets masked. */
  public List<String> logTail() {
    return logTail;
  }

  /** What the user can do, or null when there is nothing to suggest. */
  public String hint() {
    return hint;
  }

  /** The message without the log tail: one readable paragraph for a command line. */
  public String summary() {
    return format(what, why, List.of(), hint);
  }

  private static String format(String what, String why, List<String> logTail, String hint) {
    StringBuilder text = new StringBuilder(what).append(" failed: ").append(why);
    if (!why.isEmpty() && ".!?:".indexOf(why.charAt(why.length() - 1)) < 0) {
      text.append('.'); // why is a clause; the hint that follows is its own sentence
    }
    if (hint != null && !hint.isBlank()) {
      text.append(hint.startsWith("\n") ? "" : " ").append(hint);
    }
    if (logTail != null && !logTail.isEmpty()) {
      text.append("\nLast connector log lines:");
      logTail.forEach(line -> text.append("\n  ").append(line));
    }
    return text.toString();
  }
}
