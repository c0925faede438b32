package io.akb.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.testing.AkbCli;
import io.akb.bridge.testing.TestDatabases;
import io.akb.runtime.testkit.Ailake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./akb} command line of the README's code blocks, run as written, in the README's
 * order, from one fresh directory, as a user following the README would: each ends with exit code
 * 0, and where the README shows what a command prints (the streams table of {@code akb discover}),
 * it prints that. Lines that stand for the user's own values ({@code ...}, {@code host:9092}) are
 * not runnable and are left out. What an example takes as given is made first: the {@code
 * ailake.json} config {@code akb write} reads, and the PostgreSQL role and database ({@code
 * akb}/{@code akb}) the PostgreSQL example names, on the test server.
 */
class ReadmeExamplesIT {
  private static final Path README = AkbCli.ROOT.resolve("README.md");

  @TempDir Path dir;

  @Test
  void everyAkbExampleOfTheReadmeRunsAsWritten() throws Exception {
    List<String> readme = Files.readAllLines(README);
    List<String> examples = akbExamples(readme);
    assertThat(examples)
        .as("the README's examples")
        .anyMatch(line -> line.startsWith("./akb sync source-faker"))
        .anyMatch(line -> line.startsWith("./akb discover source-faker"))
        .anyMatch(line -> line.startsWith("./akb samples source-faker"))
        .anyMatch(line -> line.startsWith("./akb write destination-ailake"))
        .anyMatch(line -> line.contains(" --destination destination-ailake "));
    Files.writeString(dir.resolve("ailake.json"), Ailake.config(dir).toString());
    TestDatabases.createRoleAndDatabase("akb", "akb", "akb");

    for (String example : examples) {
      List<String> words = shellWords(example);
      System.out.println("README example: " + example);
      AkbCli.Run run = AkbCli.run(dir, words.subList(1, words.size()).toArray(String[]::new));
      assertThat(run.exitCode()).as(example + "\n" + run.output()).isZero();
      if (words.get(1).equals("samples")) {
        assertThat(run.stdout())
            .as("what `" + example + "` prints")
            .startsWith("# Sample Records from `source-faker` (1 selected streams)")
            .contains("## `users` Stream Sample");
      }
      if (words.get(1).equals("discover")) {
        assertThat(normalized(run.stdout()))
            .as("what `" + example + "` prints")
            .containsAll(shownOutput(readme, "STREAM "));
      }
    }
  }

  /**
   * The {@code ./akb ...} lines of the README's fenced code blocks, each once, comments cut, in
   * order; not those with placeholders.
   */
  static List<String> akbExamples(List<String> readme) {
    Set<String> examples = new LinkedHashSet<>();
    boolean inBlock = false;
    String continued = "";
    for (String line : readme) {
      if (line.startsWith("```")) {
        inBlock = !inBlock;
        continue;
      }
      if (inBlock && line.endsWith("\\")) { // the command goes on on the next line
        continued += line.substring(0, line.length() - 1).strip() + " ";
        continue;
      }
      String command = withoutComment(continued + line.strip());
      continued = "";
      if (inBlock
          && command.startsWith("./akb ")
          && !command.contains("...")
          && !command.contains("host:9092")) {
        examples.add(command);
      }
    }
    return new ArrayList<>(examples);
  }

  /** The lines of the README's first code block that starts with {@code firstLine}, normalized. */
  private static List<String> shownOutput(List<String> readme, String firstLine) {
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).equals("```") && readme.get(i + 1).startsWith(firstLine)) {
        List<String> shown = new ArrayList<>();
        for (int j = i + 1; !readme.get(j).startsWith("```"); j++) {
          shown.add(readme.get(j).strip().replaceAll("\\s+", " "));
        }
        return shown;
      }
    }
    throw new AssertionError("the README shows no output starting with " + firstLine);
  }

  private static List<String> normalized(String output) {
    return Arrays.stream(output.split("\n")).map(l -> l.strip().replaceAll("\\s+", " ")).toList();
  }

  /** The line up to a {@code #} that starts a shell comment (outside quotes, after a blank). */
  private static String withoutComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && i > 0 && Character.isWhitespace(line.charAt(i - 1))) {
        return line.substring(0, i).strip();
      }
    }
    return line;
  }

  /** The words of a shell command line: blanks separate, single and double quotes group. */
  static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (quote == '"' && c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        if (word == null) {
          word = new StringBuilder();
        }
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
