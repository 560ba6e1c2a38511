package io.github.camelratelimit.simulator;

/**
 * A fixed-window quota: at most {@code limit} requests per window, windows laid end to end from the start.
 *
 * <pre>
 * window(t) = floor((t - origin) / w)          reset(t) = origin + (window(t) + 1) * w - t
 * admit(t)  : served(window(t)) < limit  ->  served += 1;   otherwise throttled until reset(t)
 * </pre>
 *
 * Windows are aligned to the simulator start (or the last {@code reset()}), not to the epoch, so tests
 * know where they fall. A fixed window admits up to {@code 2 * limit} requests across a boundary: that is the
 * behaviour being simulated. Not thread-safe.
 */
final class FixedWindowLimit implements ServerLimit {

    private final long limit;
    private final long windowNanos;
    private long origin;
    private long window;
    private long served;

    FixedWindowLimit(long limit, long windowNanos, long nowNanos) {
        this.limit = limit;
        this.windowNanos = windowNanos;
        restart(nowNanos);
    }

    @Override
    public void restart(long nowNanos) {
        origin = nowNanos;
        window = 0;
        served = 0;
    }

    @Override
    public double capacityAt(long nowNanos) {
        return limit * 1e9 / windowNanos;
    }

    @Override
    public void setCapacity(double permitsPerSecond, long nowNanos) {
        throw new UnsupportedOperationException("a fixed-window simulator has no token-bucket capacity");
    }

    @Override
    public Verdict admit(long nowNanos) {
        long w = Math.max(0L, nowNanos - origin) / windowNanos;
        if (w != window) {
            window = w;
            served = 0;
        }
        long reset = origin + (w + 1) * windowNanos - nowNanos;
        long windowSeconds = Math.max(1L, (windowNanos + 999_999_999L) / 1_000_000_000L);
        if (served < limit) {
            served++;
            return new Verdict(true, limit, windowSeconds, limit - served, reset, 0L);
        }
        return new Verdict(false, limit, windowSeconds, 0L, reset, reset);
    }
}
