package io.akb.runtime.control;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.akb.runtime.protocol.AirbyteJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a runner keeps of the config updates its connector sent (CONTROL {@code connectorConfig}
 * messages): not the whole config, but each field the connector changed, with its newest value (or
 * its removal) and a fingerprint of the value the given config had for that field when the
 * connector changed it. Immutable.
 *
 * <p>The merge rule, {@link #applyTo}: a run starts with the given config (the user's, secret
 * references resolved) with each stored change applied while the given config still has the value
 * the change was made against. A field the user has edited since keeps the user's value: for every
 * field the newer of the two wins, and a field the connector never changed always comes from the
 * given config. Fields are JSON Pointers ({@code /credentials/access_token}); an array is one
 * value.
 *
 * <p>The file form ({@link #toJson}, {@link #fromJson}): {@code {"akb_config_update": 1,
 * "connector": "source-x", "updated_at": "2026-12-03T04:05:06Z", "changes": [{"path":
 * "/access_token", "value": "...", "given": "sha256:<hex>"}, {"path": "/old", "removed": true,
 * "given": "absent"}]}}.
 *
 * @param connector the connector that sent the updates, such as {@code source-shop}
 * @param updatedAt when the newest update was stored
 * @param changes the fields changed, in the order they apply
 */
public record StoredConfigUpdate(String connector, Instant updatedAt, List<Change> changes) {
  /** The version of the file form; a file of another version is refused, not guessed at. */
  static final int FORMAT = 1;

  /** The fingerprint of a field the given config does not have. */
  static final String ABSENT = "absent";

  public StoredConfigUpdate {
    changes = List.copyOf(changes);
  }

  /**
   * One field the connector changed.
   *
   * @param path the field, as a JSON Pointer
   * @param value its new value; null when {@code removed}
   * @param removed whether the connector's config dropped the field
   * @param given {@link #fingerprint} of the given config's value for the field at the time, or
   *     {@value #ABSENT}
   */
  public record Change(String path, JsonNode value, boolean removed, String given) {}

  /**
   * A config with the stored changes applied.
   *
   * @param config the config a run starts with
   * @param applied the fields whose stored value it has
   * @param givenKept the fields whose stored change lost to a newer edit of the given config
   */
  public record Applied(ObjectNode config, List<String> applied, List<String> givenKept) {}

  /**
   * {@code given} with each change applied whose field the given config still has as it was when
   * the connector changed it; see the class comment for the rule.
   */
  public Applied applyTo(JsonNode given) {
    ObjectNode config = given.deepCopy();
    List<String> applied = new ArrayList<>();
    List<String> givenKept = new ArrayList<>();
    for (Change change : changes) {
      JsonPointer path = JsonPointer.compile(change.path());
      if (!fingerprint(given.at(path)).equals(change.given()) || !put(config, path, change)) {
        givenKept.add(change.path());
      } else {
        applied.add(change.path());
      }
    }
    return new Applied(config, applied, givenKept);
  }

  /**
   * The stored update after the connector sent {@code sent}: this one's changes still in force
   * against {@code given}, then every field where {@code sent} differs from {@code startedWith}
   * (the config the run started with), newest last.
   *
   * @param previous what was stored before, or null
   * @return the new stored update; equal changes to {@code previous} when the connector changed
   *     nothing
   */
  public static StoredConfigUpdate merge(
      StoredConfigUpdate previous,
      String connector,
      JsonNode given,
      JsonNode startedWith,
      JsonNode sent,
      Instant now) {
    List<Change> changes = new ArrayList<>();
    if (previous != null && previous.connector().equals(connector)) {
      for (Change change : previous.changes()) {
        if (fingerprint(given.at(change.path())).equals(change.given())) {
          changes.add(change);
        }
      }
    }
    for (String path : changedPaths(startedWith, sent)) {
      changes.removeIf(
          change -> change.path().equals(path) || change.path().startsWith(path + "/"));
      JsonNode value = sent.at(path);
      String before = fingerprint(given.at(path));
      changes.add(
          value.isMissingNode()
              ? new Change(path, null, true, before)
              : new Change(path, value.deepCopy(), false, before));
    }
    return new StoredConfigUpdate(connector, now, changes);
  }

  /**
   * The fields where {@code after} differs from {@code before}, as JSON Pointers, in key order: a
   * field either lacks, or whose values differ (numbers by value, objects field by field, an array
   * as a whole).
   */
  static List<String> changedPaths(JsonNode before, JsonNode after) {
    List<String> paths = new ArrayList<>();
    collectChanges(JsonPointer.empty(), before, after, paths);
    return paths;
  }

