package io.akb.runtime.schema;

import io.akb.runtime.topic.TopicNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Avro names for Airbyte names. Avro (and so every schema registry, and Connect's Avro and Protobuf
 * converters) allows only {@code [A-Za-z_][A-Za-z0-9_]*}: every other character becomes {@code _},
 * a leading digit gets a {@code _} before it, an empty name is {@code _}. Names chosen together
 * (the fields of one record) are told apart as the topic contract tells topics apart: when several
 * names become one, the name that needed no change keeps it and each other one gets {@code _} and
 * the first 8 hex digits of the SHA-256 of its raw name. The result depends only on the set of
 * names, never on their order, so a field keeps its Avro name when the stream gains another.
 */
public final class AvroNames {

  /** The names of Avro's primitive types, which a named type (a record) may not take. */
  private static final Set<String> PRIMITIVES =
      Set.of("null", "boolean", "int", "long", "float", "double", "bytes", "string");

  private AvroNames() {}

  /** A legal Avro simple name for any string. */
  public static String legal(String name) {
    if (name.isEmpty()) {
      return "_";
    }
    StringBuilder legal = new StringBuilder(name.length() + 1);
    if (name.charAt(0) >= '0' && name.charAt(0) <= '9') {
      legal.append('_');
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      legal.append(allowed ? c : '_');
    }
    return legal.toString();
  }

  /** A legal name for a named type (record): also never the name of a primitive type. */
  public static String typeName(String name) {
    String legal = legal(name);
    return PRIMITIVES.contains(legal) ? legal + "_" : legal;
  }

  /**
   * A legal Avro namespace for a dotted name ({@code public.1st-table} → {@code
   * public._1st_table}), or null for a null or empty one.
   */
  public static String namespace(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.")) {
      if (!part.isEmpty()) {
        parts.add(typeName(part));
      }
    }
    return parts.isEmpty() ? null : String.join(".", parts);
  }

  /**
   * Unique legal names for names chosen together, in their order: each raw name to its Avro name. A
   * name in {@code reserved} is taken already (a field AKB adds), so a raw name that becomes it is
   * given a hashed one. Duplicate raw names map once.
   */
  public static Map<String, String> assign(Collection<String> names, Set<String> reserved) {
    Map<String, List<String>> byLegal = new LinkedHashMap<>();
    for (String name : names) {
      List<String> group = byLegal.computeIfAbsent(legal(name), l -> new ArrayList<>());
      if (!group.contains(name)) {
        group.add(name);
      }
    }
    Map<String, String> chosen = new LinkedHashMap<>();
    List<String> taken = new ArrayList<>(reserved);
    byLegal.forEach(
        (legal, group) -> {
          for (String name : group) {
            // Alone and unreserved: it keeps the legal name. In a group, only an unchanged name
            // does.
            boolean keeps = !reserved.contains(legal) && (group.size() == 1 || name.equals(legal));
            if (keeps) {
              chosen.put(name, legal);
              taken.add(legal);
            }
          }
        });
    for (String name : names) {
      if (!chosen.containsKey(name)) {
        String candidate = legal(name) + "_" + TopicNames.shortHash(name);
        // A raw name could itself look like a hashed one: then count on until free.
        for (int n = 2; taken.contains(candidate) || byLegal.containsKey(candidate); n++) {
          candidate = legal(name) + "_" + TopicNames.shortHash(name) + "_" + n;
        }
        chosen.put(name, candidate);
        taken.add(candidate);
      }
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String name : names) {
      ordered.putIfAbsent(name, chosen.get(name));
    }
    return ordered;
  }
}
