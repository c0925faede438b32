package io.akb.runtime.testkit;

import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.protocol.AirbyteMessage;
import java.util.Iterator;
import java.util.List;

/** A connector read that fails: its messages, then {@code hasNext()} throws, as a crash does. */
public final class FailingRead {
  private FailingRead() {}

  /** A stream of {@code messages} whose {@code hasNext()} then throws {@code failure}. */
  public static MessageStream after(List<AirbyteMessage> messages, AkbException failure) {
    Iterator<AirbyteMessage> iterator = List.copyOf(messages).iterator();
    return new MessageStream() {
      @Override
      public boolean hasNext() {
        if (!iterator.hasNext()) {
          throw failure;
        }
        return true;
      }

      @Override
      public AirbyteMessage next() {
        return iterator.next();
      }

      @Override
      public List<String> logTail() {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }
}
