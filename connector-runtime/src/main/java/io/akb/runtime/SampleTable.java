package io.akb.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The text table of {@link Source#printSamples}: a column per field and a row per record, or, past
 * {@link #PIVOT_COLUMNS} fields, a row per field and a column per record (as PyAirbyte's {@code
 * print_samples}); cells wrap at {@link #MAX_CELL_WIDTH} characters, every row is ruled off.
 */
final class SampleTable {
  /** More fields than this and the table is turned around. */
  static final int PIVOT_COLUMNS = 10;

  /** Wider cells wrap onto more lines. */
  static final int MAX_CELL_WIDTH = 40;

  private SampleTable() {}

  /** The table of {@code records}, each line ending in a newline. */
  static String render(List<JsonNode> records) {
    if (records.isEmpty()) {
      return "(no records)\n";
    }
    Set<String> fieldSet = new LinkedHashSet<>();
    for (JsonNode record : records) {
      Iterator<String> names = record.fieldNames();
      names.forEachRemaining(fieldSet::add);
    }
    List<String> fields = List.copyOf(fieldSet);
    List<String> header = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    if (fields.size() > PIVOT_COLUMNS) {
      header.add("Column Name");
      for (int i = 1; i <= records.size(); i++) {
        header.add("Record " + i);
      }
      for (String field : fields) {
        List<String> row = new ArrayList<>();
        row.add(field);
        records.forEach(record -> row.add(cell(record.get(field))));
        rows.add(row);
      }
    } else {
      header.addAll(fields);
      for (JsonNode record : records) {
        rows.add(fields.stream().map(field -> cell(record.get(field))).toList());
      }
    }
    int[] widths = new int[header.size()];
    for (int c = 0; c < widths.length; c++) {
      int width = header.get(c).length();
      for (List<String> row : rows) {
        for (String line : row.get(c).split("\n", -1)) {
          width = Math.max(width, line.length());
        }
      }
      widths[c] = Math.max(1, Math.min(MAX_CELL_WIDTH, width));
    }
    StringBuilder table = new StringBuilder();
    rule(table, widths, '-');
    row(table, widths, header);
    rule(table, widths, '=');
    for (List<String> row : rows) {
      row(table, widths, row);
      rule(table, widths, '-');
    }
    return table.toString();
  }

  /** A string as it is, any other value as JSON, a missing field as nothing. */
  private static String cell(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "";
    }
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static void rule(StringBuilder table, int[] widths, char line) {
    table.append('+');
    for (int width : widths) {
      table.append(String.valueOf(line).repeat(width + 2)).append('+');
    }
    table.append('\n');
  }

  /** One record's cells, each folded to its column's width, side by side. */
  private static void row(StringBuilder table, int[] widths, List<String> cells) {
    List<List<String>> folded = new ArrayList<>();
    int height = 1;
    for (int c = 0; c < widths.length; c++) {
      List<String> lines = fold(cells.get(c), widths[c]);
      folded.add(lines);
      height = Math.max(height, lines.size());
    }
    for (int line = 0; line < height; line++) {
      table.append('|');
      for (int c = 0; c < widths.length; c++) {
        List<String> lines = folded.get(c);
        String text = line < lines.size() ? lines.get(line) : "";
        table.append(' ').append(text).append(" ".repeat(widths[c] - text.length())).append(" |");
      }
      table.append('\n');
    }
  }

  private static List<String> fold(String text, int width) {
    List<String> lines = new ArrayList<>();
    for (String line : text.replace("\r", "").split("\n", -1)) {
      if (line.isEmpty()) {
        lines.add("");
      }
      for (int start = 0; start < line.length(); start += width) {
        lines.add(line.substring(start, Math.min(line.length(), start + width)));
      }
    }
    return lines;
  }
}
