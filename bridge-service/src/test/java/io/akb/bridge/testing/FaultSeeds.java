package io.akb.bridge.testing;

import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * The seeds of the fault tests' random moments: {@code -Dakb.fault.seeds=1,2,3} (or {@code 1-20})
 * repeats each seeded case at other moments; CI runs seed 42. A failing seed names its case's
 * moment exactly, so it can be run again alone.
 */
public final class FaultSeeds {
  private FaultSeeds() {}

  /** The seeds of {@code akb.fault.seeds}, for a {@code @MethodSource}. */
  public static LongStream seeds() {
    String seeds = System.getProperty("akb.fault.seeds", "42").strip();
    if (seeds.matches("\\d+-\\d+")) {
      String[] range = seeds.split("-");
      return LongStream.rangeClosed(Long.parseLong(range[0]), Long.parseLong(range[1]));
    }
    return Arrays.stream(seeds.split(",")).mapToLong(s -> Long.parseLong(s.strip()));
  }
}
