package io.akb.bridge.local;

import io.akb.bridge.replay.TargetStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code akb sync} prints at its end: the outcome in one line, the per-stream table (records
 * read, records/s, checkpoints, records written, rows now in the cache when the target is one) and
 * where the data is.
 */
final class SyncSummary {
  private final SyncOptions options;
  private final SyncProgress progress;
  private final Map<String, Long> rowsInCache;
  private final int statesInCache;
  private final List<TargetStatus.StreamStatus> cacheStreams;
  private final SyncTarget target;
  private final Path offsetsFile;
  private final Path logFile;

  /**
   * @param logFile this run's log file; null: {@code <work dir>/logs/}{@value SyncLogFile#LATEST}
   */
  SyncSummary(
      SyncOptions options,
      SyncProgress progress,
      Map<String, Long> rowsInCache,
      int statesInCache,
      SyncTarget target,
      Path offsetsFile,
      Path logFile) {
    this.options = options;
    this.progress = progress;
    this.rowsInCache = rowsInCache;
    this.statesInCache = statesInCache;
    this.target = target;
    List<TargetStatus.StreamStatus> streams = target.status().streams();
    this.cacheStreams = streams == null ? List.of() : streams;
    this.offsetsFile = offsetsFile;
    this.logFile =
        logFile != null ? logFile : options.workDir().resolve("logs").resolve(SyncLogFile.LATEST);
  }

  /**
   * What a failed sync left, in one or two sentences: records the source sent, those in Kafka,
   * those the cache wrote and its rows.
   *
   * @param inKafka records of this sync in its topics
   * @param cached records the cache wrote in this run
   * @param rows rows in the cache's tables of the sync's streams; negative for a destination
   * @param caughtUp whether the cache applied everything in Kafka before the failure
   */
  String failedNumbers(long inKafka, long cached, long rows, boolean caughtUp) {
    long sent = progress.totalRecords();
    StringBuilder text =
        new StringBuilder("The source sent ")
            .append(ProgressTable.count(sent))
            .append(sent == 1 ? " record" : " records")
            .append(" before it failed: ")
            .append(ProgressTable.count(inKafka))
            .append(" in Kafka, ")
            .append(ProgressTable.count(cached))
            .append(" written to ")
            .append(options.destination() == null ? "the cache" : target.describe())
            .append(" in this run");
    if (rows >= 0) {
      text.append(" (")
          .append(ProgressTable.count(rows))
          .append(rows == 1 ? " row" : " rows")
          .append(" in its tables now)");
    }
    text.append('.');
    String who = options.destination() == null ? "The cache" : target.describe();
    if (!caughtUp) {
      text.append(" ")
          .append(who)
          .append(" had not applied everything in Kafka after ")
          .append(LocalSync.FAILED_SYNC_CACHE_WAIT.toSeconds())
          .append(" s, when AKB stopped waiting: the rest stays in Kafka.");
    } else {
      text.append(" ").append(who).append(" has read everything in Kafka up to the failure.");
    }
    return text.toString();
  }

  /** The summary of a failed sync: {@code numbers} (see {@link #failedNumbers}), table, where. */
  void printFailed(PrintStream out, String bootstrap, boolean embedded, String numbers) {
    out.println();
    out.println(
        "Sync of "
            + options.sourceName()
            + " FAILED after "
            + ProgressTable.duration(progress.elapsed())
            + ". "
            + numbers);
    printTableAndWhere(out, bootstrap, embedded);
  }

  void print(PrintStream out, String bootstrap, boolean embedded) {
    out.println();
    out.println(
        "Synced "
            + options.sourceName()
            + " in "
            + ProgressTable.duration(progress.elapsed())
            + " (the source read for "
            + ProgressTable.duration(progress.readTime())
            + "): "
            + ProgressTable.count(progress.totalRecords())
            + " records from "
            + progress.streams().size()
            + " streams"
            + (options.fullRefresh() ? " (full refresh)" : "")
            + ", strategy "
            + options.effectiveStrategy().name().toLowerCase(java.util.Locale.ROOT)
            + ".");
    printTableAndWhere(out, bootstrap, embedded);
  }

  /**
   * The count proof of the checkpoints that carried {@code sourceStats.recordCount}, or null when
   * none did: whether the cache wrote as many records as the source counted, per stream.
   */
  String countProof() {
    List<String> differing = new ArrayList<>();
    boolean counted = false;
    long mismatches = 0;
    for (TargetStatus.StreamStatus stream : cacheStreams) {
      if (stream.lastCheckpointSourceCount() == null) {
        continue;
      }
      counted = true;
      mismatches += stream.countMismatches();
      if (stream.countMismatches() > 0) {
        differing.add(
            stream.stream()
                + " ("
                + stream.countMismatches()
                + (stream.countMismatches() == 1 ? " checkpoint" : " checkpoints")
                + "; last: the source counted "
                + stream.lastCheckpointSourceCount()
                + ", the cache wrote "
                + stream.lastCheckpointRecords()
                + ")");
      }
    }
    if (!counted) {
      return null;
    }
    return mismatches == 0
        ? "every checkpoint's record count (sourceStats) matches the records the cache wrote"
        : "record counts differ from the source's (sourceStats) in " + String.join(", ", differing);
  }

  private void printTableAndWhere(PrintStream out, String bootstrap, boolean embedded) {
    ProgressTable.lines(progress, rowsInCache).forEach(out::println);
    String proof = countProof();
    if (proof != null) {
      out.println();
      out.println("Count proof: " + proof + ".");
    }
    out.println();
    out.println("Where the data is:");
    List<String> where = new ArrayList<>(target.where(statesInCache));
    // The source's own state, beside the target's: the last line is the state line.
    where.set(
        where.size() - 1,
        where.get(where.size() - 1)
            + "; Connect offsets in "
            + offsetsFile.toAbsolutePath().normalize());
    where.forEach(line -> out.println("  " + line));
    out.println(
        "  topics:  "
            + String.join(", ", progress.topics())
            + " on "
            + (embedded ? "the embedded broker (" + bootstrap + " while running)" : bootstrap));
    out.println(
        "  log:     "
            + logFile.toAbsolutePath().normalize()
            + " (the last "
            + SyncLogFile.KEPT_RUNS
            + " runs' logs are kept beside it; "
            + SyncLogFile.LATEST
            + " is the newest)");
    out.flush();
  }
}
