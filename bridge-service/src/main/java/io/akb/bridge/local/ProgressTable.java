package io.akb.bridge.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-stream table both the live display and the final summary print: stream, records,
 * records/s, checkpoints, records in the cache, in aligned columns.
 */
final class ProgressTable {
  private static final String[] HEADER = {"stream", "records", "records/s", "checkpoints"};
  private static final String ROWS_HEADER = "rows in cache";

  private ProgressTable() {}

  /** The table's lines, header and total row included. */
  static List<String> lines(SyncProgress progress) {
    return lines(progress, null);
  }

  /**
   * The table's lines with a last column of each stream's rows in the cache, when {@code
   * rowsInCache} is not null (the summary).
   */
  static List<String> lines(SyncProgress progress, Map<String, Long> rowsInCache) {
    List<String[]> rows = new ArrayList<>();
    String[] header = Arrays.copyOf(HEADER, HEADER.length + 1);
    header[HEADER.length] = progress.writtenLabel();
    rows.add(withRows(header, rowsInCache, ROWS_HEADER));
    long cachedTotal = 0;
    int checkpointsTotal = 0;
    for (SyncProgress.StreamProgress stream : progress.streams()) {
      rows.add(
          withRows(
              new String[] {
                stream.name(),
                count(stream.records()),
                count(Math.round(stream.recordsPerSecond())),
                count(stream.checkpoints()),
                count(stream.cached())
              },
              rowsInCache,
              rowsInCache == null ? "" : count(rowsInCache.getOrDefault(stream.name(), 0L))));
      cachedTotal += stream.cached();
      checkpointsTotal += stream.checkpoints();
    }
    rows.add(
        withRows(
            new String[] {
              "total",
              count(progress.totalRecords()),
              count(Math.round(progress.totalRecordsPerSecond())),
              count(checkpointsTotal),
              count(cachedTotal)
            },
            rowsInCache,
            rowsInCache == null
                ? ""
                : count(rowsInCache.values().stream().mapToLong(Long::longValue).sum())));
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < row.length; i++) {
        // Names left-aligned, numbers right-aligned.
        String cell =
            i == 0
                ? String.format("%-" + widths[i] + "s", row[i])
                : String.format("%" + widths[i] + "s", row[i]);
        line.append(cell).append(i + 1 < row.length ? "  " : "");
      }
      lines.add(line.toString());
    }
    return lines;
  }

  private static String[] withRows(String[] row, Map<String, Long> rowsInCache, String cell) {
    if (rowsInCache == null) {
      return row;
    }
    String[] longer = Arrays.copyOf(row, row.length + 1);
    longer[row.length] = cell;
    return longer;
  }

  /** {@code 12,345}. */
  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** {@code 1m 05s} or {@code 12.3s}. */
  static String duration(Duration elapsed) {
    long seconds = elapsed.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
  }
}
