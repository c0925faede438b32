package io.akb.cache;

import io.akb.runtime.AkbException;
import java.sql.Timestamp;

/**
 * A transaction of a target's claimer found a newer claim ({@link CacheTransaction#checkClaim}):
 * another process has taken the target over, and this one was fenced. Not transient: retrying would
 * take the target back and fence the other process in turn, so the claimer stops writing to it.
 */
public final class TargetTakenOver extends AkbException {
  public TargetTakenOver(
      String target, long epoch, long newerEpoch, String holder, Timestamp claimedAt) {
    super(
        "writing to target '" + target + "'",
        (newerEpoch < 0
                ? "its claim " + epoch + " is gone from the cache (deleted by someone)"
                : "another process took the target over"
                    + (holder == null ? "" : " (" + holder + ")")
                    + (claimedAt == null ? "" : " at " + claimedAt.toInstant())
                    + ", with claim "
                    + newerEpoch
                    + " after this process's claim "
                    + epoch)
            + "; this process stopped writing to it, and nothing of its last batch was written",
        "A target is written by one bridge process at a time: stop one of the two. Restarting this"
            + " process takes the target back (and fences the other).");
  }
}
