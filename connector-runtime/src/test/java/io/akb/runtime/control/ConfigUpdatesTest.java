package io.akb.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.secret.SecretMasker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runner's file of config updates on a real file system: private, atomic, loud when broken. */
class ConfigUpdatesTest {
  private static final JsonNode SPEC =
      json(
          "{\"type\":\"object\",\"required\":[\"access_token\"],\"properties\":{"
              + "\"access_token\":{\"type\":\"string\",\"airbyte_secret\":true},"
              + "\"client_id\":{\"type\":\"string\"},\"region\":{\"type\":\"string\"}}}");

  @TempDir Path tmp;

  private static JsonNode json(String text) {
    try {
      return AirbyteJson.parse(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private ConfigUpdates updates() {
    return ConfigUpdates.in(tmp.resolve("state").resolve("updates"), "connect-source-shop");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void anUpdateIsStoredInAPrivateFileAndTheNextRunStartsWithIt() throws Exception {
    JsonNode given = json("{\"access_token\":\"tok-1\",\"client_id\":\"c\"}");
    ConfigUpdates.Run first = updates().start("source-shop", SPEC, given);
    assertThat(first.config()).isEqualTo(given);
    assertThat(updates().directory()).isDirectory();

    boolean stored =
        first.accept(json("{\"access_token\":\"tok-2\",\"client_id\":\"c\"}"), SecretMasker.none());

    assertThat(stored).isTrue();
    Path file = updates().file();
    assertThat(file).isEqualTo(updates().directory().resolve("connect-source-shop.json"));
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(mode(file.getParent())).isEqualTo("rwx------");
    assertThat(Files.readString(file)).contains("tok-2").doesNotContain("tok-1");
    assertThat(updates().start("source-shop", SPEC, given).config())
        .isEqualTo(json("{\"access_token\":\"tok-2\",\"client_id\":\"c\"}"));
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .as("no partial file is left behind")
          .containsExactlyInAnyOrder("connect-source-shop.json", "connect-source-shop.lock");
    }
  }

  @Test
  void theStoredSecretIsMaskedEverywhereOnceStored() {
    JsonNode given = json("{\"access_token\":\"tok-1\"}");
    updates()
        .start("source-shop", SPEC, given)
        .accept(json("{\"access_token\":\"tok-2-remembered-7f3a\"}"), SecretMasker.none());

    assertThat(SecretMasker.none().mask("Bearer tok-2-remembered-7f3a")).isEqualTo("Bearer ****");
  }

  @Test
  void anUpdateThatDoesNotMatchTheSpecIsNotStored() {
    ConfigUpdates.Run run =
        updates().start("source-shop", SPEC, json("{\"access_token\":\"tok-1\"}"));

    assertThat(run.accept(json("{\"access_token\":42}"), SecretMasker.none())).isFalse();
    assertThat(run.accept(json("[1]"), SecretMasker.none())).isFalse();
    assertThat(updates().file()).doesNotExist();
  }

  @Test
  void anUpdateThatChangesNothingWritesNothing() {
    JsonNode given = json("{\"access_token\":\"tok-1\"}");

    assertThat(updates().start("source-shop", SPEC, given).accept(given, SecretMasker.none()))
        .isFalse();
    assertThat(updates().file()).doesNotExist();
  }

  @Test
  void aCorruptFileStopsTheRunSayingWhatToDoAndIsNeverOverwritten() throws Exception {
    JsonNode given = json("{\"access_token\":\"tok-1\"}");
    updates().start("source-shop", SPEC, given); // creates the directory
    Path file = updates().file();
    String corrupt = "{\"akb_config_update\":1, \"connector\": tok-SECRET-cut";
    Files.writeString(file, corrupt);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> updates().start("source-shop", SPEC, given))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining("reading the stored config update " + file)
        .hasMessageContaining("it is not JSON at line 1")
        .hasMessageContaining("repair it, or move it away")
        .hasMessageNotContaining("tok-SECRET");
    assertThat(Files.readString(file)).isEqualTo(corrupt);
  }

  @Test
  void aFileOfAnotherShapeIsRefusedNamingWhatIsWrong() throws Exception {
    updates().checkDirectory();
    Path file = updates().file();
    Files.writeString(file, "{\"token\":\"tok-SECRET\"}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(
            () -> updates().start("source-shop", SPEC, json("{\"access_token\":\"tok-1\"}")))
        .hasMessageContaining("it is not a config update AKB wrote: its akb_config_update is not 1")
        .hasMessageNotContaining("tok-SECRET");
  }

  @Test
  void aDirectoryOrFileOthersMayReadIsRefusedSayingHowToFixIt() throws Exception {
    Path dir = updates().directory();
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(updates()::checkDirectory)
        .hasMessageContaining("rwxr-xr-x: other users may use it")
        .hasMessageContaining("chmod 700 " + dir);

    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    updates()
        .start("source-shop", SPEC, json("{\"access_token\":\"tok-1\"}"))
        .accept(json("{\"access_token\":\"tok-2\"}"), SecretMasker.none());
    Files.setPosixFilePermissions(updates().file(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(
            () -> updates().start("source-shop", SPEC, json("{\"access_token\":\"tok-1\"}")))
        .hasMessageContaining("chmod 600 " + updates().file());
  }

  @Test
  void aDirectoryThatCannotBeCreatedLetsRunsStartButFailsTheUpdateSayingWhy() throws Exception {
    // A read-only home, say: here a file where a parent directory should be.
    Path notADirectory = Files.writeString(tmp.resolve("home"), "");
    ConfigUpdates updates = ConfigUpdates.in(notADirectory.resolve("updates"), "bridge-lake");
    JsonNode given = json("{\"access_token\":\"tok-1\"}");

    ConfigUpdates.Run run = updates.start("destination-lake", SPEC, given);

    assertThat(run.config()).isEqualTo(given);
    assertThatThrownBy(() -> run.accept(json("{\"access_token\":\"tok-2\"}"), SecretMasker.none()))
        .isInstanceOf(AkbException.class)
        .hasMessageContaining(
            "preparing the config updates directory " + notADirectory.resolve("updates"))
        .hasMessageContaining("it cannot be created")
        .hasMessageContaining("choose another directory");
  }

  @Test
  void anUpdateOfAnotherConnectorIsNotApplied() {
    updates()
        .start("source-shop", SPEC, json("{\"access_token\":\"tok-1\"}"))
        .accept(json("{\"access_token\":\"tok-2\"}"), SecretMasker.none());

    assertThat(updates().start("source-other", SPEC, json("{\"access_token\":\"tok-1\"}")).config())
        .isEqualTo(json("{\"access_token\":\"tok-1\"}"));
  }

  @Test
  void twoRunsOfOneRunnerStoringAtOnceKeepBothUpdates() throws Exception {
    JsonNode given = json("{\"access_token\":\"tok-1\",\"client_id\":\"c\",\"region\":\"eu\"}");
    ConfigUpdates.Run one = updates().start("source-shop", SPEC, given);
    ConfigUpdates.Run other = updates().start("source-shop", SPEC, given);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                if (n % 2 == 0) {
                  one.accept(
                      json("{\"access_token\":\"tok-2\",\"client_id\":\"c\",\"region\":\"eu\"}"),
                      SecretMasker.none());
                } else {
                  other.accept(
                      json("{\"access_token\":\"tok-1\",\"client_id\":\"c\",\"region\":\"us\"}"),
                      SecretMasker.none());
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(10_000);
    }

    assertThat(updates().start("source-shop", SPEC, given).config())
        .isEqualTo(json("{\"access_token\":\"tok-2\",\"client_id\":\"c\",\"region\":\"us\"}"));
  }

  @Test
  void aRunnerNameThatIsNoSafeFileNameGetsOneWithAHash() {
    assertThat(ConfigUpdates.fileName("connect-sink-lake_1.x")).isEqualTo("connect-sink-lake_1.x");
    assertThat(ConfigUpdates.fileName("../etc/passwd")).matches("_\\._etc_passwd-[0-9a-f]{8}");
    assertThat(ConfigUpdates.fileName("a b")).isNotEqualTo(ConfigUpdates.fileName("a_b"));
  }
}
