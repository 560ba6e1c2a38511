package io.github.camelratelimit.simulator;

/**
 * The simulator's server-side admission rule: decides whether a request arriving at a given time is served or
 * throttled, and reports the numbers the quota and {@code Retry-After} headers are made of. Not thread-safe; the
 * simulator serialises every call under its lock. Times are nanoseconds of the simulator's clock.
 */
interface ServerLimit {

    /** Admits or throttles one request arriving at {@code nowNanos}; a throttled request consumes nothing. */
    Verdict admit(long nowNanos);

    /** The permits per second in force at {@code nowNanos} (for a fixed window: limit / window). */
    double capacityAt(long nowNanos);

    /** Replaces the rate from {@code nowNanos} on, keeping what was earned until then. */
    void setCapacity(double permitsPerSecond, long nowNanos);

    /** Starts afresh at {@code nowNanos}: full bucket or empty window, schedule from its first phase. */
    void restart(long nowNanos);

    /**
     * The outcome of {@link #admit(long)}.
     *
     * @param allowed         whether the request is served
     * @param limit           the quota a client is told about ({@code q} / {@code X-RateLimit-Limit})
     * @param windowSeconds   the window of that quota in whole seconds, at least 1
     * @param remaining       requests still allowed right now, after this one
     * @param resetNanos      nanoseconds until the quota is whole again (bucket full, window over);
     *                        {@link Long#MAX_VALUE} for never
     * @param retryAfterNanos for a throttled request, nanoseconds until one more request would be served;
     *                        {@link Long#MAX_VALUE} for never; 0 when allowed
     */
    record Verdict(boolean allowed, long limit, long windowSeconds, long remaining, long resetNanos,
                   long retryAfterNanos) {
    }
}
