package io.github.camelratelimit.core;

/**
 * A limiter's figures at one instant, for metrics, health and consoles. Immutable.
 *
 * @param rate             permitted rate, permits/s
 * @param minRate          configured floor, permits/s
 * @param maxRate          configured ceiling, permits/s
 * @param pauseRemainingNanos how long the limiter stays paused (0 when not paused)
 * @param cuts             rate cuts so far
 * @param scale            the recovery scaling constant C in use
 * @param granted          permits granted so far (by this store's view)
 * @param throttled        throttled responses recorded so far
 * @param quotaUsed        starts in the current quota window, or -1 without a quota
 */
public record LimiterSnapshot(double rate, double minRate, double maxRate, long pauseRemainingNanos, long cuts,
        double scale, long granted, long throttled, int quotaUsed) {
}
