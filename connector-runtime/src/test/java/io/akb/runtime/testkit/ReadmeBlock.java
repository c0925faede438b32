package io.akb.runtime.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps a README code block and the test that runs it the same: the test's source holds the block
 * verbatim between a {@code // README:begin} and a {@code // README:end} line, and {@link
 * #assertInReadme} fails unless the root README.md holds those lines, less the begin marker's
 * indentation, as one piece. Tests run from their module's folder (Maven's default), so the source
 * is under {@code src/test/java} and the README one folder up.
 */
public final class ReadmeBlock {
  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  private ReadmeBlock() {}

  /** Fails unless the README holds the block between the markers of {@code test}'s source. */
  public static void assertInReadme(Class<?> test) {
    String block = block(test);
    if (!read(Path.of("..", "README.md")).contains(block)) {
      throw new AssertionError(
          "README.md does not hold the block of "
              + test.getSimpleName()
              + " as it stands between its markers: make the two the same. The test's block:\n"
              + block);
    }
  }

  /**
   * Fails unless the README holds {@code text} as one whole fenced code block of {@code language}
   * (its lines between a {@code ```language} line and a {@code ```} line): for blocks a test uses
   * as they are rather than as Java (a bridge's properties, shell lines). A line the README adds to
   * the block fails it as well as a line it lacks.
   *
   * @param text the block's lines, each ending with a line break
   */
  public static void assertBlockInReadme(String language, String text) {
    String fenced = "\n```" + language + "\n" + text + "```\n";
    if (!read(Path.of("..", "README.md")).contains(fenced)) {
      throw new AssertionError(
          "README.md holds no ```"
              + language
              + " block that is exactly the test's copy: make the two the same. The test's block:\n"
              + text);
    }
  }

  /** The lines between the markers in {@code test}'s source, less the marker's indentation. */
  public static String block(Class<?> test) {
    Path source =
        Path.of("src", "test", "java", test.getName().replace('.', '/') + ".java").toAbsolutePath();
    List<String> lines = read(source).lines().toList();
    int begin = indexOf(lines, BEGIN, source);
    int end = indexOf(lines, END, source);
    int indent = lines.get(begin).indexOf(BEGIN);
    StringBuilder block = new StringBuilder();
    for (String line : lines.subList(begin + 1, end)) {
      // A blank line has no indentation left after formatting.
      block.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
    }
    return block.toString();
  }

  private static int indexOf(List<String> lines, String marker, Path source) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError(source + " has no line " + marker);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
