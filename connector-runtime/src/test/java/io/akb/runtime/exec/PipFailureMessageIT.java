package io.akb.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.akb.runtime.AkbException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user reads when pip cannot install a connector, from pip's own output: tiny local wheels
 * whose requirements cannot be met, installed by the real pip with no package index (only a local
 * folder of wheels), so the test needs no network. The install runs in a child JVM, which is given
 * pip's {@code PIP_NO_INDEX} and {@code PIP_FIND_LINKS}.
 */
class PipFailureMessageIT {
  @TempDir Path dir;

  /** Installs the wheel {@code args[1]} into the install dir {@code args[0]}; prints the error. */
  public static void main(String[] args) {
    try {
      new VenvExecutor(
              "airbyte-source-akb-test",
              null,
              args[1],
              "source-akb-test",
              Path.of(args[0]),
              "python3",
              Duration.ofMinutes(3),
              Map.of(),
              20)
          .install();
      System.out.println("installed");
    } catch (AkbException e) {
      System.out.println(e.getMessage());
    }
  }

  @Test
  void aPinThatDoesNotExistIsNamedAsTheRequirementPipCouldNotMeet() throws Exception {
    Path wheels = Files.createDirectories(dir.resolve("wheels"));
    wheel(wheels, "akb_dependency", "1.0");
    Path connector = wheel(dir, "airbyte_source_akb_test", "0.6.0", "akb-dependency==9.9.9");

    String message = install(connector, wheels);

    assertThat(message)
        .contains(
            "pip install "
                + connector
                + " failed with exit code 1: "
                + connector
                + " requires akb-dependency==9.9.9, which pip cannot find")
        .contains("choose another version of airbyte-source-akb-test")
        // pip's own words, from the install log:
        .contains("No matching distribution found for akb-dependency==9.9.9")
        .doesNotContain("Check the package name and version");
  }

  @Test
  void requirementsThatConflictAreNamedWithWhatEachDependsOn() throws Exception {
    Path wheels = Files.createDirectories(dir.resolve("wheels"));
    wheel(wheels, "akb_dependency", "1.0");
    wheel(wheels, "akb_dependency", "2.0");
    wheel(wheels, "akb_cdk", "3.0", "akb-dependency==2.0");
    Path connector =
        wheel(dir, "airbyte_source_akb_test", "0.6.0", "akb-cdk==3.0", "akb-dependency==1.0");

    String message = install(connector, wheels);

    assertThat(message)
        .contains("its requirements conflict")
        .contains("airbyte-source-akb-test 0.6.0 depends on akb-dependency==1.0")
        .contains("akb-cdk 3.0 depends on akb-dependency==2.0")
        .contains("choose another version of airbyte-source-akb-test")
        .doesNotContain("Check the package name and version");
  }

  private String install(Path connector, Path wheels) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PipFailureMessageIT.class.getName(),
                dir.resolve("install").toString(),
                connector.toString())
            .redirectErrorStream(true);
    builder.environment().put("PIP_NO_INDEX", "1");
    builder.environment().put("PIP_FIND_LINKS", wheels.toString());
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor()).as(output).isZero();
    return output;
  }

  /**
   * Writes a pure-Python wheel of {@code name} at {@code version} with these requirements; pip
   * needs only its metadata, WHEEL and RECORD files.
   */
  private static Path wheel(Path folder, String name, String version, String... requires)
      throws IOException {
    String distInfo = name + "-" + version + ".dist-info/";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(name + "/__init__.py", "");
    List<String> metadata =
        new ArrayList<>(
            List.of(
                "Metadata-Version: 2.1", "Name: " + name.replace('_', '-'), "Version: " + version));
    for (String requirement : requires) {
      metadata.add("Requires-Dist: " + requirement);
    }
    files.put(distInfo + "METADATA", String.join("\n", metadata) + "\n");
    files.put(
        distInfo + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: akb-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    files.keySet().forEach(file -> record.append(file).append(",,\n"));
    record.append(distInfo).append("RECORD,,\n");
    files.put(distInfo + "RECORD", record.toString());
    Path wheel = folder.resolve(name + "-" + version + "-py3-none-any.whl");
    try (OutputStream out = Files.newOutputStream(wheel);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return wheel;
  }
}
