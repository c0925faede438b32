package io.akb.bridge.local;

import io.akb.bridge.replay.TargetStatus;
import io.akb.cache.CacheLocation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code akb sync} prints at its end: the outcome in one line, the per-stream table (records
 * read, records/s, checkpoints, records written, rows now in the cache) and where the data is.
 */
final class SyncSummary {
  private final SyncOptions options;
  private final SyncProgress progress;
  private final Map<String, Long> rowsInCache;
  private final int statesInCache;
  private final List<TargetStatus.StreamStatus> cacheStreams;
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
      List<TargetStatus.StreamStatus> cacheStreams,
      Path offsetsFile,
      Path logFile) {
    this.options = options;
    this.progress = progress;
    this.rowsInCache = rowsInCache;
    this.statesInCache = statesInCache;
    this.cacheStreams = cacheStreams == null ? List.of() : cacheStreams;
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
   * @param rows rows in the cache's tables of the sync's streams
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
            .append(" written to the cache in this run (")
            .append(ProgressTable.count(rows))
            .append(rows == 1 ? " row" : " rows")
            .append(" in its tables now).");
    if (!caughtUp) {
      text.append(" The cache had not applied everything in Kafka after ")
          .append(LocalSync.FAILED_SYNC_CACHE_WAIT.toSeconds())
          .append(" s, when AKB stopped waiting: the rest stays in Kafka.");
    } else {
      text.append(" The cache has read everything in Kafka up to the failure.");
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
    if (options.cache().kind() == CacheLocation.Kind.DUCKDB) {
      out.println(
          "  cache:   DuckDB file "
              + Path.of(options.cache().target()).toAbsolutePath().normalize()
              + " (one table per stream)");
    } else {
      out.println(
          "  cache:   PostgreSQL "
              + CacheLocation.withoutPassword(options.cache().target())
              + " (one table per stream)");
    }
    out.println(
        "  state:   "
            + statesInCache
            + (statesInCache == 1 ? " state" : " states")
            + " in _airbyte_state; Connect offsets in "
            + offsetsFile.toAbsolutePath().normalize());
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
