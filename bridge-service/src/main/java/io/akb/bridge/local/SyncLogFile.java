package io.akb.bridge.local;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.FileHandler;

/**
 * Sends every log line of this process (the broker's, Connect's, the connector's, the cache's) to
 * one file instead of the terminal, where only the progress and the summary belong.
 *
 * <p>SLF4J logs through JBoss LogManager here (the bridge's Quarkus logging), so its root logger
 * gets a single file handler.
 */
public final class SyncLogFile {
  private SyncLogFile() {}

  /** Routes all logging to {@code file} (appending), and returns it. */
  public static Path route(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      FileHandler handler = new FileHandler(file.toString(), true);
      handler.setFormatter(
          new PatternFormatter("%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{1.}] (%t) %s%e%n"));
      handler.setLevel(Level.ALL);
      Logger root = LogContext.getLogContext().getLogger("");
      root.setHandlers(new Handler[] {handler});
      root.setLevel(Level.INFO);
      // Connect and the broker log every config they parse at INFO: useful once, noisy always.
      LogContext.getLogContext()
          .getLogger("org.apache.kafka.common.config")
          .setLevel(Level.WARNING);
      LogContext.getLogContext().getLogger("org.apache.kafka.clients").setLevel(Level.WARNING);
      return file;
    } catch (IOException e) {
      throw new AkbException(
          "opening the log file " + file,
          String.valueOf(e.getMessage()),
          "Run akb sync from a directory you can write to.",
          e);
    }
  }
}
