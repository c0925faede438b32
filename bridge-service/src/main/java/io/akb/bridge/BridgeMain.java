package io.akb.bridge;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The bridge service's entry point: {@code java -jar
 * bridge-service/target/quarkus-app/quarkus-run.jar} starts every configured target and the HTTP
 * server, and runs until SIGTERM or Ctrl-C, when each target writes its batch and releases its
 * cache.
 */
@QuarkusMain
public class BridgeMain implements QuarkusApplication {

  /**
   * Starts the bridge and blocks until it is shut down: what a command line's {@code serve} calls
   * (from a JVM started through {@code quarkus-run.jar}). Configuration comes from {@code
   * application.properties}, the environment and {@code -D} system properties as usual.
   */
  public static void serve(String... args) {
    Quarkus.run(BridgeMain.class, args);
  }

  @Override
  public int run(String... args) {
    Quarkus.waitForExit();
    return 0;
  }
}
