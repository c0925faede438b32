package io.akb.runtime;

import io.akb.runtime.protocol.AirbyteMessage;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The messages of one connector run, in the order the connector wrote them: RECORD, STATE, LOG,
 * TRACE, CONTROL and the rest. LOG and TRACE texts are already masked.
 *
 * <p>Contract: {@link #hasNext()} blocks until the next message or the end of the run; at the end
 * it throws an {@link AkbException} (with the connector's last log lines and a hint) when the
 * connector exited non-zero, sent a TRACE ERROR, printed nothing for longer than the idle timeout,
 * or printed a line over the size limit. {@link #close()} at any time stops the connector (and its
 * children) and removes its private files; closing after the end is harmless. Not thread-safe,
 * except {@link #close()}, which any thread may call to stop a reader.
 */
public interface MessageStream extends Iterator<AirbyteMessage>, AutoCloseable {

  @Override
  boolean hasNext();

  @Override
  AirbyteMessage next();

  /**
   * Whether {@link #hasNext()} would answer now, without waiting for the connector: the next
   * message, or the end, is already here. A reader that gathers messages into batches hands over
   * what it has when this is false, so what a connector sent never waits behind its silence. Never
   * blocks. The default, for messages in memory, is true.
   */
  default boolean ready() {
    return true;
  }

  /**
   * The connector's stdin, for {@code write}: RECORD and STATE lines go in, the caller closes it to
   * end the input. Only for a run started with stdin.
   */
  default OutputStream stdin() {
    throw new IllegalStateException("this connector run was not started with stdin");
  }

  /** The connector's last log and stderr lines, oldest first, masked. */
  List<String> logTail();

  @Override
  void close();

  /** A stream over messages already in memory (recorded output, tests, replays). */
  static MessageStream of(Iterable<AirbyteMessage> messages) {
    Iterator<AirbyteMessage> iterator = messages.iterator();
    return new MessageStream() {
      private boolean closed;

      @Override
      public boolean hasNext() {
        return !closed && iterator.hasNext();
      }

      @Override
      public AirbyteMessage next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return iterator.next();
      }

      @Override
      public List<String> logTail() {
        return List.of();
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }
}
