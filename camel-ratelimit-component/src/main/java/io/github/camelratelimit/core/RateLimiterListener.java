package io.github.camelratelimit.core;

/**
 * Hears what a {@link RateLimiter} does, for metrics and logs. Called synchronously on the limiter's threads:
 * implementations must be quick, thread-safe and must not throw.
 */
public interface RateLimiterListener {

    RateLimiterListener NONE = new RateLimiterListener() {
    };

    /** A permit was granted (waited {@link Permit#waitedNanos()}). */
    default void onGranted(String limiter, Permit permit) {
    }

    /** A caller had to queue; {@code acquisition} says for how long and why. */
    default void onQueued(String limiter, Acquisition acquisition) {
    }

    /** A caller was rejected. */
    default void onRejected(String limiter, RateLimitExceededException reason) {
    }
}
