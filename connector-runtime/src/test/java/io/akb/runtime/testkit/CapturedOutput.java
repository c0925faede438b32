package io.akb.runtime.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything this JVM prints on {@code System.out} and {@code System.err} while it is open, still
 * printed as usual: the log lines of slf4j-simple (which looks {@code System.err} up at each line)
 * among it. For tests that check what reaches the log, such as that no secret does.
 */
public final class CapturedOutput implements AutoCloseable {
  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private CapturedOutput() {
    System.setOut(tee(originalOut));
    System.setErr(tee(originalErr));
  }

  /** Starts capturing; close to stop. */
  public static CapturedOutput start() {
    return new CapturedOutput();
  }

  /** What was printed so far. */
  public String text() {
    System.out.flush();
    System.err.flush();
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  private PrintStream tee(PrintStream original) {
    return new PrintStream(
        new OutputStream() {
          @Override
          public void write(int b) {
            original.write(b);
            synchronized (captured) {
              captured.write(b);
            }
          }

          @Override
          public void write(byte[] bytes, int offset, int length) {
            original.write(bytes, offset, length);
            synchronized (captured) {
              captured.write(bytes, offset, length);
            }
          }

          @Override
          public void flush() throws IOException {
            original.flush();
          }
        },
        true,
        StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }
}
