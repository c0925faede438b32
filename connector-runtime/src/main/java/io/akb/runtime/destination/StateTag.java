package io.akb.runtime.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.runtime.protocol.AirbyteGlobalState;
import io.akb.runtime.protocol.AirbyteStateMessage;
import io.akb.runtime.protocol.AirbyteStreamState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Tags a STATE with an id inside its free-form data, so the destination's echo can be matched to
 * what was sent. The id goes into the data (stream_state, shared_state, or a LEGACY state's data)
 * because destinations parse STATE into their own models and many drop fields they do not know at
 * the message's top level; the data itself they echo as it came.
 *
 * <p>A state whose data is not a JSON object cannot carry a tag; its echo is matched by {@link
 * #sameCheckpoint} instead.
 */
public final class StateTag {
  /** The field added to the state's data; {@link #untag} removes it again. */
  public static final String FIELD = "_akb_state_id";

  private StateTag() {}

  /** A copy of the state with the id in its data; the state itself is left unchanged. */
  public static AirbyteStateMessage tag(AirbyteStateMessage state, long id) {
    return rewrite(state, data -> data.deepCopy().put(FIELD, id));
  }

  /** The id in an echoed state, or empty when it carries none. */
  public static OptionalLong read(AirbyteStateMessage echoed) {
    ObjectNode data = carrier(echoed);
    JsonNode id = data == null ? null : data.get(FIELD);
    return id != null && id.canConvertToLong()
        ? OptionalLong.of(id.asLong())
        : OptionalLong.empty();
  }

  /** A copy of the state without the tag: what the source sent, for storing and passing on. */
  public static AirbyteStateMessage untag(AirbyteStateMessage state) {
    return rewrite(
        state,
        data -> {
          ObjectNode copy = data.deepCopy();
          copy.remove(FIELD);
          return copy;
        });
  }

  /**
   * Whether an echo is the same checkpoint as a sent state, comparing only what destinations keep:
   * the type, the stream descriptors and the data. Unknown fields and stats are ignored.
   */
  public static boolean sameCheckpoint(AirbyteStateMessage sent, AirbyteStateMessage echoed) {
    if (sent.effectiveType() != echoed.effectiveType()) {
      return false;
    }
    return switch (sent.effectiveType()) {
      case STREAM -> sameStream(sent.stream(), echoed.stream());
      case GLOBAL ->
          sent.global() != null
              && echoed.global() != null
              && Objects.equals(sent.global().sharedState(), echoed.global().sharedState())
              && sameStreams(sent.global().streamStates(), echoed.global().streamStates());
      case LEGACY -> Objects.equals(sent.data(), echoed.data());
    };
  }

  private static boolean sameStreams(List<AirbyteStreamState> sent, List<AirbyteStreamState> echo) {
    List<AirbyteStreamState> a = sent == null ? List.of() : sent;
    List<AirbyteStreamState> b = echo == null ? List.of() : echo;
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!sameStream(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameStream(AirbyteStreamState sent, AirbyteStreamState echoed) {
    if (sent == null || echoed == null) {
      return sent == echoed;
    }
    return sent.streamDescriptor() != null
        && echoed.streamDescriptor() != null
        && Objects.equals(sent.streamDescriptor().name(), echoed.streamDescriptor().name())
        && Objects.equals(
            emptyToNull(sent.streamDescriptor().namespace()),
            emptyToNull(echoed.streamDescriptor().namespace()))
        && Objects.equals(sent.streamState(), echoed.streamState());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** The object that carries the tag, or null when the state has no object to carry it. */
  private static ObjectNode carrier(AirbyteStateMessage state) {
    JsonNode node =
        switch (state.effectiveType()) {
          case STREAM -> state.stream() == null ? null : state.stream().streamState();
          case GLOBAL -> state.global() == null ? null : state.global().sharedState();
          case LEGACY -> state.data();
        };
    return node instanceof ObjectNode object ? object : null;
  }

  private interface DataRewrite {
    ObjectNode apply(ObjectNode data);
  }

  private static AirbyteStateMessage rewrite(AirbyteStateMessage state, DataRewrite rewrite) {
    ObjectNode data = carrier(state);
    if (data == null) {
      return state;
    }
    ObjectNode changed = rewrite.apply(data);
    return switch (state.effectiveType()) {
      case STREAM ->
          withStream(
              state,
              new AirbyteStreamState(
                  state.stream().streamDescriptor(), changed, state.stream().unknownFields()));
      case GLOBAL -> {
        AirbyteGlobalState global = state.global();
        List<AirbyteStreamState> streams =
            global.streamStates() == null ? null : new ArrayList<>(global.streamStates());
        yield new AirbyteStateMessage(
            state.type(),
            state.stream(),
            new AirbyteGlobalState(changed, streams, global.unknownFields()),
            state.data(),
            state.sourceStats(),
            state.destinationStats(),
            state.unknownFields());
      }
      case LEGACY ->
          new AirbyteStateMessage(
              state.type(),
              state.stream(),
              state.global(),
              changed,
              state.sourceStats(),
              state.destinationStats(),
              state.unknownFields());
    };
  }

  private static AirbyteStateMessage withStream(AirbyteStateMessage state, AirbyteStreamState s) {
    return new AirbyteStateMessage(
        state.type(),
        s,
        state.global(),
        state.data(),
        state.sourceStats(),
        state.destinationStats(),
        state.unknownFields());
  }
}
