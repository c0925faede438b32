package io.akb.bridge.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static SyncProgress reading() throws Exception {
    SyncProgress progress = new SyncProgress("airbyte.source-faker.");
    progress.apply(SyncProgressTest.started("s1"));
    progress.sampleRecords(
        Map.of("airbyte.source-faker.users", 1200L, "airbyte.source-faker.products", 100L));
    return progress;
  }

  @Test
  void plainLinesNameEachStreamWithItsRecordsAndNeverMoveTheCursor() throws Exception {
    ProgressDisplay display = ProgressDisplay.forOutput(out, false, Duration.ofSeconds(5));

    display.note("Kafka: embedded broker at 127.0.0.1:9092");
    display.update(reading());
    display.update(reading()); // same phase, within the interval: no second line

    assertThat(output()).doesNotContain("\033[");
    assertThat(output().lines())
        .hasSize(2)
        .last()
        .asString()
        .matches(
            "\\[\\d+\\.\\ds\\] reading: users 1,200 \\(0/s, 0 checkpoints\\),"
                + " products 100 \\(0/s, 0 checkpoints\\); cached 0");
  }

  @Test
  void aSyncIntoADestinationNamesItWhereTheCacheWouldBe() throws Exception {
    SyncProgress progress = reading();
    progress.writesTo("destination-duckdb");
    progress.phase(SyncProgress.Phase.CACHING);

    assertThat(PlainProgressDisplay.line(progress))
        .contains("writing the last records to destination-duckdb: users 1,200")
        .endsWith("; written 0");
    assertThat(ProgressTable.lines(progress).get(0))
        .matches(" +stream +records +records/s +checkpoints +written");
  }

  @Test
  void theLiveTableIsRedrawnInPlace() throws Exception {
    ProgressDisplay display = ProgressDisplay.forOutput(out, true, Duration.ofSeconds(5));
    SyncProgress progress = reading();

    display.update(progress);
    int firstFrame = (int) output().lines().count();
    display.update(progress);

    // Status line, header, two streams, total.
    assertThat(firstFrame).isEqualTo(5);
    String second = output().substring(output().indexOf("total") + "total".length());
    assertThat(second).contains("\033[" + firstFrame + "A");
    assertThat(output()).contains("akb sync: reading").containsPattern("users +1,200 ");
  }

  @Test
  void theSummaryTableAddsTheRowsInTheCache() throws Exception {
    SyncProgress progress = reading();

    assertThat(ProgressTable.lines(progress, Map.of("users", 2000L, "products", 100L)))
        .first()
        .asString()
        .contains("records/s", "checkpoints", "rows in cache");
    assertThat(ProgressTable.lines(progress, Map.of("users", 2000L, "products", 100L)))
        .last()
        .asString()
        .matches("  total +1,300 +0 +0 +0 +2,100");
  }

  @Test
  void plainLinesOfManyStreamsStayShortWithTotalsAndTheBusiestStreams() throws Exception {
    StringBuilder catalog = new StringBuilder();
    Map<String, Long> records = new LinkedHashMap<>();
    for (int i = 1; i <= 22; i++) {
      catalog
          .append(i > 1 ? "," : "")
          .append("{'stream':{'name':'stream_with_a_long_name_")
          .append(i)
          .append("','json_schema':{}},'sync_mode':'full_refresh'}");
      records.put("airbyte.source-smoke.stream_with_a_long_name_" + i, i == 7 ? 5000L : 10L * i);
    }
    SyncProgress progress = new SyncProgress("airbyte.source-smoke.");
    progress.apply(
        SyncProgressTest.event(
            "{'type':'SYNC_STARTED','sync_id':'s1','task':'0','catalog':{'streams':["
                + catalog
                + "]}}"));
    progress.sampleRecords(records);

    String line = PlainProgressDisplay.line(progress);

    assertThat(line.length()).isLessThan(300);
    assertThat(line)
        .matches(
            "\\[\\d+\\.\\ds\\] reading: 22 streams 7,460 \\(0/s, 0 checkpoints\\), busiest"
                + " stream_with_a_long_name_7 5,000 \\(0/s, 0 checkpoints\\),"
                + " stream_with_a_long_name_22 220 .*, stream_with_a_long_name_21 210 .*; cached 0");
  }
}
