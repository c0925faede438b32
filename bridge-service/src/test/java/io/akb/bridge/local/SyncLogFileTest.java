package io.akb.bridge.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncLogFileTest {

  private static List<String> runLogs(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.matches("akb-sync-\\d{8}-\\d{6}-\\d{3}\\.log"))
          .sorted()
          .toList();
    }
  }

  @Test
  void eachRunKeepsItsOwnLogAndTheLinkNamesTheNewest(@TempDir Path dir) throws Exception {
    Path first = SyncLogFile.create(dir);
    Files.writeString(first, "the failed run's log\n");
    Path second = SyncLogFile.create(dir);

    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readString(first)).isEqualTo("the failed run's log\n");
    Path latest = dir.resolve(SyncLogFile.LATEST);
    assertThat(Files.isSymbolicLink(latest)).isTrue();
    assertThat(latest.toRealPath()).isEqualTo(second.toRealPath());
    assertThat(runLogs(dir)).hasSize(2);
  }

  @Test
  void onlyTheLastRunsAreKept(@TempDir Path dir) throws Exception {
    Path oldest = SyncLogFile.create(dir);
    for (int i = 1; i < SyncLogFile.KEPT_RUNS + 3; i++) {
      SyncLogFile.create(dir);
    }
    assertThat(runLogs(dir)).hasSize(SyncLogFile.KEPT_RUNS);
    assertThat(oldest).doesNotExist();
  }

  @Test
  void theLogOfARunBeforePerRunLogsIsKeptAsOneOfThem(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(SyncLogFile.LATEST), "an old run's log\n");
    Path run = SyncLogFile.create(dir);

    List<String> logs = runLogs(dir);
    assertThat(logs).hasSize(2);
    String old =
        logs.stream()
            .filter(name -> !name.equals(run.getFileName().toString()))
            .findFirst()
            .orElseThrow();
    assertThat(Files.readString(dir.resolve(old))).isEqualTo("an old run's log\n");
    assertThat(dir.resolve(SyncLogFile.LATEST).toRealPath()).isEqualTo(run.toRealPath());
  }
}
