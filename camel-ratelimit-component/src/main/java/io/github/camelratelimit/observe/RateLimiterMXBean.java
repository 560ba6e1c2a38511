package io.github.camelratelimit.observe;

/**
 * JMX view of one limiter, registered as
 * {@code org.apache.camel:context=<context>,type=ratelimiters,name="<limiter>"} (the domain of Camel's
 * management agent when JMX is on in Camel, else on the platform MBean server), unregistered when the limiter
 * stops. Rates are permits per second; times milliseconds.
 *
 * <p>Setting {@code MinRate} or {@code MaxRate}, or {@link #updateRates}, replaces the limiter's config
 * (see {@code RateLimitComponent#reconfigureLimiter}); {@link #reset()} forgets cuts and pauses.
 */
public interface RateLimiterMXBean {

    String getName();

    /** Where the state lives: memory or redis. */
    String getStore();

    /** ok, paused or floor (as the health check sees it). */
    String getState();

    double getRate();

    double getMinRate();

    /** Replaces the floor (must stay &lt;= MaxRate). */
    void setMinRate(double minRate);

    double getMaxRate();

    /** Replaces the ceiling (must stay &gt;= MinRate). */
    void setMaxRate(double maxRate);

    long getPauseRemainingMillis();

    int getPending();

    long getGranted();

    long getRejected();

    long getThrottled();

    long getCuts();

    long getRetriesScheduled();

    long getRetriesExhausted();

    /** Replaces both rates at once (so a move past the other bound is one valid step). */
    void updateRates(double minRate, double maxRate);

    /** Forgets cuts and pauses (the strict quota's memory of starts stays). */
    void reset();
}
