package io.akb.runtime.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A connector running as a child process of this JVM. A daemon thread drains stderr into a {@link
 * LogTail} (so a connector never blocks on a full stderr pipe); {@link #kill()} kills the whole
 * process tree, because Python connectors may start workers of their own.
 */
final class LocalProcess implements ConnectorProcess {
  private final Process process;
  private final PrivateTempDir files;
  private final LogTail stderrTail;
  private final Thread stderrDrain;

  LocalProcess(Process process, PrivateTempDir files, String name, int tailLines) {
    this.process = process;
    this.files = files;
    this.stderrTail = new LogTail(tailLines);
    this.stderrDrain =
        new Thread(() -> drain(process.getErrorStream(), stderrTail), name + "-stderr");
    stderrDrain.setDaemon(true);
    stderrDrain.start();
  }

  /** Reads lines of stderr into the tail, cutting each at a bounded length without holding it. */
  static void drain(InputStream in, LogTail tail) {
    byte[] chunk = new byte[8192];
    byte[] line = new byte[LogTail.MAX_LINE_CHARS * 4];
    int length = 0;
    long dropped = 0;
    try (in) {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        for (int i = 0; i < n; i++) {
          byte b = chunk[i];
          if (b == '\n') {
            tail.add(lineText(line, length, dropped));
            length = 0;
            dropped = 0;
          } else if (length < line.length) {
            line[length++] = b;
          } else {
            dropped++;
          }
        }
      }
      if (length > 0) {
        tail.add(lineText(line, length, dropped));
      }
    } catch (IOException closed) {
      // The process was killed or closed: what was read is what there is.
    }
  }

  private static String lineText(byte[] line, int length, long dropped) {
    String text = new String(line, 0, length, StandardCharsets.UTF_8).stripTrailing();
    return dropped == 0 ? text : text + "... (" + dropped + " more bytes)";
  }

  @Override
  public InputStream stdout() {
    return process.getInputStream();
  }

  @Override
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  @Override
  public List<String> stderrTail() {
    return stderrTail.lines();
  }

  @Override
  public Optional<Integer> waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return Optional.empty();
      }
      // The exit comes before the last stderr lines are read: give the drain a moment to finish.
      stderrDrain.join(1_000);
      return Optional.of(process.exitValue());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void kill() {
    // Children first: once the parent is gone they are re-parented and no longer its descendants.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly(process.getOutputStream());
    closeQuietly(process.getInputStream());
    files.close();
  }

  private static void closeQuietly(AutoCloseable stream) {
    try {
      stream.close();
    } catch (Exception ignored) {
      // Closing a pipe of a dead process can only fail harmlessly.
    }
  }
}
