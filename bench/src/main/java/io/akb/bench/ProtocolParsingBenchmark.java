package io.akb.bench;

import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteMessageReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast AKB turns a connector's stdout into protocol messages: {@link AirbyteMessageReader} over
 * a recorded read of the real source-faker 7.2.1 (50,639 lines, 50,100 records, 22.7 MB, {@code
 * {"count": 25000, "seed": 42}}), from memory, so only parsing is measured.
 *
 * <p>Each operation parses the whole recording; the {@code bytes} and {@code records} counters give
 * MB/s and records/s. {@link #scanLines} is the floor: finding line ends without parsing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx1g"})
@State(Scope.Benchmark)
public class ProtocolParsingBenchmark {
  /** The recording, gzip-compressed in the jar. */
  public static final String RECORDING = "/io/akb/bench/faker-read-50k.jsonl.gz";

  private byte[] output;

  /** Bytes and records parsed, per second in JMH's report. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long bytes;
    public long records;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
      records = 0;
    }
  }

  @Setup
  public void load() {
    try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(RECORDING))) {
      output = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public long parseMessages(Counters counters) throws IOException {
    long records = 0;
    try (AirbyteMessageReader reader = new AirbyteMessageReader(new ByteArrayInputStream(output))) {
      for (AirbyteMessage m = reader.next(); m != null; m = reader.next()) {
        if (m.type() == AirbyteMessage.Type.RECORD) {
          records++;
        }
      }
    }
    counters.bytes += output.length;
    counters.records += records;
    return records;
  }

  @Benchmark
  public long scanLines(Counters counters) {
    long lines = 0;
    for (byte b : output) {
      if (b == '\n') {
        lines++;
      }
    }
    counters.bytes += output.length;
    return lines;
  }
}
