package io.akb.bridge.local;

import io.akb.cache.CacheLocation;
import java.io.PrintStream;
import java.nio.file.Path;
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
  private final Path offsetsFile;

  SyncSummary(
      SyncOptions options,
      SyncProgress progress,
      Map<String, Long> rowsInCache,
      int statesInCache,
      Path offsetsFile) {
    this.options = options;
    this.progress = progress;
    this.rowsInCache = rowsInCache;
    this.statesInCache = statesInCache;
    this.offsetsFile = offsetsFile;
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
    ProgressTable.lines(progress, rowsInCache).forEach(out::println);
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
              + LocalSync.redacted(options.cache().target())
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
            + options
                .workDir()
                .resolve("logs")
                .resolve("akb-sync.log")
                .toAbsolutePath()
                .normalize());
    out.flush();
  }
}
