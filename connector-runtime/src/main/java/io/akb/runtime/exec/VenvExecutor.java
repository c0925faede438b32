package io.akb.runtime.exec;

import io.akb.runtime.AkbException;
import io.akb.runtime.registry.ConnectorMetadata;
import io.akb.runtime.registry.ConnectorRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a connector from its PyPI package, installed into a venv of its own under {@code
 * <installDir>/venvs/<package>-<version>} (PyAirbyte's {@code use_python}/{@code pip_url}).
 *
 * <p>Installing is atomic and safe when several JVMs install at once: under a file lock the venv is
 * built in a temp dir beside its final place, marked complete, and renamed into place; a venv
 * already in place is reused without locking. Because a venv's scripts carry the absolute path of
 * the dir they were built in, the connector is started as {@code <venv>/bin/python
 * <venv>/bin/<script>}, which does not depend on that path.
 */
public final class VenvExecutor implements ConnectorExecutor {
  private static final Logger log = LoggerFactory.getLogger(VenvExecutor.class);

  /** A file written last into a finished venv; a venv without it is incomplete. */
  static final String COMPLETE_MARKER = ".akb-installed";

  /** File locks are per JVM, so threads of one JVM also queue on a lock of their own. */
  private static final Map<Path, ReentrantLock> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final String packageName;
  private final String requirement;
  private final String consoleScript;
  private final Path venv;
  private final String python;
  private final Duration installTimeout;
  private final Map<String, String> environment;
  private final int tailLines;
  private volatile LocalExecutor installed;

  /**
   * @param packageName the PyPI package, such as {@code airbyte-source-faker}
   * @param version the version to pin, or null for the latest
   * @param pipUrl a pip requirement to install instead of {@code package==version}, or null
   * @param consoleScript the script the package installs, such as {@code source-faker}
   * @param installDir the root of AKB's venvs ({@code AKB_INSTALL_DIR})
   * @param python the interpreter that creates the venv
   * @param installTimeout how long the venv creation and pip install may take
   * @param environment variables added to the connector's environment
   * @param tailLines stderr lines kept for error messages
   */
  public VenvExecutor(
      String packageName,
      String version,
      String pipUrl,
      String consoleScript,
      Path installDir,
      String python,
      Duration installTimeout,
      Map<String, String> environment,
      int tailLines) {
    this.packageName = packageName;
    this.requirement =
        pipUrl != null ? pipUrl : version == null ? packageName : packageName + "==" + version;
    this.consoleScript = consoleScript;
    String versionLabel =
        pipUrl != null
            ? "pip-" + Integer.toHexString(pipUrl.hashCode())
            : version == null ? "latest" : version;
    this.venv = installDir.resolve("venvs").resolve(packageName + "-" + versionLabel);
    this.python = python;
    this.installTimeout = installTimeout;
    this.environment = Map.copyOf(environment);
    this.tailLines = tailLines;
  }

  /** The venv's directory, whether installed or not. */
  public Path venv() {
    return venv;
  }

  @Override
  public String describe() {
    return requirement + " in venv " + venv;
  }

  /** Whether a complete venv is already in place. */
  public boolean isInstalled() {
    return Files.exists(venv.resolve(COMPLETE_MARKER));
  }

  @Override
  public void install() {
    if (installed == null && !isInstalled()) {
      installUnderLock();
    }
  }

  @Override
  public ConnectorProcess start(ConnectorInvocation invocation) {
    LocalExecutor program = installed;
    if (program == null) {
      install();
      program =
          new LocalExecutor(
              List.of(venv.resolve("bin/python").toString(), script().toString()),
              environment,
              tailLines);
      installed = program;
    }
    return program.start(invocation);
  }

  /**
   * The console script: the one asked for, else {@code airbyte-<name>} (some packages, such as
   * airbyte-destination-ailake, name their script after the package), else the package's only
   * {@code source-*} or {@code destination-*} script.
   */
  private Path script() {
    for (String name : List.of(consoleScript, "airbyte-" + consoleScript)) {
      Path named = venv.resolve("bin").resolve(name);
      if (Files.exists(named)) {
        return named;
      }
    }
    try (Stream<Path> bin = Files.list(venv.resolve("bin"))) {
      List<Path> candidates =
          bin.filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith("source-") || name.startsWith("destination-");
                  })
              .toList();
      if (candidates.size() == 1) {
        return candidates.get(0);
      }
      throw new AkbException(
          "starting " + requirement,
          "the package installed no script named " + consoleScript + " in " + venv.resolve("bin"),
          "Name the connector after its script, or remove " + venv + " to reinstall it.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void installUnderLock() {
    Path venvs = venv.getParent();
    Path lockFile = venvs.resolve("." + venv.getFileName() + ".lock");
    ReentrantLock jvmLock = LOCKS_IN_THIS_JVM.computeIfAbsent(lockFile, k -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(venvs);
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        if (isInstalled()) {
          return; // another process finished it while this one waited
        }
        build();
      }
    } catch (IOException e) {
      throw new AkbException(
          "installing " + requirement,
          e.toString(),
          "Check that " + venvs + " is writable (set AKB_INSTALL_DIR to move it).",
          e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void build() throws IOException {
    Path temp = Files.createTempDirectory(venv.getParent(), ".tmp-" + venv.getFileName() + "-");
    Path installLog = temp.resolve("akb-install.log");
    long started = System.nanoTime();
    log.info("Installing {} into {}", requirement, venv);
    try {
      // A venv without pip is created in a second instead of half a minute; the interpreter's own
      // pip then installs into it (pip 22.3+). Without such a pip, the venv gets one of its own.
      runStep(
          List.of(python, "-m", "venv", "--without-pip", temp.toString()),
          installLog,
          "creating the venv");
      String venvPython = temp.resolve("bin/python").toString();
      List<String> pip;
      if (basePipCanInstallIntoOtherPythons()) {
        pip = List.of(python, "-m", "pip", "--python", venvPython);
      } else {
        runStep(List.of(venvPython, "-m", "ensurepip"), installLog, "installing pip in the venv");
        pip = List.of(venvPython, "-m", "pip");
      }
      List<String> install = new ArrayList<>(pip);
      install.addAll(List.of("install", "--disable-pip-version-check", "--no-input", requirement));
      runStep(install, installLog, "pip install " + requirement);
      pointScriptsAt(temp, venv);
      Files.writeString(temp.resolve(COMPLETE_MARKER), requirement + "\n");
      moveIntoPlace(temp);
      log.info(
          "Installed {} in {} s",
          requirement,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    } finally {
      if (Files.exists(temp)) {
        PrivateTempDir.deleteRecursively(temp);
      }
    }
  }

  /** Whether {@code python -m pip} exists and knows {@code --python} (pip 22.3 and later). */
  private boolean basePipCanInstallIntoOtherPythons() {
    try {
      Process process =
          new ProcessBuilder(python, "-m", "pip", "--version").redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return false;
      }
      Matcher version = Pattern.compile("^pip (\\d+)\\.(\\d+)").matcher(output);
      if (!version.find()) {
        return false;
      }
      int major = Integer.parseInt(version.group(1));
      int minor = Integer.parseInt(version.group(2));
      return major > 22 || (major == 22 && minor >= 3);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Rewrites the venv's scripts ({@code #!} lines, {@code activate}) from the temp dir it was built
   * in to its final place: pip writes the interpreter's path into every script it installs, and
   * after the rename that path would no longer exist for anyone running the scripts directly. Only
   * text scripts are touched; a compiled program in {@code bin} keeps its bytes.
   */
  static void pointScriptsAt(Path builtIn, Path finalPlace) throws IOException {
    byte[] from = builtIn.toString().getBytes(StandardCharsets.UTF_8);
    String to = finalPlace.toString();
    try (var scripts = Files.list(builtIn.resolve("bin"))) {
      for (Path script : (Iterable<Path>) scripts::iterator) {
        if (!Files.isRegularFile(script, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(script);
        boolean text =
            (bytes.length > 1 && bytes[0] == '#' && bytes[1] == '!')
                || script.getFileName().toString().startsWith("activate");
        if (text && indexOf(bytes, from) >= 0) {
          String content = new String(bytes, StandardCharsets.UTF_8);
          Files.writeString(script, content.replace(builtIn.toString(), to));
        }
      }
    }
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i <= bytes.length - part.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Replaces an incomplete venv left by a crash; the rename is the moment the venv appears. */
  private void moveIntoPlace(Path temp) throws IOException {
    if (Files.exists(venv)) {
      PrivateTempDir.deleteRecursively(
          venv); // no marker (checked under the lock): a crashed install's leftovers
    }
    try {
      Files.move(temp, venv, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException
        | FileAlreadyExistsException
        | DirectoryNotEmptyException e) {
      throw new IOException("could not rename " + temp + " to " + venv, e);
    }
  }

  private void runStep(List<String> command, Path installLog, String step) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(installLog.toFile()));
    builder.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AkbException(
          "installing " + requirement,
          "could not start " + command.get(0) + ": " + e.getMessage(),
          "Install Python 3 with venv support (Debian: apt-get install python3-venv), or set the"
              + " python option.",
          e);
    }
    process.getOutputStream().close();
    boolean finished;
    try {
      finished = process.waitFor(installTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AkbException("installing " + requirement, "interrupted", null, e);
    }
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AkbException(
          "installing " + requirement,
          step + " took longer than " + installTimeout.toSeconds() + " s",
          lastLines(installLog),
          "Check the network access to the package index, or raise the install timeout.",
          null);
    }
    if (process.exitValue() != 0) {
      List<String> tail = lastLines(installLog);
      String unmet = unsatisfiedRequirement(tail);
      List<String> conflicts = conflicts(tail);
      String why = step + " failed with exit code " + process.exitValue();
      String hint =
          "Check the package name and version ("
              + requirement
              + ") and the access to the package index.";
      if (unmet != null && !requirementName(unmet).equals(requirementName(packageName))) {
        why += ": " + requirement + " requires " + unmet + ", which pip cannot find";
        hint =
            "This release of the connector cannot be installed from the package index (one of"
                + " its own pins does not exist there): choose another version of "
                + packageName
                + ", or give a pip requirement that works.";
      } else if (unmet != null) {
        why += ": the package index has no " + unmet;
        hint += knownVersions(consoleScript, packageName, unmet);
      } else if (!conflicts.isEmpty()) {
        why += ": its requirements conflict (" + String.join("; ", conflicts) + ")";
        hint =
            "This release of the connector cannot be installed (its own pins and those of its"
                + " dependencies exclude each other): choose another version of "
                + packageName
                + ", or give a pip requirement that works.";
      }
      throw new AkbException("installing " + requirement, why, tail, hint, null);
    }
  }

  /**
   * For a {@code package==version} the index does not have: the registry's recorded versions
   * nearest to it (" The registry records 109 versions of airbyte-source-faker; the nearest are
   * 6.2.38 and 7.0.0."), or "" when it records none for this connector. Only a hint: pip judged,
   * and the registry may be older than the index.
   */
  static String knownVersions(String connector, String packageName, String unmet) {
    int pin = unmet.indexOf("==");
    Optional<ConnectorMetadata> known =
        ConnectorRegistry.getDefault()
            .find(connector)
            .filter(c -> packageName.equals(c.pypiPackage()) && !c.versions().isEmpty());
    if (pin < 0 || known.isEmpty()) {
      return "";
    }
    List<String> nearest = known.get().nearestVersions(unmet.substring(pin + 2));
    return " The registry records "
        + known.get().versions().size()
        + " versions of "
        + packageName
        + (nearest.isEmpty() ? "" : "; the nearest are " + String.join(" and ", nearest))
        + " (akb connectors "
        + connector
        + " --versions lists them).";
  }

  private static final Pattern NO_MATCHING_DISTRIBUTION =
      Pattern.compile("No matching distribution found for (\\S+)");

  /**
   * The requirement pip could not meet, from its output ({@code ERROR: No matching distribution
   * found for smart-open[all]==0.6.0}), or null when pip failed for another reason.
   */
  static String unsatisfiedRequirement(List<String> pipOutput) {
    String found = null;
    for (String line : pipOutput) {
      Matcher matcher = NO_MATCHING_DISTRIBUTION.matcher(line);
      if (matcher.find()) {
        found = matcher.group(1);
      }
    }
    return found;
  }

  private static final Pattern DEPENDS_ON = Pattern.compile("^\\s+(\\S.* depends on \\S.*)$");

  /**
   * What each side of a dependency conflict requires, from pip's output ({@code The conflict is
   * caused by:} then lines such as {@code akb-cdk 3.0 depends on akb-dependency==2.0}); empty when
   * pip reported no conflict.
   */
  static List<String> conflicts(List<String> pipOutput) {
    List<String> found = new ArrayList<>();
    boolean inConflict = false;
    for (String line : pipOutput) {
      if (line.strip().equals("The conflict is caused by:")) {
        inConflict = true;
        found.clear();
      } else if (inConflict) {
        Matcher matcher = DEPENDS_ON.matcher(line);
        if (matcher.matches()) {
          found.add(matcher.group(1).strip());
        } else {
          inConflict = false;
        }
      }
    }
    return found;
  }

  /** A requirement's project name, normalized as PyPI compares them: {@code smart_open}. */
  private static String requirementName(String requirement) {
    Matcher name = Pattern.compile("^[A-Za-z0-9._-]+").matcher(requirement);
    String project = name.find() ? name.group() : requirement;
    return project.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  private static List<String> lastLines(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      List<String> tail =
          new ArrayList<>(lines.subList(Math.max(0, lines.size() - 20), lines.size()));
      tail.replaceAll(LogTail::shorten);
      return tail;
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public String toString() {
    return describe();
  }

  /** The venv's spec file: a venv's program never changes once it is installed. */
  @Override
  public Path specFile() {
    return venv.resolve(".akb-spec.json");
  }

  /** The package this executor installs. */
  public String packageName() {
    return packageName;
  }
}
