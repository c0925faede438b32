package io.akb.runtime.destination;

import io.akb.runtime.AkbException;
import io.akb.runtime.MessageStream;
import io.akb.runtime.WriteResult;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.AirbyteMessage;
import io.akb.runtime.protocol.AirbyteRecordMessage;
import io.akb.runtime.protocol.AirbyteStateMessage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams RECORD and STATE messages into one running {@code write} of a destination and reports the
 * states it echoes back.
 *
 * <p>A writer thread moves messages from a bounded queue to the destination's stdin, so {@link
 * #write} blocks only when the destination falls behind; a reader thread reads the destination's
 * output at the same time, so the destination never blocks on a full pipe. Each sent STATE gets an
 * id ({@link StateTag}); an echo confirms its state and every state sent before it, because a
 * destination echoes a state only once everything before it is persisted, and may skip some.
 *
 * <p>Contract: call {@link #write} and {@link #writeState} from one thread, then {@link #finish}
 * (clean end, checks every state was echoed) or {@link #close} (abandons the run, kills the
 * destination). Confirmations go to the listener on the reader thread, in order, and are kept for
 * {@link #confirmed()}. Once the destination has exited early or reported an error, {@link #write},
 * {@link #writeState} and {@link #checkHealthy} throw an {@link AkbException} with the
 * destination's last log lines.
 */
public final class DestinationWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DestinationWriter.class);
  private static final int QUEUE_CAPACITY = 1_000;

  /** Confirmed states kept for {@link #confirmed()}: a sink runs for days, one state a commit. */
  public static final int MAX_KEPT_CONFIRMED = 10_000;

  private static final byte[] NEWLINE = {'\n'};
  private static final Object END_OF_INPUT = new Object();

  private final String name;
  private final MessageStream messages;
  private final Consumer<ConfirmedState> listener;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writerThread;
  private final Thread readerThread;

  // Guarded by this: shared between the caller, the reader and the writer thread.
  private final Deque<PendingState> pending = new ArrayDeque<>();
  private final List<ConfirmedState> confirmed = new ArrayList<>();
  private AkbException outputFailure;
  private Throwable inputFailure;
  private boolean outputEnded;
  private boolean inputEnded;

  private long recordsSent;
  private long nextStateId;

  private record PendingState(ConfirmedState state, long sentAtNanos) {}

  /**
   * Starts streaming into a destination already started with {@code write --config --catalog} and
   * stdin open.
   *
   * @param name what runs, for messages ("destination-ailake write")
   * @param messages the destination's output, with its stdin
   * @param listener called on the reader thread for each confirmed state, in order; may be null
   */
  public DestinationWriter(String name, MessageStream messages, Consumer<ConfirmedState> listener) {
    this.name = name;
    this.messages = messages;
    this.listener = listener == null ? confirmedState -> {} : listener;
    this.writerThread = new Thread(this::pumpInput, "akb-" + name + "-stdin");
    this.readerThread = new Thread(this::readOutput, "akb-" + name + "-stdout");
    writerThread.setDaemon(true);
    readerThread.setDaemon(true);
    writerThread.start();
    readerThread.start();
  }

  /** Sends one record; blocks while the destination is behind. */
  public void write(AirbyteRecordMessage record) {
    enqueue(AirbyteMessage.of(record));
    recordsSent++;
  }

  /**
   * Sends a state; the destination echoes it once every record sent before it is persisted.
   *
   * @return the state's id, as {@link ConfirmedState#id()} will report it
   */
  public long writeState(AirbyteStateMessage state) {
    long id = ++nextStateId;
    synchronized (this) {
      pending.addLast(
          new PendingState(new ConfirmedState(id, state, recordsSent), System.nanoTime()));
    }
    enqueue(AirbyteMessage.of(StateTag.tag(state, id)));
    return id;
  }

  /** Records sent so far. */
  public long recordsSent() {
    return recordsSent;
  }

  /** States confirmed so far (the newest {@value #MAX_KEPT_CONFIRMED}), in the order sent. */
  public synchronized List<ConfirmedState> confirmed() {
    return List.copyOf(confirmed);
  }

  /** The newest confirmed state, or null when none is confirmed yet. */
  public synchronized ConfirmedState lastConfirmed() {
    return confirmed.isEmpty() ? null : confirmed.get(confirmed.size() - 1);
  }

  /** States sent and not echoed yet, oldest first. */
  public synchronized List<ConfirmedState> unconfirmed() {
    return pending.stream().map(PendingState::state).toList();
  }

  /**
   * Throws the {@link AkbException} that explains why the destination cannot take more input, if it
   * has exited or reported an error; does nothing while it is healthy.
   */
  public void checkHealthy() {
    AkbException failure = failure();
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Fails when the oldest unconfirmed state was sent longer than {@code timeout} ago: a destination
   * that never echoes must not hold its records unconfirmed forever. Says nothing about whether the
   * destination still runs: that is {@link #checkHealthy}.
   *
   * @throws AkbException naming the state and the destination's last log lines
   */
  public void checkEchoes(Duration timeout) {
    PendingState oldest;
    synchronized (this) {
      oldest = pending.peekFirst();
    }
    if (oldest != null && System.nanoTime() - oldest.sentAtNanos() > timeout.toNanos()) {
      throw new AkbException(
          name,
          "the destination did not echo STATE "
              + oldest.state().id()
              + " within "
              + timeout.toSeconds()
              + " s; the "
              + (recordsSent - confirmedRecords())
              + " records sent since the last echoed state are not confirmed",
          messages.logTail(),
          "A destination echoes each STATE once the records before it are persisted. One that"
              + " never does cannot be used safely; one that is only slow needs a longer timeout.",
          null);
    }
  }

  /**
   * Ends the input, waits for the destination to exit and checks the run: exit code 0, no error
   * trace, every state echoed.
   *
   * @param timeout how long the destination may take to finish after its input ended
   * @throws AkbException when the destination failed, did not exit in time, or did not echo every
   *     state (what it did confirm is still in {@link #confirmed()})
   */
  public WriteResult finish(Duration timeout) {
    checkHealthy();
    enqueue(END_OF_INPUT);
    try {
      readerThread.join(Math.max(1, timeout.toMillis()));
      writerThread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      messages.close();
      throw new AkbException(name, "interrupted while waiting for it to finish", null);
    }
    if (readerThread.isAlive()) {
      List<String> tail = messages.logTail();
      messages.close();
      throw new AkbException(
          name,
          "the destination did not finish within "
              + timeout.toSeconds()
              + " s after its input ended",
          tail,
          "A destination that hangs after its last record is a bug in the destination, or the"
              + " system it writes to does not answer; its log lines may tell which.",
          null);
    }
    synchronized (this) {
      if (outputFailure != null) {
        throw outputFailure;
      }
      if (!pending.isEmpty()) {
        throw new AkbException(
            name,
            "the destination exited without echoing "
                + pending.size()
                + " of "
                + nextStateId
                + " STATE messages; the "
                + (recordsSent - confirmedRecords())
                + " records sent after the last echoed state may not be persisted",
            messages.logTail(),
            "A destination must echo each STATE once the records before it are persisted; the"
                + " next write sends those records again.",
            null);
      }
      return new WriteResult(
          recordsSent, confirmedRecords(), confirmed.stream().map(ConfirmedState::state).toList());
    }
  }

  /** Stops the run: kills the destination if it still runs. Harmless after {@link #finish}. */
  @Override
  public void close() {
    queue.clear();
    queue.offer(END_OF_INPUT);
    messages.close();
    writerThread.interrupt();
  }

  /** The destination's last log lines (LOG messages and stderr, masked), oldest first. */
  public List<String> logTail() {
    return messages.logTail();
  }

  private synchronized long confirmedRecords() {
    return confirmed.isEmpty() ? 0 : confirmed.get(confirmed.size() - 1).recordsBefore();
  }

  /** The reason the destination cannot take more input, or null while it is healthy. */
  private AkbException failure() {
    boolean onlyInputFailed;
    synchronized (this) {
      onlyInputFailed = inputFailure != null && !outputEnded;
    }
    if (onlyInputFailed) {
      // A broken pipe says less than the exit code and log lines the reader is about to see.
      try {
        readerThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (outputFailure != null) {
        return wrapEarlyEnd(outputFailure.why(), outputFailure.logTail());
      }
      if (outputEnded && !inputEnded) {
        return wrapEarlyEnd("the destination exited with code 0", messages.logTail());
      }
      if (inputFailure != null) {
        return wrapEarlyEnd(
            "writing to its input failed: " + inputFailure.getMessage(), messages.logTail());
      }
      return null;
    }
  }

  private AkbException wrapEarlyEnd(String why, List<String> logTail) {
    return new AkbException(
        name,
        why + " before its input ended, after " + recordsSent + " records were sent",
        logTail,
        "Records after the last echoed state are not confirmed and must be written again once"
            + " the cause in the log lines is fixed.",
        null);
  }

  private void enqueue(Object message) {
    try {
      while (!queue.offer(message, 200, TimeUnit.MILLISECONDS)) {
        checkHealthy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkbException(name, "interrupted while sending to the destination", null);
    }
    if (message != END_OF_INPUT) {
      checkHealthy();
    }
  }

  /** Writer thread: queue to stdin, flushing whenever the queue runs dry. */
  private void pumpInput() {
    try (OutputStream stdin = new BufferedOutputStream(messages.stdin(), 64 * 1024)) {
      while (true) {
        Object next = queue.poll();
        if (next == null) {
          stdin.flush();
          next = queue.take();
        }
        if (next == END_OF_INPUT) {
          break;
        }
        stdin.write(AirbyteJson.toJson(next).getBytes(StandardCharsets.UTF_8));
        stdin.write(NEWLINE);
      }
      stdin.flush();
      synchronized (this) {
        inputEnded = true;
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        inputFailure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reader thread: matches echoed states; the stream itself keeps logs and detects failures. */
  private void readOutput() {
    try {
      while (messages.hasNext()) {
        AirbyteMessage message = messages.next();
        if (message.type() == AirbyteMessage.Type.STATE && message.state() != null) {
          confirm(message.state());
        }
      }
    } catch (AkbException e) {
      synchronized (this) {
        outputFailure = e;
      }
    } catch (RuntimeException e) {
      synchronized (this) {
        outputFailure =
            new AkbException(name, "reading its output failed: " + e, messages.logTail(), null, e);
      }
    } finally {
      synchronized (this) {
        outputEnded = true;
      }
    }
  }

  private void confirm(AirbyteStateMessage echoed) {
    List<ConfirmedState> newlyConfirmed = new ArrayList<>();
    synchronized (this) {
      OptionalLong id = StateTag.read(echoed);
      long upTo = -1;
      if (id.isPresent()) {
        upTo = id.getAsLong();
      } else {
        for (PendingState sent : pending) {
          if (StateTag.sameCheckpoint(sent.state().state(), echoed)) {
            upTo = sent.state().id();
            break;
          }
        }
      }
      while (!pending.isEmpty() && pending.peekFirst().state().id() <= upTo) {
        ConfirmedState state = pending.removeFirst().state();
        confirmed.add(state);
        newlyConfirmed.add(state);
      }
      if (confirmed.size() > MAX_KEPT_CONFIRMED) {
        confirmed.subList(0, confirmed.size() - MAX_KEPT_CONFIRMED).clear();
      }
    }
    if (newlyConfirmed.isEmpty()) {
      log.warn("{}: ignoring an echoed STATE that matches no state sent", name);
    }
    newlyConfirmed.forEach(listener);
  }
}
