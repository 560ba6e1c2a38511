package io.github.camelratelimit.core;

/**
 * The answer of a {@link LimiterStore} to one permit request: go now, or not before {@code waitNanos} from
 * now. Immutable.
 *
 * @param granted       {@code true}: the permit is taken and the call may start now
 * @param waitNanos     when not granted: nanoseconds until a permit can be granted ({@code > 0}); 0 when granted
 * @param intervalNanos the current pacing interval (1e9 / rate), so callers can estimate a queue's wait
 * @param grantedAt     when granted: the store's time stamp of the grant, handed back in {@link Feedback} so
 *                      the store can tell whether a throttle belongs to an earlier congestion event
 * @param reason        why a request has to wait ({@link WaitReason#NONE} when granted)
 */
public record Acquisition(boolean granted, long waitNanos, long intervalNanos, long grantedAt, WaitReason reason) {

    /** Why a permit is not available now. */
    public enum WaitReason {
        /** Granted. */
        NONE,
        /** The adaptive rate spaces calls. */
        PACING,
        /** The strict sliding-window quota is used up. */
        QUOTA,
        /** A server asked to pause (Retry-After, or a provider quota at zero). */
        PAUSED
    }

    public static Acquisition granted(long grantedAt, long intervalNanos) {
        return new Acquisition(true, 0L, intervalNanos, grantedAt, WaitReason.NONE);
    }

    public static Acquisition wait(long waitNanos, long intervalNanos, WaitReason reason) {
        return new Acquisition(false, Math.max(1L, waitNanos), intervalNanos, 0L, reason);
    }
}
