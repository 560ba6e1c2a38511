package io.github.camelratelimit.core;

/**
 * What a call's response tells a limiter. Immutable.
 *
 * @param outcome         success, throttled (a rate-limit signal) or other (an error that says nothing about
 *                        the rate)
 * @param grantedAt       the {@link Acquisition#grantedAt()} of the permit the call ran under
 * @param retryAfterNanos the server's Retry-After as a delay, or {@code -1} when absent; the limiter pauses
 *                        for it (clamped to {@code maxPause})
 * @param statusCode      the HTTP status, or {@code -1}
 * @param providerQuota   what the provider's quota headers said, or {@code null}
 */
public record Feedback(Outcome outcome, long grantedAt, long retryAfterNanos, int statusCode,
        ProviderQuota providerQuota) {

    public enum Outcome {
        SUCCESS,
        THROTTLED,
        OTHER
    }

    /**
     * The one rule for what is a rate-limit signal: 429 always, and 503 with a {@code Retry-After} (RFC 9110: a
     * capacity signal). Other statuses are errors that say nothing about the rate.
     */
    public static boolean isRateLimitSignal(int statusCode, boolean hasRetryAfter) {
        return statusCode == 429 || (statusCode == 503 && hasRetryAfter);
    }

    public static Feedback success(long grantedAt, int statusCode) {
        return new Feedback(Outcome.SUCCESS, grantedAt, -1L, statusCode, null);
    }

    public static Feedback throttled(long grantedAt, int statusCode, long retryAfterNanos) {
        return new Feedback(Outcome.THROTTLED, grantedAt, retryAfterNanos, statusCode, null);
    }

    /** The same feedback with the provider's quota report attached. */
    public Feedback withProviderQuota(ProviderQuota quota) {
        return new Feedback(outcome, grantedAt, retryAfterNanos, statusCode, quota);
    }
}
