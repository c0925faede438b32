package io.akb.runtime.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import io.akb.runtime.AkbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Airbyte messages from a connector's stdout, one JSON object a line. A line that is not a
 * protocol message becomes an INFO {@link AirbyteLogMessage}, never an error. Two kinds of line fail
 * with an {@link AkbException} instead, because taking them for log lines would drop a record
 * without a word: a line longer than {@code maxLineBytes} (before it is held in memory whole), and
 * a line that starts like a protocol message ({@code {"type":}) but is not valid JSON, such as a
 * record cut off mid-line.
 *
 * <p>Not thread-safe: one reader per stream.
 */
public final class AirbyteMessageReader implements AutoCloseable {
  /** Default cap on one line: far above any real record, far below what exhausts a heap. */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

  private static final ObjectReader READER = AirbyteJson.MAPPER.readerFor(AirbyteMessage.class);
  private static final int CHUNK = 64 * 1024;
  private static final byte[] TYPE_KEY = "\"type\"".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final int maxLineBytes;
  private byte[] buffer = new byte[CHUNK];
  private int start;
  private int end;
  private boolean eof;
  private long lineNumber;

  /** A line end {@link #ready} found at or after {@link #start}, else -1: not scanned twice. */
  private int readyNewline = -1;

  public AirbyteMessageReader(InputStream in) {
    this(in, DEFAULT_MAX_LINE_BYTES);
  }

  public AirbyteMessageReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next message, or null at the end of the stream. Blank lines are skipped. */
  public AirbyteMessage next() {
    while (true) {
      int newline = findNewline();
      if (newline < 0) {
        return null;
      }
      int lineStart = start;
      int lineEnd = newline;
      start = Math.min(newline + 1, end);
      lineNumber++;
      if (lineEnd > lineStart && buffer[lineEnd - 1] == '\r') {
        lineEnd--;
      }
      AirbyteMessage message;
      try {
        message = parse(buffer, lineStart, lineEnd - lineStart);
      } catch (AkbException malformed) {
        throw new AkbException(
            malformed.what(), "line " + lineNumber + " " + malformed.why(), malformed.hint());
      }
      if (message != null) {
        return message;
      }
    }
  }

  /**
   * Whether {@link #next} can answer without waiting for the connector: a whole line is buffered or
   * completed by bytes the input already holds (read here without blocking), or the input ended. A
   * line the connector has only half written is not ready. Never blocks.
   */
  public boolean ready() {
    if (readyNewline >= start || eof) {
      return true;
    }
    int scanFrom = start;
    while (true) {
      for (int i = scanFrom; i < end; i++) {
        if (buffer[i] == '\n') {
          readyNewline = i;
          return true;
        }
      }
      if (end - start >= maxLineBytes) {
        return true; // next() fails on this line at once
      }
      int available;
      try {
        available = in.available();
      } catch (IOException e) {
        return true; // next() reports it
      }
      if (available <= 0) {
        return false;
      }
      int scanned = end - start;
      fill(available);
      if (eof) {
        return true;
      }
      scanFrom = start + scanned;
    }
  }

  /** Number of lines read so far. */
  public long lineNumber() {
    return lineNumber;
  }

  /**
   * Parses one line. Returns null for a blank line, a log message for a line that is not a protocol
   * message; throws {@link AkbException} for a line that starts like a protocol message ({@code
   * {"type":}) but does not parse.
   */
  public static AirbyteMessage parse(byte[] bytes, int offset, int length) {
    int first = offset;
    int last = offset + length;
    while (first < last && isSpace(bytes[first])) {
      first++;
    }
    if (first == last) {
      return null;
    }
    if (bytes[first] == '{') {
      try {
        AirbyteMessage message = READER.readValue(bytes, first, last - first);
        if (message != null
            && message.type() != null
            && message.type() != AirbyteMessage.Type.UNKNOWN) {
          return message;
        }
      } catch (IOException notProtocol) {
        if (startsLikeAMessage(bytes, first + 1, last)) {
          String reason =
              notProtocol instanceof JsonProcessingException json
                  ? json.getOriginalMessage()
                  : notProtocol.getMessage();
          throw new AkbException(
              "reading the connector's output",
              "starts like a protocol message but is not valid JSON ("
                  + (last - first)
                  + " bytes): "
                  + reason,
              "The connector printed a broken message (cut off, or two messages on one line);"
                  + " its record or state would be lost, so the read stops. This is a connector"
                  + " bug: see its log lines.");
        }
        // Otherwise fall through: connectors print plain JSON or partial lines too, a log line.
      }
    }
    return AirbyteMessage.logLine(
        AirbyteLogMessage.Level.INFO, new String(bytes, offset, length, StandardCharsets.UTF_8));
  }

  /** Whether the bytes after a line's opening brace are {@code "type"} and a colon. */
  private static boolean startsLikeAMessage(byte[] bytes, int from, int last) {
    int i = from;
    while (i < last && isSpace(bytes[i])) {
      i++;
    }
    for (byte b : TYPE_KEY) {
      if (i >= last || bytes[i] != b) {
        return false;
      }
      i++;
    }
    while (i < last && isSpace(bytes[i])) {
      i++;
    }
    return i < last && bytes[i] == ':';
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  /** Index of the next line end in the buffer, reading more as needed; -1 at end of stream. */
  private int findNewline() {
    if (readyNewline >= start) {
      int found = readyNewline;
      readyNewline = -1;
      return found;
    }
    readyNewline = -1;
    int scanFrom = start;
    while (true) {
      for (int i = scanFrom; i < end; i++) {
        if (buffer[i] == '\n') {
          return i;
        }
      }
      if (eof) {
        return start < end ? end : -1;
      }
      int scanned = end - start;
      if (scanned >= maxLineBytes) {
        long tooLong = skipRestOfLine();
        throw new AkbException(
            "reading the connector's output",
            "line "
                + (lineNumber + 1)
                + " is "
                + (tooLong >= 0 ? tooLong + " bytes" : "longer than " + maxLineBytes + " bytes")
                + ", over the limit of "
                + maxLineBytes
                + " bytes for one message",
            "A record this large is almost always a connector bug; if it is real, raise the"
                + " limit for this connector: ConnectorOptions.withMaxLineBytes, or"
                + " airbyte.max.line.bytes in Kafka Connect.");
      }
      fill(Integer.MAX_VALUE);
      scanFrom = start + scanned; // fill() may have moved the line to the buffer's start
    }
  }

  /** Compacts or grows the buffer and reads the next chunk, of at most {@code most} bytes. */
  private void fill(int most) {
    if (start > 0) {
      System.arraycopy(buffer, start, buffer, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buffer.length) {
      buffer =
          Arrays.copyOf(buffer, Math.min(Math.max(buffer.length * 2, CHUNK), maxLineBytes + 1));
    }
    try {
      int n = in.read(buffer, end, Math.min(most, buffer.length - end));
      if (n < 0) {
        eof = true;
      } else {
        end += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the connector's output", e);
    }
  }

  /** Discards the rest of an oversized line without holding it; returns its length if known. */
  private long skipRestOfLine() {
    long length = end - start;
    start = end = 0;
    try {
      while (true) {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
          eof = true;
          return length;
        }
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            start = i + 1;
            end = n;
            return length + i;
          }
        }
        length += n;
      }
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
