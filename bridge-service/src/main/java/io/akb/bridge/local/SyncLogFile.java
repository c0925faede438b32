package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends every log line of this process (the broker's, Connect's, the connector's, the cache's) to
 * one file instead of the terminal, where only the progress and the summary belong.
 *
 * <p>The {@code akb} command line logs through SLF4J's simple logger, which reads its settings
 * once, when the first logger is made: {@link #route} must run before anything logs. It also names
 * that provider, since the bridge's Quarkus dependencies bring a second one.
 */
public final class SyncLogFile {
  private static final String SIMPLE = "org.slf4j.simpleLogger.";

  private SyncLogFile() {}

  /** Routes all logging to {@code file} (replaced at each run) and returns the file. */
  public static Path route(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute.getParent());
    } catch (IOException e) {
      throw new AkbException(
          "creating the log directory " + absolute.getParent(),
          String.valueOf(e.getMessage()),
          "Run akb sync from a directory you can write to, or pass --work-dir.",
          e);
    }
    System.setProperty(SIMPLE + "logFile", absolute.toString());
    System.setProperty(SIMPLE + "defaultLogLevel", "info");
    System.setProperty(SIMPLE + "showDateTime", "true");
    System.setProperty(SIMPLE + "dateTimeFormat", "yyyy-MM-dd HH:mm:ss,SSS");
    System.setProperty(SIMPLE + "showThreadName", "true");
    System.setProperty(SIMPLE + "showLogName", "true");
    System.setProperty(SIMPLE + "showShortLogName", "false");
    // Every client and worker logs its whole config at INFO: once per client, hundreds of lines.
    System.setProperty(SIMPLE + "log.org.apache.kafka.common.config", "warn");
    System.setProperty(SIMPLE + "log.org.apache.kafka.clients", "warn");
    return absolute;
  }
}
