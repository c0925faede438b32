package io.akb.runtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A connector image on the local Docker engine, for tests of the Docker executor and of {@code akb
 * --docker-image}. No image can be pulled here, so it is built from nothing: a root file system
 * holding only the host's static busybox (Debian's {@code busybox-static}) is imported ({@code
 * docker import}), and {@value #NAME} is built FROM it ({@code docker build}) with the entrypoint
 * {@code docker-connector/connector.sh}: a shell script speaking the Airbyte protocol (spec, check,
 * discover, read of a stream {@code greetings}, write).
 */
public final class TestConnectorImage {
  /** The connector image. */
  public static final String NAME = "akb-test-connector:1";

  /** The imported root file system it is built from. */
  public static final String BASE_IMAGE = "akb-test-busybox:1";

  private static final Path BUSYBOX = Path.of("/bin/busybox");

  private TestConnectorImage() {}

  /** Builds {@link #NAME}; cheap when it exists (the engine's build cache). */
  public static synchronized void build() throws IOException, InterruptedException {
    assertThat(BUSYBOX)
        .as("the static busybox from Debian's busybox-static package (./run-tests installs it)")
        .isExecutable();
    if (!run(null, "docker", "image", "inspect", BASE_IMAGE).contains("\"Id\"")) {
      run(busyboxRootFs(), "docker", "import", "-", BASE_IMAGE);
    }
    Path context = Files.createTempDirectory("akb-test-image");
    try {
      for (String file : List.of("Dockerfile", "connector.sh")) {
        try (InputStream in =
            TestConnectorImage.class.getResourceAsStream("/docker-connector/" + file)) {
          Files.write(context.resolve(file), in.readAllBytes());
        }
      }
      run(null, "docker", "build", "-q", "-t", NAME, context.toString());
    } finally {
      try (var files = Files.list(context)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(context);
    }
  }

  /** Runs the docker command as a user would, feeding it {@code stdin}; returns its output. */
  private static String run(byte[] stdin, String... command)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
    if (!command[2].equals("inspect")) {
      assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
    return output;
  }

  /** A tar of /bin/busybox with a link per applet (sh, sed, stat, ...) and an empty /tmp. */
  private static byte[] busyboxRootFs() throws IOException, InterruptedException {
    Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
    List<String> applets =
        new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertThat(list.waitFor()).isZero();
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
      for (String dir : List.of("bin/", "tmp/", "sys/", "proc/", "dev/", "etc/")) {
        TarArchiveEntry entry = new TarArchiveEntry(dir);
        entry.setMode(dir.equals("tmp/") ? 01777 : 0755);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
      }
      byte[] busybox = Files.readAllBytes(BUSYBOX);
      TarArchiveEntry binary = new TarArchiveEntry("bin/busybox");
      binary.setMode(0755);
      binary.setSize(busybox.length);
      out.putArchiveEntry(binary);
      out.write(busybox);
      out.closeArchiveEntry();
      for (String applet : applets) {
        if (applet.equals("busybox")) {
          continue;
        }
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        out.putArchiveEntry(link);
        out.closeArchiveEntry();
      }
    }
    return tar.toByteArray();
  }
}
