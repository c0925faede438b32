package io.akb.deploy;

import java.io.IOException;
import java.util.List;

/**
 * The images of {@code deploy/}, built once per test JVM as a user builds them: the Debian JRE +
 * Python base made without any registry ({@code deploy/jre-python-image.sh}), and the Kafka,
 * Connect and bridge Dockerfiles FROM it, with {@code docker build --network host} from the
 * repository root. Docker's layer cache makes a rebuild of unchanged files quick; building here
 * (rather than trusting a tag) keeps another checkout's images of the same tag out of the tests.
 */
final class TestImages {
  static final String BASE = "akb-test/jre-python:17";
  static final String KAFKA = "akb-test/kafka:it";
  static final String CONNECT = "akb-test/connect:it";
  static final String BRIDGE = "akb-test/bridge:it";

  private static boolean built;

  private TestImages() {}

  /** Builds the base and the three images unless this JVM did already. */
  static synchronized void build() throws IOException, InterruptedException {
    if (built) {
      return;
    }
    long start = System.nanoTime();
    Docker.run("jre-python-image.log", 20, "bash", "deploy/jre-python-image.sh", BASE);
    long based = System.nanoTime();
    for (List<String> image :
        List.of(List.of("kafka", KAFKA), List.of("connect", CONNECT), List.of("bridge", BRIDGE))) {
      Docker.run(
          "build-" + image.get(0) + ".log",
          15,
          "docker",
          "build",
          "--network",
          "host",
          "--build-arg",
          "RUNTIME_IMAGE=" + BASE,
          "-f",
          "deploy/" + image.get(0) + "/Dockerfile",
          "-t",
          image.get(1),
          ".");
    }
    System.out.printf(
        "TestImages: base image ready in %d s, Kafka, Connect and bridge images built in %d s%n",
        (based - start) / 1_000_000_000, (System.nanoTime() - based) / 1_000_000_000);
    built = true;
  }
}
