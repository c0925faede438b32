package io.akb.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The Confluent Hub style archive {@code mvn package} builds: layout, manifest, services, classes.
 */
class PluginArchiveIT {

  @Test
  void theArchiveHoldsTheManifestTheServicesAndNoKafkaOrSlf4jClass() throws IOException {
    Path zip = Path.of(System.getProperty("akb.plugin.zip"));
    String top = zip.getFileName().toString().replace(".zip", "") + "/";
    List<String> jars = new ArrayList<>();
    List<String> forbidden = new ArrayList<>();
    List<String> services = new ArrayList<>();
    JsonNode manifest = null;
    try (ZipFile archive = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : archive.stream().toList()) {
        assertThat(entry.getName()).startsWith(top);
        String name = entry.getName().substring(top.length());
        if (name.equals("manifest.json")) {
          manifest =
              AirbyteJson.parse(
                  new String(archive.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
        }
        if (name.startsWith("lib/") && name.endsWith(".jar")) {
          jars.add(name);
          byte[] jar = archive.getInputStream(entry).readAllBytes();
          try (ZipInputStream classes = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry file = classes.getNextEntry();
                file != null;
                file = classes.getNextEntry()) {
              String path = file.getName();
              if (path.endsWith(".class")
                  && (path.startsWith("org/apache/kafka/") || path.startsWith("org/slf4j/"))) {
                forbidden.add(name + "!" + path);
              }
              if (path.equals(
                  "META-INF/services/org.apache.kafka.connect.source.SourceConnector")) {
                services.add(new String(classes.readAllBytes(), StandardCharsets.UTF_8).trim());
              }
            }
          }
        }
      }
    }
    assertThat(manifest).as("manifest.json").isNotNull();
    assertThat(manifest.path("name").asText()).isEqualTo("akb-airbyte-connect");
    assertThat(manifest.path("version").asText()).doesNotContain("${");
    assertThat(manifest.path("component_types").toString()).contains("source");
    assertThat(jars).anyMatch(j -> j.startsWith("lib/connect-plugin-"));
    assertThat(jars).anyMatch(j -> j.startsWith("lib/connector-runtime-"));
    assertThat(jars).anyMatch(j -> j.startsWith("lib/jackson-databind-"));
    assertThat(jars).noneMatch(j -> j.startsWith("lib/kafka-") || j.startsWith("lib/connect-api"));
    assertThat(forbidden).isEmpty();
    assertThat(services).containsExactly("io.akb.connect.source.AirbyteSourceConnector");
  }
}
