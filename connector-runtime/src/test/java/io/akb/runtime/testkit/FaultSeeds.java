package io.akb.runtime.testkit;

import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * The seeds of a fault test's random moments (when to kill, whom): {@code -Dakb.fault.seeds=1,2,3}
 * or {@code -Dakb.fault.seeds=1-20} repeats the case at other moments; without it the one seed CI
 * runs, 42. A test takes them through {@code @MethodSource(
 * "io.akb.runtime.testkit.FaultSeeds#seeds")} and draws every moment from {@code new Random(seed)},
 * so a failure is replayed by its seed.
 */
public final class FaultSeeds {
  public static final String PROPERTY = "akb.fault.seeds";

  private FaultSeeds() {}

  public static LongStream seeds() {
    String seeds = System.getProperty(PROPERTY, "42").strip();
    if (seeds.matches("\\d+-\\d+")) {
      String[] range = seeds.split("-");
      return LongStream.rangeClosed(Long.parseLong(range[0]), Long.parseLong(range[1]));
    }
    return Arrays.stream(seeds.split(",")).mapToLong(s -> Long.parseLong(s.strip()));
  }
}
