package io.akb.runtime.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The files of stored config updates in one private directory, one file per runner: {@code
 * <runner>.json}. They hold the connector's real config values (refreshed tokens), so:
 *
 * <ul>
 *   <li>the directory is {@code 0700} and each file {@code 0600}; a directory or file other users
 *       may read is refused, saying how to fix it, and never loosened or tightened silently;
 *   <li>a file is replaced whole (written beside it, flushed to disk, renamed over it), so a crash
 *       leaves the old update or the new one, never half of one;
 *   <li>{@link #update} holds a lock (a {@code <runner>.lock} file, and a lock within this JVM)
 *       from reading the file to renaming the new one, so two runs of one runner (two tasks of one
 *       connector on a worker) never lose each other's updates;
 *   <li>a file that cannot be read or parsed fails with what to do: it is never ignored and never
 *       overwritten, since it may hold the only valid token.
 * </ul>
 *
 * <p>Where POSIX permissions do not exist (Windows) they are neither set nor checked. Thread-safe.
 */
final class ConfigUpdateStore {
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** One lock per file within this JVM: a {@link FileLock} is held by the process, not a thread. */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path directory;

  ConfigUpdateStore(Path directory) {
    this.directory = directory.toAbsolutePath().normalize();
  }

  Path directory() {
    return directory;
  }

  /** The file of {@code runner} (a name {@link ConfigUpdates#fileName} made safe). */
  Path file(String fileName) {
    return directory.resolve(fileName + ".json");
  }

  /**
   * Creates the directory ({@code 0700}, parents as the system makes them) when it is missing, and
   * checks that only its owner may use it.
   *
   * @throws AkbException when it cannot be created, is no directory, or others may read it
   */
  void checkDirectory() {
    String what = "preparing the config updates directory " + directory;
    if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (directory.getParent() != null) {
          Files.createDirectories(directory.getParent());
        }
        try {
          Files.createDirectory(directory, ownerOnly(OWNER_ONLY_DIR));
        } catch (FileAlreadyExistsException raced) {
          // Another run created it meanwhile: checked below like any existing one.
        }
      } catch (IOException e) {
        throw new AkbException(
            what,
            "it cannot be created: " + e,
            "Make its parent writable for this user, or choose another directory ("
                + ConfigUpdates.DIRECTORY_ENV
                + ", airbyte.config.updates.dir in Kafka Connect, akb.config-updates-dir in the"
                + " bridge).",
            e);
      }
    }
    if (!Files.isDirectory(directory)) {
      throw new AkbException(
          what, "it exists and is not a directory", "Remove it or choose another directory.");
    }
    refuseIfOthersMay(directory, what, "chmod 700 " + directory);
  }

  /**
   * The stored update in {@code file}, or empty when there is none.
   *
   * @throws AkbException when the file cannot be read or is not a stored update, or others may read
   *     it
   */
  Optional<StoredConfigUpdate> read(Path file) {
    String what = "reading the stored config update " + file;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException none) {
      return Optional.empty();
    } catch (AccessDeniedException e) {
      throw new AkbException(
          what,
          "this user may not read it",
          "It must belong to the user the runner runs as, with mode 0600 (chown, chmod 600).",
          e);
    } catch (IOException e) {
      throw new AkbException(what, "it cannot be read: " + e, keepHint(file), e);
    }
    refuseIfOthersMay(file, what, "chmod 600 " + file);
    try {
      return Optional.of(
          StoredConfigUpdate.fromJson(
              AirbyteJson.parse(new String(bytes, StandardCharsets.UTF_8))));
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the text it choked on, which may be part of a token.
      throw new AkbException(what, "it is not JSON" + AirbyteJson.where(e), keepHint(file));
    } catch (IllegalArgumentException e) {
      throw new AkbException(
          what, "it is not a config update AKB wrote: " + e.getMessage(), keepHint(file));
    }
  }

  /**
   * Replaces the update in {@code file} with {@code change} of what it holds (empty when none),
   * under the file's lock; nothing is written when {@code change} returns null.
   *
   * @return what the file holds afterwards
   * @throws AkbException when the file cannot be read, parsed or written
   */
  Optional<StoredConfigUpdate> update(
      Path file, UnaryOperator<Optional<StoredConfigUpdate>> change) {
    checkDirectory();
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, key -> new ReentrantLock());
    jvmLock.lock();
    Path lockFile =
        file.resolveSibling(file.getFileName().toString().replaceFirst("\\.json$", "") + ".lock");
    try (FileChannel lockChannel =
            FileChannel.open(
                lockFile,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                ownerOnly(OWNER_ONLY_FILE));
        FileLock ignored = lockChannel.lock()) {
      Optional<StoredConfigUpdate> before = read(file);
      Optional<StoredConfigUpdate> after = change.apply(before);
      if (after == null) {
        return before;
      }
      write(file, after.orElseThrow());
      return after;
    } catch (IOException e) {
      throw new AkbException(
          "locking the stored config update " + file,
          e.toString(),
          "Check that " + directory + " is writable for this user.",
          e);
    } finally {
      jvmLock.unlock();
    }
  }

  /** Writes beside the file, flushes, renames over it, and flushes the directory entry. */
  private void write(Path file, StoredConfigUpdate update) {
    Path partial = null;
    try {
      partial =
          Files.createTempFile(
              directory, "." + file.getFileName() + "-", ".partial", ownerOnly(OWNER_ONLY_FILE));
      byte[] bytes =
          AirbyteJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(update.toJson());
      try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(
          partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      partial = null;
      syncDirectory();
    } catch (IOException e) {
      throw new AkbException(
          "storing the config update " + file,
          e.toString(),
          "Check that " + directory + " is writable for this user and its disk is not full.",
          e);
    } finally {
      if (partial != null) {
        try {
          Files.deleteIfExists(partial);
        } catch (IOException ignored) {
          // Only a leftover 0600 file; the next write makes another.
        }
      }
    }
  }

  /** Makes the rename durable where the system allows a directory to be flushed (Linux does). */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // Not every system can open a directory; the rename itself is atomic all the same.
    }
  }

  private static String keepHint(Path file) {
    return "It may hold the connector's only valid token, so AKB neither ignores nor overwrites"
        + " it: repair it, or move it away to start from the given config (then run the"
        + " connector's OAuth flow again if its old token was revoked).";
  }

  /** Fails when group or others have any permission on {@code path}. */
  private static void refuseIfOthersMay(Path path, String what, String fix) {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(path);
    } catch (UnsupportedOperationException noPosix) {
      return;
    } catch (IOException e) {
      throw new AkbException(what, "its permissions cannot be read: " + e, null, e);
    }
    Set<PosixFilePermission> granted = EnumSet.noneOf(PosixFilePermission.class);
    granted.addAll(permissions);
    granted.retainAll(OTHERS);
    if (!granted.isEmpty()) {
      throw new AkbException(
          what,
          path
              + " is "
              + PosixFilePermissions.toString(permissions)
              + ": other users may use it, and it holds the connector's secrets",
          "Make it private (" + fix + "), or choose a private directory.");
    }
  }

  private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
    return supportsPosix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }

  private static boolean supportsPosix() {
    return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
