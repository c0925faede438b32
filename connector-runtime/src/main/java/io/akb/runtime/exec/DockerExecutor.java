package io.akb.runtime.exec;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.akb.runtime.Airbyte;
import io.akb.runtime.AkbException;
import io.akb.runtime.ConnectorOptions;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a connector from a Docker image that is already on the local engine, like PyAirbyte's {@code
 * docker_image}. One container per command, with stdout, stderr and (for {@code write}) stdin
 * attached.
 *
 * <p>The invocation's files (config, catalog, state) are written to a private temp dir (0700, files
 * 0600) that is mounted read-only at {@value #MOUNT_POINT}; the command's arguments point there.
 * The container runs on the {@link DockerNetwork host network or none}, never on a bridge. Closing
 * the process kills the container if it still runs, removes it and deletes the temp dir.
 *
 * <p>AKB never pulls: an image that is not on the engine is an {@link AkbException} telling the
 * user to build or load it. The engine is found like the {@code docker} command finds it ({@code
 * DOCKER_HOST}, else the local socket).
 */
public final class DockerExecutor implements ConnectorExecutor {
  /** Where the invocation's files appear inside the container. */
  public static final String MOUNT_POINT = "/airbyte/akb";

  private static final Logger log = LoggerFactory.getLogger(DockerExecutor.class);
  private static final int PIPE_CHUNKS = 256;

  /** Environment variable choosing the network of {@link Airbyte#getSource}'s containers. */
  public static final String NETWORK_ENV = "AKB_DOCKER_NETWORK";

  private final String image;
  private final DockerNetwork network;
  private final Map<String, String> environment;
  private final int tailLines;
  private final DockerClient docker;
  private final String dockerHost;

  /**
   * The executor {@link Airbyte#getSource} uses for {@link ConnectorOptions#dockerImage()}: the
   * options' environment is passed into the container, the network is {@code $AKB_DOCKER_NETWORK}
   * ({@code host} when unset).
   */
  public DockerExecutor(String image, ConnectorOptions options) {
    this(
        image,
        DockerNetwork.fromOption(
            Optional.ofNullable(System.getenv(NETWORK_ENV)).orElse(DockerNetwork.HOST.mode())),
        options.environment(),
        options.logTailLines());
  }

  /** An executor for {@code image} on {@code network}, talking to the default Docker engine. */
  public DockerExecutor(String image, DockerNetwork network) {
    this(image, network, Map.of(), LogTail.DEFAULT_LINES);
  }

  /**
   * @param environment variables set in the container
   * @param tailLines stderr lines kept for error messages
   */
  public DockerExecutor(
      String image, DockerNetwork network, Map<String, String> environment, int tailLines) {
    this(
        image,
        network,
        environment,
        tailLines,
        DefaultDockerClientConfig.createDefaultConfigBuilder().build());
  }

  private DockerExecutor(
      String image,
      DockerNetwork network,
      Map<String, String> environment,
      int tailLines,
      DockerClientConfig config) {
    if (image == null || image.isBlank()) {
      throw new AkbException(
          "running a Docker connector",
          "no image was named",
          "Name one, such as airbyte/source-faker:6.2.10.");
    }
    this.image = image;
    this.network = network;
    this.environment = Map.copyOf(environment);
    this.tailLines = tailLines;
    this.dockerHost = config.getDockerHost().toString();
    this.docker =
        DockerClientImpl.getInstance(
            config,
            new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10))
                .build());
  }

  @Override
  public String describe() {
    return "Docker image " + image + " (network " + network.mode() + ")";
  }

  /** Checks that the image is on the engine; it is never pulled. */
  @Override
  public void install() {
    inspectImage();
  }

  @Override
  public ConnectorProcess start(ConnectorInvocation invocation) {
    InspectImageResponse imageInfo = inspectImage();
    PrivateTempDir files = PrivateTempDir.create();
    try {
      List<String> args = new ArrayList<>();
      args.add(invocation.command());
      files
          .writeArguments(invocation)
          .forEach(
              (flag, path) -> args.addAll(List.of(flag, MOUNT_POINT + "/" + path.getFileName())));
      args.addAll(invocation.extraArguments());
      shareWithImageUser(files.path(), imageInfo);

      CreateContainerResponse container =
          docker
              .createContainerCmd(image)
              .withCmd(args)
              .withEnv(
                  environment.entrySet().stream()
                      .map(e -> e.getKey() + "=" + e.getValue())
                      .toList())
              .withLabels(Map.of("io.akb.connector", image))
              .withAttachStdout(true)
              .withAttachStderr(true)
              .withAttachStdin(invocation.stdin())
              .withStdinOpen(invocation.stdin())
              // Ending our stdin attachment then closes the connector's stdin: how `write` ends.
              .withStdInOnce(invocation.stdin())
              .withHostConfig(
                  HostConfig.newHostConfig()
                      .withNetworkMode(network.mode())
                      .withBinds(
                          new Bind(
                              files.path().toString(), new Volume(MOUNT_POINT), AccessMode.ro)))
              .exec();
      return new DockerProcess(container.getId(), files, invocation.stdin());
    } catch (DockerException | UncheckedIOException e) {
      files.close();
      throw new AkbException(
          "starting " + describe(),
          "the Docker engine refused the container: " + firstLine(e.getMessage()),
          "Check `docker info` and that the image runs: `docker run --rm " + image + " spec`.",
          e);
    }
  }

  private InspectImageResponse inspectImage() {
    try {
      return docker.inspectImageCmd(image).exec();
    } catch (NotFoundException e) {
      throw new AkbException(
          describe(),
          "the image is not on the local Docker engine, and AKB never pulls images",
          "Build it (`docker build -t "
              + image
              + " .`) or load it (`docker load -i FILE`, `docker pull "
              + image
              + "` where a registry is reachable), then run again.",
          e);
    } catch (RuntimeException e) {
      throw new AkbException(
          describe(),
          "the Docker engine at " + dockerHost + " did not answer: " + firstLine(e.getMessage()),
          "Start Docker (`dockerd`), or set DOCKER_HOST to a running engine, and check `docker"
              + " info`.",
          e);
    }
  }

  /**
   * The files are 0600 and owned by us; an image that runs as another numeric user could not read
   * them. When we may (as root), they are handed to that user, still unreadable to anyone else.
   */
  private static void shareWithImageUser(Path dir, InspectImageResponse imageInfo) {
    String user = imageInfo.getConfig() == null ? null : imageInfo.getConfig().getUser();
    if (user == null || user.isBlank() || user.equals("root") || user.startsWith("0")) {
      return;
    }
    String uid = user.split(":")[0];
    if (!uid.chars().allMatch(Character::isDigit)) {
      log.warn(
          "Image user '{}' is not numeric: the connector may not be able to read its mounted config",
          user);
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path path : files.toList()) {
        Files.setAttribute(path, "unix:uid", Integer.parseInt(uid));
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("Could not hand the connector's files to image user {}: {}", user, e.toString());
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no reason given";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  /** One container: attached before it starts, so no output is lost. */
  private final class DockerProcess implements ConnectorProcess {
    private final String containerId;
    private final PrivateTempDir files;
    private final ChunkPipe stdout = new ChunkPipe(PIPE_CHUNKS);
    private final ChunkPipe stderr = new ChunkPipe(PIPE_CHUNKS);
    private final LogTail stderrTail = new LogTail(tailLines);
    private final ChunkPipe stdin;
    private final Thread stderrDrain;
    private final ResultCallback.Adapter<Frame> attachment;
    private final ResultCallback.Adapter<Frame> stdinAttachment;
    private final WaitContainerResultCallback exit;
    private volatile boolean closed;

    DockerProcess(String containerId, PrivateTempDir files, boolean withStdin) {
      this.containerId = containerId;
      this.files = files;
      // The same bounded line splitting as a local process's stderr.
      this.stderrDrain =
          new Thread(
              () -> LocalProcess.drain(stderr.input(), stderrTail),
              "docker-" + containerId.substring(0, 12) + "-stderr");
      stderrDrain.setDaemon(true);
      stderrDrain.start();
      this.stdin = withStdin ? new ChunkPipe(PIPE_CHUNKS) : null;
      this.attachment =
          docker
              .attachContainerCmd(containerId)
              .withStdOut(true)
              .withStdErr(true)
              .withFollowStream(true)
              .exec(new OutputFrames());
      this.stdinAttachment = withStdin ? attachStdin() : null;
      try {
        attachment.awaitStarted(30, TimeUnit.SECONDS);
        if (stdinAttachment != null) {
          stdinAttachment.awaitStarted(30, TimeUnit.SECONDS);
        }
        docker.startContainerCmd(containerId).exec();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new AkbException(describe(), "interrupted while starting the container", null, e);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
      this.exit = docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback());
    }

    /**
     * Stdin goes through an attachment of its own. docker-java sends our stdin over the hijacked
     * connection but never half-closes it at the end, so the connector would wait for more input
     * forever; ending this connection instead is what makes the engine close the connector's stdin
     * (the container is created with StdinOnce).
     */
    private ResultCallback.Adapter<Frame> attachStdin() {
      ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>();
      InputStream untilEnd =
          new FilterInputStream(stdin.input()) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
              int read = super.read(buffer, offset, length);
              if (read < 0) {
                // Everything before the end was written and flushed: hang up from another thread,
                // so docker-java's copying thread finishes its loop first.
                Thread hangUp = new Thread(() -> closeQuietly(callback), "akb-stdin-end");
                hangUp.setDaemon(true);
                hangUp.start();
              }
              return read;
            }
          };
      return docker
          .attachContainerCmd(containerId)
          .withStdIn(untilEnd)
          .withFollowStream(true)
          .exec(callback);
    }

    @Override
    public InputStream stdout() {
      return stdout.input();
    }

    @Override
    public OutputStream stdin() {
      if (stdin == null) {
        throw new IllegalStateException("this invocation did not ask for stdin");
      }
      return stdin.output();
    }

    @Override
    public List<String> stderrTail() {
      return stderrTail.lines();
    }

    @Override
    public Optional<Integer> waitFor(Duration timeout) {
      try {
        int exitCode = exit.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
        // The exit can come before the last output frames: let them reach the stderr tail.
        attachment.awaitCompletion(1, TimeUnit.SECONDS);
        stderrDrain.join(1_000);
        return Optional.of(exitCode);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      } catch (RuntimeException e) {
        // docker-java reports a timeout as DockerClientException; a removed container as
        // NotFoundException: in both cases there is no exit code to give.
        return Optional.empty();
      }
    }

    @Override
    public boolean isAlive() {
      return !closed && waitFor(Duration.ZERO).isEmpty();
    }

    @Override
    public void kill() {
      try {
        docker.killContainerCmd(containerId).exec();
      } catch (DockerException e) {
        // Already exited or removed: nothing left to kill.
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        docker.removeContainerCmd(containerId).withForce(true).exec();
      } catch (DockerException e) {
        log.debug("Container {} already gone: {}", containerId, e.toString());
      }
      closeQuietly(attachment);
      closeQuietly(stdinAttachment);
      closeQuietly(exit);
      closeQuietly(stdout.input());
      if (stdin != null) {
        closeQuietly(stdin.input());
      }
      files.close();
    }

    private void closeQuietly(AutoCloseable closeable) {
      if (closeable == null) {
        return;
      }
      try {
        closeable.close();
      } catch (Exception e) {
        log.debug("Closing {} of container {}: {}", closeable, containerId, e.toString());
      }
    }

    @Override
    public String toString() {
      return describe() + " container " + containerId.substring(0, 12);
    }

    /** Sorts the attached frames: stdout into the pipe, stderr into the tail. */
    private final class OutputFrames extends ResultCallback.Adapter<Frame> {
      @Override
      public void onNext(Frame frame) {
        try {
          (frame.getStreamType() == StreamType.STDERR ? stderr : stdout)
              .output()
              .write(frame.getPayload());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void onError(Throwable throwable) {
        if (!closed) {
          stderrTail.add("[akb] lost the container's output: " + throwable);
        }
        endStdout();
        super.onError(throwable);
      }

      @Override
      public void onComplete() {
        endStdout();
        super.onComplete();
      }

      private void endStdout() {
        try {
          stdout.output().close();
          stderr.output().close();
        } catch (IOException e) {
          log.debug("Ending the output of container {}: {}", containerId, e.toString());
        }
      }
    }
  }
}
