package io.akb.runtime.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded byte pipe between two threads, with an output side and an input side. Unlike {@link
 * java.io.PipedInputStream} it does not fail when the writing or reading thread ends, which matters
 * here: docker-java delivers a container's output on its own threads and reads stdin on another.
 * When the queue is full the writer waits, so a slow reader slows the connector instead of filling
 * memory.
 */
final class ChunkPipe {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> chunks;
  private volatile boolean readerGone;

  /** A pipe holding at most {@code capacity} chunks in flight. */
  ChunkPipe(int capacity) {
    this.chunks = new ArrayBlockingQueue<>(capacity);
  }

  private final OutputStream output =
      new OutputStream() {
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          if (closed) {
            throw new IOException("pipe closed for writing");
          }
          if (length > 0) {
            put(Arrays.copyOfRange(bytes, offset, offset + length));
          }
        }

        @Override
        public void close() throws IOException {
          if (!closed) {
            closed = true;
            put(END);
          }
        }
      };

  private final InputStream input =
      new InputStream() {
        private byte[] current;
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int read = read(one, 0, 1);
          return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
          if (length == 0) {
            return 0;
          }
          if (!fill()) {
            return -1;
          }
          int count = Math.min(length, current.length - position);
          System.arraycopy(current, position, target, offset, count);
          position += count;
          return count;
        }

        @Override
        public int available() {
          if (current != null && position < current.length) {
            return current.length - position;
          }
          // The next chunk is already here: reading it would not wait.
          byte[] waiting = ended ? null : chunks.peek();
          return waiting == null ? 0 : waiting.length;
        }

        private boolean fill() throws IOException {
          while (!ended && (current == null || position == current.length)) {
            try {
              current = chunks.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted while waiting for connector output");
            }
            position = 0;
            ended = current == END;
          }
          return !ended;
        }

        @Override
        public void close() {
          // Unblocks a writer waiting on a full queue: it drops what it writes from now on.
          readerGone = true;
          chunks.clear();
        }
      };

  /** The writing side; closing it is the end of the stream for the reader. */
  OutputStream output() {
    return output;
  }

  /** The reading side; closing it makes later writes disappear instead of blocking. */
  InputStream input() {
    return input;
  }

  private void put(byte[] chunk) throws IOException {
    try {
      while (!readerGone) {
        if (chunks.offer(chunk, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while passing data to the reader");
    }
  }
}
