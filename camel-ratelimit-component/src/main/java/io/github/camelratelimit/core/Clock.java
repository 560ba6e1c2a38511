package io.github.camelratelimit.core;

/**
 * The one source of time for limiters, stores and retry logic.
 *
 * <p>{@link #nanoTime()} is monotonic and used for every wait and rate computation; {@link #wallMillis()}
 * is epoch milliseconds and used only to turn absolute instants (an HTTP-date {@code Retry-After}, an epoch
 * {@code X-RateLimit-Reset}) into delays. Implementations must be thread-safe.
 */
public interface Clock {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** Wall-clock time in milliseconds since the Unix epoch. */
    long wallMillis();

    /** The JVM clock: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The JVM clock. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }
    }
}
