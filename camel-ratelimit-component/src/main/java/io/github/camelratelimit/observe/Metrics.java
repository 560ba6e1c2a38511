package io.github.camelratelimit.observe;

import io.github.camelratelimit.core.RateLimitExceededException;

/**
 * The meters of one component, behind an interface free of Micrometer types so that Micrometer stays optional:
 * {@link #NONE} when Micrometer is absent or no registry bean exists, else {@code MicrometerMetrics}. Calls are
 * quick and never throw.
 */
interface Metrics {

    Metrics NONE = new Metrics() {
    };

    /** Registers the limiter's meters (gauges read {@code watch}). */
    default void bind(LimiterWatch watch) {
    }

    /** Removes the limiter's meters from the registry. */
    default void unbind(String limiter) {
    }

    default void granted(String limiter, long waitNanos) {
    }

    default void rejected(String limiter, RateLimitExceededException.Reason reason) {
    }

    default void throttled(String limiter, int status) {
    }

    default void retryScheduled(String limiter, String reason, long waitMillis) {
    }

    default void retryExhausted(String limiter, String reason) {
    }

    /** Removes every meter bound so far. */
    default void close() {
    }

    /** True when meters go to a registry. */
    default boolean active() {
        return false;
    }
}
