package io.github.camelratelimit.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: for tests and simulations that assert exact numbers.
 * Advancing it also advances {@link #wallMillis()} by the same amount. Thread-safe.
 */
public final class ManualClock implements Clock {

    private final AtomicLong nanos;
    private final long wallOffsetMillis;

    /** Starts at monotonic 0 and wall time 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(0L, 1_767_225_600_000L);
    }

    public ManualClock(long startNanos, long startWallMillis) {
        this.nanos = new AtomicLong(startNanos);
        this.wallOffsetMillis = startWallMillis - startNanos / 1_000_000L;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long wallMillis() {
        return wallOffsetMillis + nanos.get() / 1_000_000L;
    }

    /** Moves time forward by {@code deltaNanos} (must be {@code >= 0}); returns the new time. */
    public long advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("time never goes back: " + deltaNanos);
        }
        return nanos.addAndGet(deltaNanos);
    }

    public long advance(Duration delta) {
        return advance(delta.toNanos());
    }

    /** Sets the monotonic time (must not go back). */
    public void setNanos(long value) {
        advance(value - nanos.get());
    }
}