  private static void collectChanges(
      JsonPointer at, JsonNode before, JsonNode after, List<String> paths) {
    if (before.isObject() && after.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        collectChanges(at.appendProperty(name), before.path(name), after.path(name), paths);
      }
    } else if (!canonical(before).equals(canonical(after))) {
      paths.add(at.toString());
    }
  }

  /** Sets or removes the change's field; false when a parent on its path is not an object. */
  private static boolean put(ObjectNode config, JsonPointer path, Change change) {
    ObjectNode parent = config;
    JsonPointer rest = path;
    while (!rest.tail().matches()) {
      String name = rest.getMatchingProperty();
      JsonNode child = parent.get(name);
      if (child == null) {
        if (change.removed()) {
          return true; // nothing to remove
        }
        child = parent.putObject(name);
      }
      if (!(child instanceof ObjectNode object)) {
        return false;
      }
      parent = object;
      rest = rest.tail();
    }
    if (change.removed()) {
      parent.remove(rest.getMatchingProperty());
    } else {
      parent.set(rest.getMatchingProperty(), change.value().deepCopy());
    }
    return true;
  }

  /**
   * A value's fingerprint: {@code sha256:} and the SHA-256 of its {@link #canonical} text, or
   * {@value #ABSENT} for a missing one. A one-way hash, so the file names the old value without
   * holding it.
   */
  static String fingerprint(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return ABSENT;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(canonical(value).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /**
   * One text per value: object fields sorted by name, numbers by their value ({@code 1.50} and
   * {@code 1.5}, {@code 2} and {@code 2.0} are one), no white space.
   */
  static String canonical(JsonNode value) {
    StringBuilder text = new StringBuilder();
    appendCanonical(value, text);
    return text.toString();
  }

  private static void appendCanonical(JsonNode value, StringBuilder text) {
    if (value == null || value.isMissingNode()) {
      text.append("<absent>");
    } else if (value.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      value.fields().forEachRemaining(field -> sorted.put(field.getKey(), field.getValue()));
      text.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = sorted.entrySet().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        text.append(TextNode.valueOf(field.getKey())).append(':');
        appendCanonical(field.getValue(), text);
        if (fields.hasNext()) {
          text.append(',');
        }
      }
      text.append('}');
    } else if (value.isArray()) {
      text.append('[');
      for (int i = 0; i < value.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        appendCanonical(value.get(i), text);
      }
      text.append(']');
    } else if (value.isNumber()) {
      text.append(value.decimalValue().stripTrailingZeros());
    } else {
      text.append(value); // strings quoted and escaped, booleans, null
    }
  }

  /** The file form (see the class comment). */
  public ObjectNode toJson() {
    ObjectNode json = AirbyteJson.MAPPER.createObjectNode();
    json.put("akb_config_update", FORMAT);
    json.put("connector", connector);
    json.put("updated_at", updatedAt.toString());
    ArrayNode list = json.putArray("changes");
    for (Change change : changes) {
      ObjectNode entry = list.addObject().put("path", change.path());
      if (change.removed()) {
        entry.put("removed", true);
      } else {
        entry.set("value", change.value());
      }
      entry.put("given", change.given());
    }
    return json;
  }

  /**
   * Reads the file form.
   *
   * @throws IllegalArgumentException saying which part is wrong, never quoting a value
   */
  public static StoredConfigUpdate fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("it is not a JSON object");
    }
    if (json.path("akb_config_update").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException(
          "its akb_config_update is not " + FORMAT + " (the version of the form this AKB writes)");
    }
    String connector = text(json, "connector");
    Instant updatedAt;
    try {
      updatedAt = Instant.parse(text(json, "updated_at"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("its updated_at is not an ISO-8601 instant");
    }
    JsonNode list = json.get("changes");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("it has no changes array");
    }
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      String where = "changes[" + i + "]";
      String path = entry.path("path").isTextual() ? entry.get("path").asText() : null;
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException(where + " has no path (a JSON Pointer such as /a/b)");
      }
      boolean removed = entry.path("removed").asBoolean(false);
      if (!removed && !entry.has("value")) {
        throw new IllegalArgumentException(where + " has neither a value nor removed=true");
      }
      String given = entry.path("given").asText("");
      if (!given.equals(ABSENT) && !given.startsWith("sha256:")) {
        throw new IllegalArgumentException(where + " has no given fingerprint");
      }
      changes.add(new Change(path, removed ? null : entry.get("value"), removed, given));
    }
    return new StoredConfigUpdate(connector, updatedAt, changes);
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("it has no " + field);
    }
    return value.asText();
  }
}
