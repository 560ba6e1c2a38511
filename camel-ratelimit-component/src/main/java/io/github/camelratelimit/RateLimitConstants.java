package io.github.camelratelimit;

/** Names of the exchange properties the {@code ratelimit:} producer sets. */
public final class RateLimitConstants {

    /** Name of the limiter the exchange went through (String). */
    public static final String LIMITER = "CamelRateLimitLimiter";
    /** Milliseconds the exchange waited for its permit (Long). */
    public static final String WAITED_MILLIS = "CamelRateLimitWaited";
    /**
     * Set when the last response was a rate-limit signal and the limiter is paused for Retry-After: the pause in
     * milliseconds (Long). The Retry-After error handler reads it so the exchange does not wait twice.
     */
    public static final String LIMITER_PAUSE_MILLIS = "CamelRateLimitPause";
    /** HTTP status of the last response as seen by the limiter (Integer). */
    public static final String RESPONSE_STATUS = "CamelRateLimitStatus";

    private RateLimitConstants() {
    }
}
