package io.github.camelratelimit.core;

import java.time.Duration;

/**
 * An exchange could not get a permit, and the message says why: the limiter, the wait it would have needed,
 * the bound it hit. Nothing is lost silently: every exchange either gets a permit or fails with this.
 */
public class RateLimitExceededException extends RuntimeException {

    /** Which bound refused the permit. */
    public enum Reason {
        /** The wait needed is longer than {@code maxWait}. */
        MAX_WAIT,
        /** {@code maxPending} exchanges are already waiting. */
        MAX_PENDING,
        /** The limiter stopped (route or context stop) while the exchange waited. */
        STOPPED,
        /** The state store could not answer. */
        STORE_FAILED,
        /** A per-key limiter was needed but {@code maxLimiters} limiters are busy (none idle to evict). */
        MAX_LIMITERS
    }

    private final String limiter;
    private final Reason reason;
    private final Duration waitNeeded;
    private final Duration maxWait;

    public RateLimitExceededException(String limiter, Reason reason, Duration waitNeeded, Duration maxWait,
            String message, Throwable cause) {
        super(message, cause);
        this.limiter = limiter;
        this.reason = reason;
        this.waitNeeded = waitNeeded;
        this.maxWait = maxWait;
    }

    static RateLimitExceededException maxWait(String limiter, long neededNanos, Duration maxWait,
            Acquisition.WaitReason why) {
        Duration needed = Duration.ofNanos(neededNanos);
        return new RateLimitExceededException(limiter, Reason.MAX_WAIT, needed, maxWait,
                "Rate limiter '" + limiter + "' cannot grant a permit within maxWait=" + fmt(maxWait)
                        + ": the wait needed is " + fmt(needed) + " (" + describe(why) + ")", null);
    }

    static RateLimitExceededException maxPending(String limiter, int pending, int maxPending, Duration maxWait) {
        return new RateLimitExceededException(limiter, Reason.MAX_PENDING, null, maxWait,
                "Rate limiter '" + limiter + "' already has " + pending + " exchanges waiting for a permit (maxPending="
                        + maxPending + ")", null);
    }

    static RateLimitExceededException stopped(String limiter, long waitedNanos, Duration maxWait) {
        return new RateLimitExceededException(limiter, Reason.STOPPED, null, maxWait,
                "Rate limiter '" + limiter + "' stopped while the exchange waited for a permit (waited "
                        + fmt(Duration.ofNanos(waitedNanos)) + "); the call was not made", null);
    }

    static RateLimitExceededException storeFailed(String limiter, String storeKind, Throwable cause) {
        return new RateLimitExceededException(limiter, Reason.STORE_FAILED, null, null,
                "Rate limiter '" + limiter + "' could not get a permit from its " + storeKind + " store: " + cause,
                cause);
    }

    /** A per-key limiter could not be created: {@code max} per-key limiters exist and none is idle. */
    public static RateLimitExceededException maxLimiters(String limiter, int max) {
        return new RateLimitExceededException(limiter, Reason.MAX_LIMITERS, null, null,
                "Rate limiter '" + limiter + "' cannot be created: " + max + " per-key limiters are in use and none"
                        + " is idle (maxLimiters=" + max + ")", null);
    }

    public String getLimiter() {
        return limiter;
    }

    public Reason getReason() {
        return reason;
    }

    /** The wait a permit would have needed, or {@code null} when not known. */
    public Duration getWaitNeeded() {
        return waitNeeded;
    }

    public Duration getMaxWait() {
        return maxWait;
    }

    private static String describe(Acquisition.WaitReason why) {
        return switch (why) {
            case PAUSED -> "paused by the provider's Retry-After";
            case QUOTA -> "quota used up for its window";
            case PACING -> "pacing at the current rate";
            case NONE -> "no wait";
        };
    }

    /** Durations as {@code 1.5s}, {@code 250ms}, {@code 2m5s}: readable in a log line. */
    static String fmt(Duration d) {
        if (d == null) {
            return "?";
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return (ms % 1000 == 0) ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.3fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return s / 3600 > 0 ? (s / 3600) + "h" + (s % 3600) / 60 + "m" + s % 60 + "s" : (s / 60) + "m" + s % 60 + "s";
    }
}
