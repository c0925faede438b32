package io.akb.deploy;

import static io.akb.deploy.Docker.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.akb.connect.source.AirbyteSourceConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connect.build.DockerOutput;
import io.strimzi.api.kafka.model.connect.build.ZipArtifact;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests read into the models their operators read them into: Strimzi's own
 * ({@code io.strimzi:api}) for Kafka, KafkaNodePool, KafkaConnect and KafkaConnector, fabric8's for
 * ConfigMap, Deployment and Service. A field the model does not know (a typo, a field of another
 * API version) fails, as does a value of the wrong type or enum; then the resources are checked
 * against each other and the build: addresses, topic prefixes, connector classes, replicas.
 *
 * <p>Two sets are checked: {@code deploy/kubernetes/*.yaml} (two Connect workers, one bridge) and
 * the scaled one, {@code kafka.yaml} with {@code deploy/kubernetes/scaled/*.yaml} (three workers, a
 * connector over three tasks, a bridge process per PostgreSQL target).
 */
class KubernetesManifestsTest {
  /** The API version Strimzi's model does not mark deprecated. */
  private static final String STRIMZI_API = "kafka.strimzi.io/v1";

  private static final Map<String, Class<? extends HasMetadata>> MODELS =
      Map.of(
          "Kafka", Kafka.class,
          "KafkaNodePool", KafkaNodePool.class,
          "KafkaConnect", KafkaConnect.class,
          "KafkaConnector", KafkaConnector.class,
          "ConfigMap", ConfigMap.class,
          "Deployment", Deployment.class,
          "Service", Service.class,
          "PersistentVolumeClaim", PersistentVolumeClaim.class);

  /** Where the images and manifests keep config updates: on the private state volume. */
  private static final String CONFIG_UPDATES_DIR = "/var/lib/akb-state/config-updates";

  /** The version in image tags and archive names: the project's, without -SNAPSHOT. */
  private static final String RELEASE =
      System.getProperty("akb.project.version", "").replace("-SNAPSHOT", "");

  private static final ObjectMapper YAML =
      new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The resources of one deployment, read into their models. */
  private record Manifests(List<HasMetadata> resources) {
    <T extends HasMetadata> List<T> all(Class<T> kind) {
      return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind) {
      List<T> found = all(kind);
      assertThat(found).as("one " + kind.getSimpleName()).hasSize(1);
      return found.get(0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void everyResourceIsOneTheModelsReadWithoutUnknownFields(String set) throws IOException {
    Manifests manifests = read(set);

    // read() has read each into its model, failing on unknown fields and Strimzi API versions
    // other than v1.
    assertThat(manifests.resources())
        .extracting(HasMetadata::getKind)
        .contains("Kafka", "KafkaNodePool", "KafkaConnect", "KafkaConnector", "Deployment");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void kafkaClusterHasBrokersAndControllersForTheReplicationFactorsUsed(String set)
      throws IOException {
    Manifests manifests = read(set);
    Kafka kafka = manifests.one(Kafka.class);
    KafkaNodePool pool = manifests.one(KafkaNodePool.class);

    assertThat(kafka.getSpec().getKafka().getVersion())
        .isEqualTo(System.getProperty("akb.kafka.version"));
    assertThat(pool.getMetadata().getLabels())
        .containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
    assertThat(pool.getSpec().getRoles())
        .containsExactlyInAnyOrder(ProcessRoles.BROKER, ProcessRoles.CONTROLLER);
    int brokers = pool.getSpec().getReplicas();
    // An odd number of controllers keeps a quorum through one lost node.
    assertThat(brokers % 2).as("controllers").isOne();
    Map<String, Object> config = new HashMap<>(kafka.getSpec().getKafka().getConfig());
    KafkaConnect connect = manifests.one(KafkaConnect.class);
    config.putAll(connect.getSpec().getConfig());
    config.forEach(
        (name, value) -> {
          if (name.endsWith("replication.factor") || name.endsWith("min.isr")) {
            assertThat(((Number) value).intValue()).as(name).isBetween(1, brokers);
          }
        });
    // New targets replay from the earliest offset: the topics keep every record.
    assertThat(config).containsEntry("log.retention.ms", -1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void connectRunsThisBuildsPluginAgainstTheKafkaBootstrapService(String set) throws IOException {
    Manifests manifests = read(set);
    KafkaConnect connect = manifests.one(KafkaConnect.class);
    String bootstrap = bootstrapAddress(manifests.one(Kafka.class));

    assertThat(connect.getSpec().getBootstrapServers()).isEqualTo(bootstrap);
    assertThat(connect.getSpec().getVersion()).isEqualTo(System.getProperty("akb.kafka.version"));
    assertThat(connect.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    // v1 moved the group and its topics out of config; they must be set, and distinct.
    assertThat(
            Set.of(
                connect.getSpec().getConfigStorageTopic(),
                connect.getSpec().getOffsetStorageTopic(),
                connect.getSpec().getStatusStorageTopic()))
        .hasSize(3);
    assertThat(connect.getSpec().getGroupId()).isNotBlank();
    assertThat(connect.getSpec().getConfig())
        .containsEntry("exactly.once.source.support", "enabled");
    assertThat(connect.getMetadata().getAnnotations())
        .containsEntry("strimzi.io/use-connector-resources", "true");
    DockerOutput output = (DockerOutput) connect.getSpec().getBuild().getOutput();
    assertThat(output.getImage()).endsWith("/connect:" + RELEASE);
    assertThat(connect.getSpec().getBuild().getPlugins()).hasSize(1);
    assertThat(connect.getSpec().getBuild().getPlugins().get(0).getArtifacts())
        .singleElement()
        .isInstanceOfSatisfying(
            ZipArtifact.class,
            zip -> assertThat(zip.getUrl()).endsWith("/akb-airbyte-connect-" + RELEASE + ".zip"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void connectorsAreThePluginsSourceWithAConfigItAccepts(String set) throws IOException {
    Manifests manifests = read(set);
    KafkaConnect connect = manifests.one(KafkaConnect.class);
    String bootstrap = bootstrapAddress(manifests.one(Kafka.class));
    // The classes the plugin registers for Connect's plugin scan (META-INF/services).
    List<String> pluginSources =
        ServiceLoader.load(SourceConnector.class).stream()
            .map(provider -> provider.type().getName())
            .toList();

    for (KafkaConnector connector : manifests.all(KafkaConnector.class)) {
      String name = describe(connector);
      assertThat(connector.getMetadata().getLabels())
          .as(name)
          .containsEntry("strimzi.io/cluster", connect.getMetadata().getName());
      assertThat(pluginSources).as(name).contains(connector.getSpec().getClassName());
      Map<String, String> props = new HashMap<>();
      connector
          .getSpec()
          .getConfig()
          .forEach((key, value) -> props.put(key, String.valueOf(value)));
      // Read by Connect itself, beside the connector's own options.
      props.keySet().removeAll(Set.of("exactly.once.support", "transaction.boundary"));
      assertThat(AirbyteSourceConfig.CONFIG_DEF.names()).as(name).containsAll(props.keySet());
      Map<String, Object> config = AirbyteSourceConfig.CONFIG_DEF.parse(props);
      assertThat(config.get("bootstrap.servers")).as(name).isEqualTo(bootstrap);
      // The source gives each task a share of its streams: more tasks than streams stay idle.
      @SuppressWarnings("unchecked")
      List<String> streams = (List<String>) config.get("streams");
      int tasks = connector.getSpec().getTasksMax();
      if (tasks > 1) {
        assertThat(streams).as(name + " streams for " + tasks + " tasks").hasSizeGreaterThan(1);
      }
      if (!streams.isEmpty()) {
        assertThat(tasks).as(name + " tasksMax").isBetween(1, streams.size());
      }
    }
  }

  /**
   * Every bridge target reads the topics of a connector in the same set, from the Kafka bootstrap
   * service; every cache target is written by exactly one pod: its Deployment has one replica,
   * replaced with Recreate, and no other Deployment writes the same database and schema.
   */
  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void everyBridgeTargetReadsAConnectorsTopicsAndHasOneWriter(String set) throws IOException {
    Manifests manifests = read(set);
    String bootstrap = bootstrapAddress(manifests.one(Kafka.class));
    List<String> prefixes =
        manifests.all(KafkaConnector.class).stream()
            .map(c -> String.valueOf(c.getSpec().getConfig().get("topic.prefix")))
            .toList();
    Map<String, String> writers = new HashMap<>();
    List<Deployment> bridges = manifests.all(Deployment.class);
    assertThat(bridges).isNotEmpty();

    for (Deployment bridge : bridges) {
      String name = describe(bridge);
      Properties config = bridgeConfig(manifests, bridge);
      assertThat(config.getProperty("akb.kafka.bootstrap-servers")).as(name).isEqualTo(bootstrap);
      List<String> targets =
          config.stringPropertyNames().stream()
              .filter(key -> key.startsWith("akb.targets.") && key.endsWith(".cache"))
              .map(key -> key.substring("akb.targets.".length(), key.length() - ".cache".length()))
              .toList();
      assertThat(targets).as(name + " targets").isNotEmpty();
      assertThat(bridge.getSpec().getReplicas()).as(name + " replicas").isOne();
      assertThat(bridge.getSpec().getStrategy().getType()).as(name).isEqualTo("Recreate");
      for (String target : targets) {
        String prefix = config.getProperty("akb.targets." + target + ".source-prefix");
        assertThat(prefixes).as(name + " target " + target + " source-prefix").contains(prefix);
        String cache = config.getProperty("akb.targets." + target + ".cache");
        String schema = config.getProperty("akb.targets." + target + ".schema", "");
        String written = cache.replaceAll("\\?.*", "") + " schema " + schema;
        assertThat(writers.put(written, name + " target " + target))
            .as("a second writer of " + written + ": " + name + " target " + target)
            .isNull();
      }
    }
    for (Service service : manifests.all(Service.class)) {
      assertThat(bridges)
          .as(describe(service) + " selects the pods of a Deployment")
          .anySatisfy(
              bridge ->
                  assertThat(bridge.getSpec().getTemplate().getMetadata().getLabels())
                      .isEqualTo(service.getSpec().getSelector()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void bridgeImageIsThisVersionWithItsConfigurationWhereQuarkusReadsIt(String set)
      throws IOException {
    for (Deployment bridge : read(set).all(Deployment.class)) {
      var container = bridge.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getImage()).as(describe(bridge)).endsWith("/bridge:" + RELEASE);
      // WORKDIR /work in the image: Quarkus reads config/application.properties from there.
      assertThat(container.getVolumeMounts())
          .as(describe(bridge))
          .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/work/config"));
    }
  }

  /**
   * Every volume of the Connect workers' pod is mounted (one was declared for the venvs and never
   * mounted), and the connectors' venvs ({@code AKB_INSTALL_DIR}) are on one of them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void theConnectWorkersVolumesAreEachMountedAndHoldTheConnectorsVenvs(String set)
      throws IOException {
    KafkaConnect connect = read(set).one(KafkaConnect.class);
    var template = connect.getSpec().getTemplate();
    List<String> mounted =
        template.getConnectContainer().getVolumeMounts().stream()
            .map(VolumeMount::getName)
            .toList();
    assertThat(template.getPod().getVolumes())
        .as(describe(connect) + ": a volume declared is mounted")
        .allSatisfy(volume -> assertThat(mounted).contains(volume.getName()));
    String installDir =
        template.getConnectContainer().getEnv().stream()
            .filter(variable -> variable.getName().equals("AKB_INSTALL_DIR"))
            .findFirst()
            .orElseThrow()
            .getValue();
    assertThat(template.getConnectContainer().getVolumeMounts())
        .as("the venvs (AKB_INSTALL_DIR) live on a volume, not in the container's layer")
        .anyMatch(mount -> installDir.startsWith(mount.getMountPath()));
  }

  /**
   * Config updates (a token a connector refreshed) outlive pods: every Connect worker and bridge
   * container has {@code AKB_CONFIG_UPDATES_DIR} under the mount of a PersistentVolumeClaim of the
   * set (the workers' one shared by all of them, ReadWriteMany, so a moved task finds its file),
   * mounted no group may take over, and every connector's {@code airbyte.config.updates.dir} is
   * that directory.
   */
  @ParameterizedTest
  @ValueSource(strings = {"base", "scaled"})
  void configUpdatesAreKeptOnAPersistentPrivateVolume(String set) throws IOException {
    Manifests manifests = read(set);
    Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    manifests
        .all(PersistentVolumeClaim.class)
        .forEach(claim -> claims.put(claim.getMetadata().getName(), claim));

    KafkaConnect connect = manifests.one(KafkaConnect.class);
    var template = connect.getSpec().getTemplate();
    Map<String, String> connectEnv = new HashMap<>();
    template
        .getConnectContainer()
        .getEnv()
        .forEach(variable -> connectEnv.put(variable.getName(), variable.getValue()));
    assertThat(connectEnv).containsEntry("AKB_CONFIG_UPDATES_DIR", CONFIG_UPDATES_DIR);
    VolumeMount connectMount =
        mountHolding(template.getConnectContainer().getVolumeMounts(), describe(connect));
    var connectVolume =
        template.getPod().getVolumes().stream()
            .filter(volume -> volume.getName().equals(connectMount.getName()))
            .findFirst()
            .orElseThrow();
    PersistentVolumeClaim connectClaim =
        claims.get(connectVolume.getPersistentVolumeClaim().getClaimName());
    assertThat(connectClaim).as(describe(connect) + " state claim").isNotNull();
    assertThat(connectClaim.getSpec().getAccessModes()).contains("ReadWriteMany");
    // The kubelet must not give the group rights on the private files at every start.
    assertThat(template.getPod().getSecurityContext().getFsGroupChangePolicy())
        .isEqualTo("OnRootMismatch");
    for (KafkaConnector connector : manifests.all(KafkaConnector.class)) {
      assertThat(connector.getSpec().getConfig())
          .as(describe(connector))
          .containsEntry("airbyte.config.updates.dir", CONFIG_UPDATES_DIR);
    }

    for (Deployment bridge : manifests.all(Deployment.class)) {
      var pod = bridge.getSpec().getTemplate().getSpec();
      var container = pod.getContainers().get(0);
      assertThat(container.getEnv())
          .as(describe(bridge))
          .extracting(EnvVar::getName, EnvVar::getValue)
          .contains(
              org.assertj.core.groups.Tuple.tuple("AKB_CONFIG_UPDATES_DIR", CONFIG_UPDATES_DIR));
      VolumeMount mount = mountHolding(container.getVolumeMounts(), describe(bridge));
      Volume volume =
          pod.getVolumes().stream()
              .filter(candidate -> candidate.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow();
      assertThat(volume.getPersistentVolumeClaim()).as(describe(bridge)).isNotNull();
      assertThat(claims).containsKey(volume.getPersistentVolumeClaim().getClaimName());
    }
  }

  /** The one writable mount {@link #CONFIG_UPDATES_DIR} lies under. */
  private static VolumeMount mountHolding(List<VolumeMount> mounts, String owner) {
    List<VolumeMount> holding =
        mounts.stream()
            .filter(mount -> Path.of(CONFIG_UPDATES_DIR).startsWith(mount.getMountPath()))
            .toList();
    assertThat(holding).as(owner + " mounts " + CONFIG_UPDATES_DIR).hasSize(1);
    assertThat(holding.get(0).getReadOnly()).as(owner).isNotEqualTo(Boolean.TRUE);
    return holding.get(0);
  }

  /** The unknown-field check catches what a user might mistype. */
  @ParameterizedTest
  @ValueSource(strings = {"/spec/replicas", "/spec/template/spec/containers/0/image"})
  void aMisspeltFieldFailsNamingItsPath(String field) throws IOException {
    Path file = ROOT.resolve("deploy/kubernetes/bridge.yaml");
    List<JsonNode> documents = documents(file);
    JsonNode deployment =
        documents.stream()
            .filter(d -> d.path("kind").asText().equals("Deployment"))
            .findFirst()
            .orElseThrow();
    String parent = field.substring(0, field.lastIndexOf('/'));
    String leaf = field.substring(field.lastIndexOf('/') + 1);
    ((ObjectNode) deployment.at(parent))
        .set(leaf + "s", ((ObjectNode) deployment.at(parent)).remove(leaf));

    assertThatThrownBy(() -> toModel(file, deployment))
        .hasMessageContaining("unknown field")
        .hasMessageContaining(parent.replace('/', '.').substring(1) + "." + leaf + "s");
  }

  private static Manifests read(String set) throws IOException {
    Path dir = ROOT.resolve("deploy/kubernetes");
    List<Path> files = new ArrayList<>();
    if (set.equals("base")) {
      files.addAll(yamlFiles(dir));
    } else {
      files.add(dir.resolve("kafka.yaml"));
      files.addAll(yamlFiles(dir.resolve("scaled")));
    }
    List<HasMetadata> resources = new ArrayList<>();
    for (Path file : files) {
      List<JsonNode> documents = documents(file);
      assertThat(documents).as(file.toString()).isNotEmpty();
      for (JsonNode document : documents) {
        resources.add(toModel(file, document));
      }
    }
    return new Manifests(resources);
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    return YAML.readValues(new YAMLFactory().createParser(file.toFile()), JsonNode.class).readAll();
  }

  /** The document as its kind's model, failing on a field the model does not know. */
  private static HasMetadata toModel(Path file, JsonNode document) throws IOException {
    String kind = document.path("kind").asText();
    Class<? extends HasMetadata> model = MODELS.get(kind);
    assertThat(model).as(file + ": a model for kind " + kind).isNotNull();
    String apiVersion = document.path("apiVersion").asText();
    if (apiVersion.startsWith("kafka.strimzi.io/")) {
      assertThat(apiVersion).as(file + " " + kind).isEqualTo(STRIMZI_API);
    }
    HasMetadata resource = YAML.treeToValue(document, model);
    assertThat(resource.getMetadata().getName()).as(file + " name").isNotBlank();
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(resource, "", unknown, new IdentityHashMap<>());
    assertThat(unknown)
        .as("%s: unknown field(s) of %s %s", file, kind, resource.getMetadata().getName())
        .isEmpty();
    return resource;
  }

  /**
   * Strimzi's and fabric8's models keep fields they do not know in {@code getAdditionalProperties}
   * instead of failing (so an operator can read a newer resource): walks the model and lists them.
   */
  private static void collectUnknownFields(
      Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, true) != null) {
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        collectUnknownFields(item, path + "." + i++, unknown, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown, seen));
      return;
    }
    String type = node.getClass().getName();
    if (!type.startsWith("io.strimzi.") && !type.startsWith("io.fabric8.")) {
      return; // strings, numbers, enums
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getDeclaringClass().getName().startsWith("io.")
          || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue; // derived values (CRD names and the like), not fields
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra) {
          extra
              .keySet()
              .forEach(key -> unknown.add("unknown field " + (path + "." + key).substring(1)));
        }
      } else {
        String field = getter.getName().replaceFirst("^(get|is)", "");
        field = Character.toLowerCase(field.charAt(0)) + field.substring(1);
        collectUnknownFields(value, path + "." + field, unknown, seen);
      }
    }
  }

  /** {@code <cluster>-kafka-bootstrap:<port>} of the Kafka's plain internal listener. */
  private static String bootstrapAddress(Kafka kafka) {
    GenericKafkaListener plain =
        kafka.getSpec().getKafka().getListeners().stream()
            .filter(listener -> !listener.isTls())
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "Kafka " + kafka.getMetadata().getName() + " has no plain listener"));
    return kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.getPort();
  }

  /** The application.properties the bridge container mounts at /work/config, from its ConfigMap. */
  private static Properties bridgeConfig(Manifests manifests, Deployment bridge)
      throws IOException {
    var pod = bridge.getSpec().getTemplate().getSpec();
    String volumeName =
        pod.getContainers().get(0).getVolumeMounts().stream()
            .filter(mount -> mount.getMountPath().equals("/work/config"))
            .findFirst()
            .orElseThrow()
            .getName();
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(volumeName))
            .findFirst()
            .orElseThrow();
    String configMapName = volume.getConfigMap().getName();
    ConfigMap configMap =
        manifests.all(ConfigMap.class).stream()
            .filter(c -> c.getMetadata().getName().equals(configMapName))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError(describe(bridge) + ": no ConfigMap " + configMapName));
    String key =
        volume.getConfigMap().getItems() == null || volume.getConfigMap().getItems().isEmpty()
            ? "application.properties"
            : volume.getConfigMap().getItems().stream()
                .filter(item -> item.getPath().equals("application.properties"))
                .findFirst()
                .orElseThrow()
                .getKey();
    String text = configMap.getData().get(key);
    assertThat(text)
        .as(describe(bridge) + ": ConfigMap " + configMapName + " key " + key)
        .isNotNull();
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return properties;
  }

  private static String describe(HasMetadata resource) {
    return resource.getKind() + " " + resource.getMetadata().getName();
  }
}
