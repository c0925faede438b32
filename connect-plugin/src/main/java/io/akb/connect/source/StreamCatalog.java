package io.akb.connect.source;

import io.akb.runtime.AkbException;
import io.akb.runtime.protocol.AirbyteCatalog;
import io.akb.runtime.protocol.AirbyteStream;
import io.akb.runtime.protocol.ConfiguredAirbyteCatalog;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import io.akb.runtime.protocol.DestinationSyncMode;
import io.akb.runtime.protocol.SyncMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses streams from a source's discovered catalog and configures them as the connector's options
 * say: the selection ({@code streams}), sync modes, cursors and primary keys. A stream is named by
 * its qualified name, {@code namespace.name} or just {@code name}.
 */
final class StreamCatalog {
  private final Map<String, AirbyteStream> discovered = new LinkedHashMap<>();

  StreamCatalog(AirbyteCatalog catalog) {
    if (catalog.streams() != null) {
      catalog
          .streams()
          .forEach(stream -> discovered.put(stream.descriptor().qualifiedName(), stream));
    }
  }

  /** The qualified names of the selected streams; all discovered streams when none is named. */
  List<String> selectedStreams(List<String> selection) {
    if (selection.isEmpty()) {
      return List.copyOf(discovered.keySet());
    }
    List<String> unknown =
        selection.stream().filter(name -> !discovered.containsKey(name)).toList();
    if (!unknown.isEmpty()) {
      throw new AkbException(
          "Selecting streams",
          "the source has no stream named " + String.join(", ", unknown),
          "Its streams are: " + String.join(", ", discovered.keySet()) + ".");
    }
    return List.copyOf(selection);
  }

  /** The configured catalog of some streams, with the overrides of the connector's options. */
  ConfiguredAirbyteCatalog configure(List<String> streams, AirbyteSourceConfig config) {
    Map<String, SyncMode> modes = config.syncModes();
    Map<String, List<String>> cursors = config.cursorFields();
    Map<String, List<List<String>>> keys = config.primaryKeys();
    List<ConfiguredAirbyteStream> configured = new ArrayList<>();
    for (String name : streams) {
      AirbyteStream stream = discovered.get(name);
      if (stream == null) {
        throw new AkbException(
            "Configuring stream " + name,
            "the source no longer offers it",
            "Remove it from 'streams' or check the source's config.");
      }
      List<SyncMode> supported =
          stream.supportedSyncModes() == null || stream.supportedSyncModes().isEmpty()
              ? List.of(SyncMode.FULL_REFRESH)
              : stream.supportedSyncModes();
      SyncMode mode =
          modes.getOrDefault(
              name,
              supported.contains(SyncMode.INCREMENTAL)
                  ? SyncMode.INCREMENTAL
                  : SyncMode.FULL_REFRESH);
      if (!supported.contains(mode)) {
        throw new AkbException(
            "Configuring stream " + name,
            "it does not support sync mode " + mode.wireName(),
            "Use one of " + supported.stream().map(SyncMode::wireName).toList() + ".");
      }
      List<String> cursor = cursors.getOrDefault(name, orEmpty(stream.defaultCursorField()));
      List<List<String>> key =
          keys.getOrDefault(name, orEmptyKey(stream.sourceDefinedPrimaryKey()));
      DestinationSyncMode destinationMode =
          mode == SyncMode.FULL_REFRESH
              ? DestinationSyncMode.OVERWRITE
              : key.isEmpty() ? DestinationSyncMode.APPEND : DestinationSyncMode.APPEND_DEDUP;
      configured.add(
          new ConfiguredAirbyteStream(
              stream, mode, cursor, destinationMode, key, null, null, null, null));
    }
    return new ConfiguredAirbyteCatalog(configured, null);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  private static List<List<String>> orEmptyKey(List<List<String>> key) {
    return key == null ? List.of() : key;
  }
}
