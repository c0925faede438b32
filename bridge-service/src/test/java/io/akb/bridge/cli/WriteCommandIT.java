package io.akb.bridge.cli;

import static io.akb.bridge.cli.AkbLauncherIT.akb;
import static org.assertj.core.api.Assertions.assertThat;

import io.akb.bridge.cli.AkbLauncherIT.Run;
import io.akb.runtime.testkit.Ailake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./akb write} as a user runs it: the real faker read into a DuckDB cache with {@code akb
 * read}, then written into the real {@code destination-ailake} 0.1.16 from PyPI, whose Parquet
 * files are read back.
 */
class WriteCommandIT {

  @Test
  void writesADuckDbCacheIntoAilakeThenOnlyWhatIsNew(@TempDir Path dir) throws Exception {
    Path cacheFile = dir.resolve("cache.duckdb");
    Run read =
        akb(
            "read",
            "source-faker",
            "--config",
            "{\"count\": 20, \"always_updated\": false}",
            "--streams",
            "users",
            "--cache",
            "duckdb:" + cacheFile);
    assertThat(read.exitCode()).as(read.stderr()).isZero();
    Path config = dir.resolve("ailake.json");
    Files.writeString(config, Ailake.config(dir).toString());

    // A bare path is a DuckDB file.
    Run write =
        akb(
            "write",
            Ailake.NAME,
            "--from",
            cacheFile.toString(),
            "--config",
            config.toString(),
            "--version",
            Ailake.VERSION);

    assertThat(write.exitCode()).as(write.stderr()).isZero();
    assertThat(write.stdout())
        .anyMatch(
            line ->
                line.startsWith("Wrote DuckDB file " + cacheFile + " to destination-ailake in ")
                    && line.endsWith(": 20 records sent, 20 confirmed."))
        .anyMatch(line -> line.matches("STREAM +RECORDS WRITTEN +CONFIRMED"))
        .anyMatch(line -> line.matches("users +20 +20"));
    assertThat(Ailake.ids(dir, "users")).isEqualTo(LongStream.rangeClosed(1, 20).boxed().toList());

    Run again =
        akb(
            "write",
            Ailake.NAME,
            "--from",
            "duckdb:" + cacheFile,
            "--config",
            config.toString(),
            "--version",
            Ailake.VERSION,
            "--streams",
            "users");

    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).anyMatch(line -> line.startsWith("Nothing to write: "));
    assertThat(Ailake.ids(dir, "users")).hasSize(20);

    Run unknownStream =
        akb(
            "write",
            Ailake.NAME,
            "--from",
            cacheFile.toString(),
            "--config",
            config.toString(),
            "--version",
            Ailake.VERSION,
            "--streams",
            "customers");

    assertThat(unknownStream.exitCode()).isEqualTo(1);
    assertThat(unknownStream.stderr())
        .contains("no stream named customers", "Streams in the cache: users.")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void aMissingCacheFailsBeforeTheDestinationInstalls(@TempDir Path dir) throws Exception {
    Run run =
        akb(
            "write",
            Ailake.NAME,
            "--from",
            dir.resolve("missing.duckdb").toString(),
            "--config",
            "{}");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr())
        .contains("no DuckDB file at " + dir.resolve("missing.duckdb"), "Run akb read or akb sync")
        .doesNotContain("Exception", "\tat ");
    assertThat(Files.exists(dir.resolve("missing.duckdb"))).isFalse();

    Run noFrom = akb("write", Ailake.NAME, "--config", "{}");
    assertThat(noFrom.exitCode()).isEqualTo(1);
    assertThat(noFrom.stderr()).contains("Missing required option: '--from=CACHE|topics:LIST'");

    Run streamsOfTopics =
        akb(
            "write",
            Ailake.NAME,
            "--from",
            "topics:airbyte.x.",
            "--streams",
            "users",
            "--config",
            "{}");
    assertThat(streamsOfTopics.exitCode()).isEqualTo(1);
    assertThat(streamsOfTopics.stderr())
        .contains("--streams selects streams of a cache", "Leave out --streams")
        .doesNotContain("Exception", "\tat ");
  }
}
