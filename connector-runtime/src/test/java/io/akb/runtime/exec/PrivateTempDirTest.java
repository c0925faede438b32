package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateTempDirTest {
  @TempDir Path tmp;

  /** A directory as a JVM with this PID and start time would have left it, with a secret. */
  private Path leftBy(long pid, long startMillis) throws Exception {
    Path dir = tmp.resolve("akb-" + pid + "-4242" + pid);
    Files.createDirectory(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(dir.resolve("config.json"), "{\"api_key\": \"sk-live-secret\"}");
    Files.writeString(dir.resolve(PrivateTempDir.OWNER_FILE), pid + " " + startMillis);
    return dir;
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().orElseThrow().toEpochMilli();
  }

  @Test
  void aDeadOwnersDirectoryIsRemovedWhenTheNextOneIsCreatedAndLiveOnesStay() throws Exception {
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();
    long deadPid = exited.pid();
    assertThat(ProcessHandle.of(deadPid).filter(ProcessHandle::isAlive)).isEmpty();
    Path stale = leftBy(deadPid, 0);

    Process sleeping = new ProcessBuilder("sleep", "600").start();
    try {
      Path otherLive = leftBy(sleeping.pid(), startOf(sleeping.toHandle()));
      Path mine = leftBy(ProcessHandle.current().pid(), startOf(ProcessHandle.current()));
      Path beingCreated = tmp.resolve("akb-" + sleeping.pid() + "-99");
      Files.createDirectory(beingCreated);

      try (PrivateTempDir created = PrivateTempDir.create(tmp)) {
        assertThat(stale).doesNotExist();
        assertThat(otherLive.resolve("config.json")).exists();
        assertThat(mine.resolve("config.json")).exists();
        assertThat(beingCreated).exists();
        assertThat(created.path().getFileName().toString())
            .startsWith("akb-" + ProcessHandle.current().pid() + "-");
        assertThat(Files.readString(created.path().resolve(PrivateTempDir.OWNER_FILE)))
            .isEqualTo(ProcessHandle.current().pid() + " " + startOf(ProcessHandle.current()));
      }
    } finally {
      sleeping.destroyForcibly();
    }
  }

  @Test
  void aDirectoryWhosePidNowBelongsToAProcessStartedLaterIsRemoved() throws Exception {
    // As after a container restart: the new JVM got the PID of the killed one.
    long pid = ProcessHandle.current().pid();
    Path stale = leftBy(pid, startOf(ProcessHandle.current()) - 3_600_000);

    try (PrivateTempDir created = PrivateTempDir.create(tmp)) {
      assertThat(stale).doesNotExist();
      assertThat(created.path()).isDirectory();
    }
  }

  @Test
  void directoriesOfOtherNamesAreNeverTouched() throws Exception {
    Path unrelated = Files.createDirectory(tmp.resolve("akb-cache"));
    Path oldStyle = Files.createDirectory(tmp.resolve("akb-1234567890123"));
    try (PrivateTempDir created = PrivateTempDir.create(tmp)) {
      assertThat(unrelated).exists();
      assertThat(oldStyle).exists();
    }
  }

  @Test
  void aConnectorLeftRunningByAKilledJvmIsStoppedWithItsDirectory() throws Exception {
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();
    Path stale = leftBy(exited.pid(), 0);
    // As a connector runs: python, its script, --config <private dir>/config.json.
    Process orphan =
        new ProcessBuilder(
                "python3",
                "-c",
                "import time; time.sleep(600)",
                "read",
                "--config",
                stale.resolve("config.json").toString())
            .start();
    Process bystander = new ProcessBuilder("python3", "-c", "import time; time.sleep(600)").start();
    // An orphan has long been running when the next JVM starts: wait until this one has exec'd
    // python (before, its command line is the JVM's spawn helper's).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (orphan
            .toHandle()
            .info()
            .commandLine()
            .filter(c -> c.contains(stale.toString()))
            .isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    try {
      try (PrivateTempDir created = PrivateTempDir.create(tmp)) {
        assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stale).doesNotExist();
        assertThat(bystander.isAlive()).isTrue();
      }
    } finally {
      orphan.destroyForcibly();
      bystander.destroyForcibly();
    }
  }
}
