package io.github.camelratelimit.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The simulator's one source of time: a monotonic nanosecond reading for the limit and the arrivals, and the
 * matching wall-clock epoch milliseconds for absolute header values (HTTP-date {@code Retry-After}, epoch
 * {@code X-RateLimit-Reset}). Thread-safe.
 */
interface SimulatorTime {

    /** One reading of both clocks. */
    record Now(long nanos, long epochMillis) {
    }

    Now now();

    /** {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    static SimulatorTime system() {
        return () -> new Now(System.nanoTime(), System.currentTimeMillis());
    }

    /**
     * A {@link Clock}: nanoseconds are the instant's nanoseconds since the epoch (fits a {@code long} until
     * 2262), milliseconds its epoch milliseconds, both from the same reading.
     */
    static SimulatorTime of(Clock clock) {
        return () -> {
            Instant i = clock.instant();
            return new Now(i.getEpochSecond() * 1_000_000_000L + i.getNano(), i.toEpochMilli());
        };
    }

    /** A nanosecond supplier; wall time advances with it from the system wall time when this is made. */
    static SimulatorTime of(LongSupplier nanoTime) {
        long anchorNanos = nanoTime.getAsLong();
        long anchorMillis = System.currentTimeMillis();
        return () -> {
            long n = nanoTime.getAsLong();
            return new Now(n, anchorMillis + Math.floorDiv(n - anchorNanos, 1_000_000L));
        };
    }
}
