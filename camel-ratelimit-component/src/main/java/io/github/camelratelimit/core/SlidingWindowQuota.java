package io.github.camelratelimit.core;

import java.util.Arrays;

/**
 * A strict sliding-window quota: at most {@code quota} starts in any window of {@code windowNanos}, enforced
 * over a window lengthened by a guard.
 *
 * <pre>
 * W'          = window + guard                         (guard = {@link #guardNanos(long) window / 1000} in a limiter)
 * allowed(s)  iff  fewer than quota starts in (s - W', s]
 * earliest(s) =    s                                   when fewer than quota starts in (s - W', s]
 *                  (quota-th most recent start) + W'    otherwise
 * used(s)     =    starts in (s - window, s]           (the nominal window: what a provider counts)
 * </pre>
 *
 * A start at {@code earliest} is at least W' after the start {@code quota} places before it, so no half-open
 * window of length W' (hence of the nominal length) ever holds more than {@code quota} starts, whatever the
 * rate. The guard is for what happens after the grant: the call starts later on a worker thread, and when
 * those delays differ by at most the guard, the calls' own start times keep the quota in every window of the
 * nominal length too.
 *
 * Keeps the start times of the last W' plus {@link #maxExtraNanos(long) window / 20} only (a growable ring of at
 * most {@code quota}), so memory follows the starts actually made, not the configured quota; the extra twentieth is
 * what {@link #earliest(long, long)} may lengthen W' by, so a start it still counts is never forgotten early. Not
 * thread-safe; the owner serialises access. Times are nanoseconds.
 */
public final class SlidingWindowQuota {

    private final int quota;
    private final long windowNanos;
    private final long guardedNanos;
    private final long keptNanos;
    private long[] ring;
    private int head;
    private int size;

    /** An exact quota: no guard. */
    public SlidingWindowQuota(int quota, long windowNanos) {
        this(quota, windowNanos, 0L);
    }

    /**
     * @param quota       starts allowed per window, &gt; 0
     * @param windowNanos the nominal window, &gt; 0
     * @param guardNanos  added to the window when deciding (not when counting {@link #used(long)}), &gt;= 0;
     *                    the sum saturates at {@code Long.MAX_VALUE}
     */
    public SlidingWindowQuota(int quota, long windowNanos, long guardNanos) {
        if (quota <= 0 || windowNanos <= 0 || guardNanos < 0) {
            throw new IllegalArgumentException("quota and window must be > 0, guard >= 0");
        }
        this.quota = quota;
        this.windowNanos = windowNanos;
        this.guardedNanos = windowNanos + guardNanos < 0 ? Long.MAX_VALUE : windowNanos + guardNanos;
        long extra = maxExtraNanos(windowNanos);
        this.keptNanos = guardedNanos + extra < 0 ? Long.MAX_VALUE : guardedNanos + extra;
        this.ring = new long[Math.min(quota, 64)];
    }

    /**
     * The dispatch guard a limiter adds to a window of {@code windowNanos}: {@code windowNanos / 1000}, 1 ms per
     * second of window (integer division). It costs at most 0.1 % of a saturated limit's throughput.
     */
    public static long guardNanos(long windowNanos) {
        return Math.max(0L, windowNanos / 1000L);
    }

    /**
     * The most {@link #earliest(long, long)} lengthens a window of {@code windowNanos} by: a twentieth of it (50 ms
     * per second), what a limiter allows for a late start ({@link LimiterState#started}).
     */
    public static long maxExtraNanos(long windowNanos) {
        return Math.max(0L, windowNanos / 20L);
    }

    /** The earliest time {@code >= nowNanos} at which one more start is allowed. */
    public long earliest(long nowNanos) {
        return earliest(nowNanos, 0L);
    }

    /**
     * The earliest time {@code >= nowNanos} at which one more start is allowed when the window is lengthened by
     * another {@code extraNanos} ({@code >= 0}, at most {@link #maxExtraNanos}; more counts as that much): the owner
     * widens it for starts it knows came late (their calls started later than their grants, by more than the
     * guard).
     */
    public long earliest(long nowNanos, long extraNanos) {
        prune(nowNanos);
        if (size < quota) {
            return nowNanos;
        }
        long extra = Math.min(extraNanos, maxExtraNanos(windowNanos));
        long at = ring[head] + guardedNanos;
        return Math.max(nowNanos, at + extra < at ? Long.MAX_VALUE : at + extra);
    }

    /** Records a start at {@code nowNanos}; callers check {@link #earliest(long)} first. */
    public void record(long nowNanos) {
        prune(nowNanos);
        if (size == quota) {
            if (nowNanos - ring[head] < guardedNanos) {
                throw new IllegalStateException("quota of " + quota + " already used in the window");
            }
            head = (head + 1) % ring.length; // kept for a lengthened window only, and it has passed
            size--;
        }
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = nowNanos;
        size++;
    }

    /** Starts in the nominal window that ends at {@code nowNanos}: {@code (now - window, now]}. */
    public int used(long nowNanos) {
        prune(nowNanos);
        int older = 0; // remembered for the guard, but outside the nominal window
        while (older < size && nowNanos - ring[(head + older) % ring.length] >= windowNanos) {
            older++;
        }
        return size - older;
    }

    public int quota() {
        return quota;
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** The window decisions use: {@code windowNanos + guard}. */
    public long guardedWindowNanos() {
        return guardedNanos;
    }

    private void prune(long nowNanos) {
        while (size > 0 && nowNanos - ring[head] >= keptNanos) {
            head = (head + 1) % ring.length;
            size--;
        }
    }

    private void grow() {
        long[] bigger = new long[(int) Math.min(quota, (long) ring.length * 2)];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        Arrays.fill(ring, 0L);
        ring = bigger;
        head = 0;
    }
}
