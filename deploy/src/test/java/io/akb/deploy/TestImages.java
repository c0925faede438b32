package io.akb.deploy;

import io.akb.runtime.testkit.ReadmeBlock;
import java.io.IOException;
import java.util.List;

/**
 * The images of {@code deploy/}, built once per test JVM as the README builds them without a
 * registry: {@link #README_BUILD} is the README's block, line for line (the build fails when the
 * two differ), run from the repository root. It makes the Debian JRE + Python base without any
 * registry ({@code deploy/jre-python-image.sh}) and builds the Kafka, Connect and bridge
 * Dockerfiles FROM it with {@code docker build --network host}, tagged as {@code
 * docker-compose.yml} names them. Docker's layer cache makes a rebuild of unchanged files quick;
 * building here (rather than trusting a tag) keeps another checkout's images of the same tag out of
 * the tests.
 */
final class TestImages {
  static final String BASE = "akb/jre-python:17";
  static final String KAFKA = "akb/kafka:latest";
  static final String CONNECT = "akb/connect:latest";
  static final String BRIDGE = "akb/bridge:latest";

  /** The README's registry-less build, each line run as a shell runs it. */
  static final List<String> README_BUILD =
      List.of(
          "deploy/jre-python-image.sh akb/jre-python:17",
          "docker build --network host --build-arg RUNTIME_IMAGE=akb/jre-python:17"
              + " -f deploy/kafka/Dockerfile -t akb/kafka .",
          "docker build --network host --build-arg RUNTIME_IMAGE=akb/jre-python:17"
              + " -f deploy/connect/Dockerfile -t akb/connect .",
          "docker build --network host --build-arg RUNTIME_IMAGE=akb/jre-python:17"
              + " -f deploy/bridge/Dockerfile -t akb/bridge .");

  private static boolean built;

  private TestImages() {}

  /** Builds the base and the three images unless this JVM did already. */
  static synchronized void build() throws IOException, InterruptedException {
    if (built) {
      return;
    }
    ReadmeBlock.assertBlockInReadme("bash", String.join("\n", README_BUILD) + "\n");
    long start = System.nanoTime();
    Docker.run("jre-python-image.log", 20, "bash", "-c", README_BUILD.get(0));
    long based = System.nanoTime();
    List<String> logs = List.of("build-kafka.log", "build-connect.log", "build-bridge.log");
    for (int i = 1; i < README_BUILD.size(); i++) {
      Docker.run(logs.get(i - 1), 15, "bash", "-c", README_BUILD.get(i));
    }
    System.out.printf(
        "TestImages: base image ready in %d s, Kafka, Connect and bridge images built in %d s%n",
        (based - start) / 1_000_000_000, (System.nanoTime() - based) / 1_000_000_000);
    built = true;
  }
}
