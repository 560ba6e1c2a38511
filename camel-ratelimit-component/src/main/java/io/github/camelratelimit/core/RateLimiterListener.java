package io.github.camelratelimit.core;

/**
 * Hears what a {@link RateLimiter} does, for metrics and logs. Called synchronously on the limiter's threads:
 * implementations must be quick, thread-safe and must not throw.
 */
public interface RateLimiterListener {

    RateLimiterListener NONE = new RateLimiterListener() {
        @Override
        public void onGrantedAtOnce(String limiter, long grantedAt) {
        }
    };

    /** A permit was granted (waited {@link Permit#waitedNanos()}). */
    default void onGranted(String limiter, Permit permit) {
    }

    /**
     * A permit was granted at once by {@link RateLimiter#grantNow()}, which allocates no {@link Permit}: stamped
     * {@code grantedAt}, waited 0. By default heard as {@link #onGranted} with such a permit; a listener on the hot
     * path overrides it to spare the allocation.
     */
    default void onGrantedAtOnce(String limiter, long grantedAt) {
        onGranted(limiter, new Permit(limiter, grantedAt, 0L));
    }

    /** A caller had to queue; {@code acquisition} says for how long and why. */
    default void onQueued(String limiter, Acquisition acquisition) {
    }

    /** A caller was rejected. */
    default void onRejected(String limiter, RateLimitExceededException reason) {
    }
}
