package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sends every log line of this process (the broker's, Connect's, the connector's, the cache's) to a
 * file of its own instead of the terminal, where only the progress and the summary belong.
 *
 * <p>Each run writes {@code akb-sync-<yyyyMMdd-HHmmss-SSS>.log} in the log directory, so the next
 * run never overwrites the log of a failed one; {@value #LATEST} is a symbolic link to the newest,
 * and only the last {@value #KEPT_RUNS} runs' logs are kept.
 *
 * <p>The {@code akb} command line logs through SLF4J's simple logger, which reads its settings
 * once, when the first logger is made: {@link #route} must run before anything logs. It also names
 * that provider, since the bridge's Quarkus dependencies bring a second one.
 */
public final class SyncLogFile {
  /** The link to the newest run's log. */
  public static final String LATEST = "akb-sync.log";

  /** How many runs' logs are kept in the log directory, the new one included. */
  public static final int KEPT_RUNS = 10;

  private static final String RUN_PREFIX = "akb-sync-";
  private static final String SUFFIX = ".log";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneId.systemDefault());
  private static final String SIMPLE = "org.slf4j.simpleLogger.";

  private SyncLogFile() {}

  /**
   * Creates this run's log file in {@code logDir} (see {@link #create}) and routes all logging
   * there.
   *
   * @return this run's log file, the one error messages should name
   */
  public static Path route(Path logDir) {
    Path file = create(logDir);
    System.setProperty(SIMPLE + "logFile", file.toString());
    System.setProperty(SIMPLE + "defaultLogLevel", "info");
    System.setProperty(SIMPLE + "showDateTime", "true");
    System.setProperty(SIMPLE + "dateTimeFormat", "yyyy-MM-dd HH:mm:ss,SSS");
    System.setProperty(SIMPLE + "showThreadName", "true");
    System.setProperty(SIMPLE + "showLogName", "true");
    System.setProperty(SIMPLE + "showShortLogName", "false");
    // Every client and worker logs its whole config at INFO: once per client, hundreds of lines.
    System.setProperty(SIMPLE + "log.org.apache.kafka.common.config", "warn");
    System.setProperty(SIMPLE + "log.org.apache.kafka.clients", "warn");
    return file;
  }

  /**
   * Creates this run's empty log file in {@code logDir}, points {@value #LATEST} at it and removes
   * the logs of older runs beyond {@value #KEPT_RUNS}; logs nothing.
   *
   * @return the new file, absolute
   */
  static Path create(Path logDir) {
    Path dir = logDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      keepOldLog(dir);
      Path file = createRunFile(dir);
      linkLatest(dir, file);
      prune(dir);
      return file;
    } catch (IOException e) {
      throw new AkbException(
          "creating the log file in " + dir,
          String.valueOf(e.getMessage()),
          "Run akb sync from a directory you can write to, or pass --work-dir.",
          e);
    }
  }

  /** A plain {@value #LATEST} is the log of a run before per-run logs: it becomes one of them. */
  private static void keepOldLog(Path dir) throws IOException {
    Path latest = dir.resolve(LATEST);
    if (Files.isRegularFile(latest, LinkOption.NOFOLLOW_LINKS)) {
      Instant written = Files.getLastModifiedTime(latest).toInstant();
      Files.move(latest, dir.resolve(RUN_PREFIX + STAMP.format(written) + SUFFIX));
    }
  }

  private static Path createRunFile(Path dir) throws IOException {
    while (true) {
      Path file = dir.resolve(RUN_PREFIX + STAMP.format(Instant.now()) + SUFFIX);
      try {
        return Files.createFile(file);
      } catch (FileAlreadyExistsException taken) {
        // Another run started in the same millisecond: the next one's name still sorts by time.
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while naming the log file", e);
        }
      }
    }
  }

  /** Points {@value #LATEST} at {@code file}; where links are not allowed, there is none. */
  private static void linkLatest(Path dir, Path file) {
    Path latest = dir.resolve(LATEST);
    try {
      Files.deleteIfExists(latest);
      Files.createSymbolicLink(latest, file.getFileName());
    } catch (IOException | UnsupportedOperationException e) {
      // Nothing may log yet (see the class comment); the messages name the run's own file anyway.
    }
  }

  /** Removes the oldest runs' logs (their names sort by time) beyond {@value #KEPT_RUNS}. */
  private static void prune(Path dir) throws IOException {
    List<Path> runs;
    try (Stream<Path> files = Files.list(dir)) {
      runs =
          files
              .filter(SyncLogFile::isRunLog)
              .sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()))
              .toList();
    }
    for (Path old : runs.subList(Math.min(KEPT_RUNS, runs.size()), runs.size())) {
      Files.deleteIfExists(old);
    }
  }

  private static boolean isRunLog(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(RUN_PREFIX)
        && name.endsWith(SUFFIX)
        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
  }
}
