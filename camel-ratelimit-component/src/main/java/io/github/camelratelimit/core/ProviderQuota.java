package io.github.camelratelimit.core;

/**
 * A provider's own account of its quota, read from response headers ({@code RateLimit},
 * {@code X-RateLimit-*}). Immutable. Any field may be unknown ({@code -1}).
 *
 * @param limit       requests allowed per window, or -1
 * @param remaining   requests left in the current window, or -1
 * @param resetNanos  nanoseconds from the response until the window resets, or -1
 * @param windowNanos the window length, or -1
 */
public record ProviderQuota(long limit, long remaining, long resetNanos, long windowNanos) {

    public static final ProviderQuota UNKNOWN = new ProviderQuota(-1, -1, -1, -1);

    public boolean isEmpty() {
        return limit < 0 && remaining < 0 && resetNanos < 0 && windowNanos < 0;
    }
}
