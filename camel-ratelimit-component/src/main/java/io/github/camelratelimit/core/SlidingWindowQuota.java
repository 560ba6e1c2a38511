package io.github.camelratelimit.core;

import java.util.Arrays;

/**
 * A strict sliding-window quota: at most {@code quota} starts in any window of {@code windowNanos}.
 *
 * <pre>
 * allowed(s)  iff  fewer than quota starts in (s - window, s]
 * earliest(s) =    s                                   when fewer than quota starts are remembered
 *                  (quota-th most recent start) + window   otherwise
 * </pre>
 *
 * A start at {@code earliest} is at least one window after the start {@code quota} places before it, so no
 * half-open window of length {@code window} ever holds more than {@code quota} starts, whatever the rate.
 * Keeps the start times of the current window only (a growable ring), so memory follows the starts actually
 * made, not the configured quota. Not thread-safe; the owner serialises access. Times are nanoseconds.
 */
public final class SlidingWindowQuota {

    private final int quota;
    private final long windowNanos;
    private long[] ring;
    private int head;
    private int size;

    public SlidingWindowQuota(int quota, long windowNanos) {
        if (quota <= 0 || windowNanos <= 0) {
            throw new IllegalArgumentException("quota and window must be > 0");
        }
        this.quota = quota;
        this.windowNanos = windowNanos;
        this.ring = new long[Math.min(quota, 64)];
    }

    /** The earliest time {@code >= nowNanos} at which one more start is allowed. */
    public long earliest(long nowNanos) {
        prune(nowNanos);
        if (size < quota) {
            return nowNanos;
        }
        return Math.max(nowNanos, ring[head] + windowNanos);
    }

    /** Records a start at {@code nowNanos}; callers check {@link #earliest(long)} first. */
    public void record(long nowNanos) {
        prune(nowNanos);
        if (size == quota) {
            throw new IllegalStateException("quota of " + quota + " already used in the window");
        }
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = nowNanos;
        size++;
    }

    /** Starts remembered in the window that ends at {@code nowNanos}. */
    public int used(long nowNanos) {
        prune(nowNanos);
        return size;
    }

    public int quota() {
        return quota;
    }

    public long windowNanos() {
        return windowNanos;
    }

    private void prune(long nowNanos) {
        while (size > 0 && ring[head] + windowNanos <= nowNanos) {
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
