package io.akb.runtime.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.akb.runtime.Cache;
import io.akb.runtime.CachedDataset;
import io.akb.runtime.MessageStream;
import io.akb.runtime.ReadResult;
import io.akb.runtime.Source;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStateType;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The simplest {@link Cache}: records and the latest state per stream in memory. A reference for
 * the contract (states kept per stream descriptor, GLOBAL/LEGACY state replacing the whole state)
 * and a stand-in where a test needs a cache but not a database.
 */
public final class InMemoryCache implements Cache {
  private final Map<String, List<JsonNode>> records = new ConcurrentHashMap<>();
  private final Map<String, Map<String, AirbyteStateMessage>> states = new ConcurrentHashMap<>();

  @Override
  public JsonNode state(String sourceName) {
    Map<String, AirbyteStateMessage> stored = states.get(sourceName);
    if (stored == null || stored.isEmpty()) {
      return null;
    }
    ArrayNode array = AirbyteJson.MAPPER.createArrayNode();
    stored.values().forEach(state -> array.add(AirbyteJson.MAPPER.valueToTree(state)));
    return array;
  }

  @Override
  public ReadResult write(Source source, ConfiguredAirbyteCatalog catalog, MessageStream messages) {
    Map<String, Long> read = new LinkedHashMap<>();
    catalog.streams().forEach(s -> read.put(s.stream().name(), 0L));
    Map<String, AirbyteStateMessage> sourceStates =
        states.computeIfAbsent(source.name(), k -> new LinkedHashMap<>());
    while (messages.hasNext()) {
      AirbyteMessage message = messages.next();
      if (message.type() == AirbyteMessage.Type.RECORD
          && read.containsKey(message.record().stream())) {
        records
            .computeIfAbsent(message.record().stream(), k -> new ArrayList<>())
            .add(message.record().data());
        read.merge(message.record().stream(), 1L, Long::sum);
      } else if (message.type() == AirbyteMessage.Type.STATE) {
        AirbyteStateMessage state = message.state();
        if (state.effectiveType() == AirbyteStateType.STREAM) {
          sourceStates.put(state.stream().streamDescriptor().qualifiedName(), state);
        } else {
          sourceStates.clear();
          sourceStates.put("", state);
        }
      }
    }
    Map<String, CachedDataset> datasets = new LinkedHashMap<>();
    for (ConfiguredAirbyteStream stream : catalog.streams()) {
      String name = stream.stream().name();
      List<JsonNode> rows = records.computeIfAbsent(name, k -> new ArrayList<>());
      datasets.put(
          name,
          new CachedDataset() {
            @Override
            public String streamName() {
              return name;
            }

            @Override
            public long count() {
              return rows.size();
            }

            @Override
            public Stream<JsonNode> records() {
              return List.copyOf(rows).stream();
            }
          });
    }
    return new ReadResult(source.name(), read, state(source.name()), datasets);
  }
}
