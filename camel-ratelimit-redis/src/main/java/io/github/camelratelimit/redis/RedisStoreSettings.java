package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.InvalidLimiterConfigException;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validated settings of a {@link RedisLimiterStore} (not of a limiter: each limiter's {@code LimiterConfig} is
 * sent with every call). Immutable, thread-safe.
 *
 * <table>
 * <caption>Store options (strings in {@link #fromOptions(Map)})</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>redisTimeout</td><td>200ms</td><td>&gt; 0, &lt;= 1 minute: longest wait for one Redis command; past it
 *     the call counts as a failure</td></tr>
 * <tr><td>redisKeyPrefix</td><td>camel-ratelimit</td><td>first part of every key, {@code {prefix:limiter}:...};
 *     non-empty, no braces</td></tr>
 * <tr><td>redisIdleExpiry</td><td>1h</td><td>&gt;= 1s, &lt;= 366 days: a limiter's keys expire this long after its last write
 *     (never before its quota window, pause or next pacing slot has passed)</td></tr>
 * <tr><td>redisFallback</td><td>local</td><td>{@code local}: while Redis fails, answer from a limiter in this JVM
 *     with every limit scaled by redisFallbackShare; {@code fail}: fail the call (the enforcer rejects the
 *     exchange with a RateLimitExceededException, reason STORE_FAILED)</td></tr>
 * <tr><td>redisFallbackShare</td><td>0.5</td><td>in (0, 1]: this JVM's share of each limit while degraded
 *     (maxRate, minRate and quota, the quota floored and at least 1)</td></tr>
 * <tr><td>redisProbeInterval</td><td>1s</td><td>&gt; 0, &lt;= 1 hour: while degraded, how often to check whether Redis answers
 *     again (and to retry a failed first connect)</td></tr>
 * </table>
 *
 * Durations are written {@code 250} (milliseconds), {@code 200ms}, {@code 5s}, {@code 10m}, {@code 1h},
 * {@code 1d} or ISO-8601 ({@code PT0.2S}).
 *
 * @param timeout       per-command timeout
 * @param keyPrefix     key prefix (inside the cluster hash tag)
 * @param idleExpiry    key time-to-live after the last write
 * @param fallback      what to do while Redis fails
 * @param fallbackShare share of each limit used locally while degraded
 * @param probeInterval how often a degraded store checks Redis
 */
public record RedisStoreSettings(Duration timeout, String keyPrefix, Duration idleExpiry, Fallback fallback,
        double fallbackShare, Duration probeInterval) {

    /** What a store does while Redis does not answer. */
    public enum Fallback {
        /** Pace with a local, scaled-down limiter and log it (event=redis_fallback). */
        LOCAL,
        /** Complete the call exceptionally. */
        FAIL
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
    public static final String DEFAULT_KEY_PREFIX = "camel-ratelimit";
    public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofHours(1);
    public static final double DEFAULT_FALLBACK_SHARE = 0.5;
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    /** Validates; prefer {@link #builder()}. */
    public RedisStoreSettings {
        positive("redisTimeout", timeout);
        if (timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new InvalidLimiterConfigException("redisTimeout", timeout, "must be <= 1 minute");
        }
        if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
            throw new InvalidLimiterConfigException("redisKeyPrefix", keyPrefix,
                    "must be non-empty and hold no braces (keys use the hash tag {prefix:limiter})");
        }
        positive("redisIdleExpiry", idleExpiry);
        if (idleExpiry.compareTo(Duration.ofSeconds(1)) < 0 || idleExpiry.compareTo(Duration.ofDays(366)) > 0) {
            throw new InvalidLimiterConfigException("redisIdleExpiry", idleExpiry, "must be >= 1s and <= 366 days");
        }
        if (fallback == null) {
            throw new InvalidLimiterConfigException("redisFallback", null, "must be local or fail");
        }
        if (!(fallbackShare > 0 && fallbackShare <= 1)) {
            throw new InvalidLimiterConfigException("redisFallbackShare", fallbackShare, "must be > 0 and <= 1");
        }
        positive("redisProbeInterval", probeInterval);
        if (probeInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidLimiterConfigException("redisProbeInterval", probeInterval, "must be <= 1 hour");
        }
    }

    public static RedisStoreSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the options named in the class comment; absent or blank ones keep their defaults, unknown keys are
     * ignored (the map also carries {@code redisUri} and other stores' options).
     *
     * @throws InvalidLimiterConfigException naming the option, the value and the rule
     */
    public static RedisStoreSettings fromOptions(Map<String, String> options) {
        Builder b = builder();
        String v;
        if ((v = opt(options, "redisTimeout")) != null) {
            b.timeout(parseDuration("redisTimeout", v));
        }
        if ((v = opt(options, "redisKeyPrefix")) != null) {
            b.keyPrefix(v);
        }
        if ((v = opt(options, "redisIdleExpiry")) != null) {
            b.idleExpiry(parseDuration("redisIdleExpiry", v));
        }
        if ((v = opt(options, "redisFallback")) != null) {
            b.fallback(switch (v.toLowerCase(Locale.ROOT)) {
                case "local" -> Fallback.LOCAL;
                case "fail" -> Fallback.FAIL;
                default -> throw new InvalidLimiterConfigException("redisFallback", v, "must be local or fail");
            });
        }
        if ((v = opt(options, "redisFallbackShare")) != null) {
            try {
                b.fallbackShare(Double.parseDouble(v));
            } catch (NumberFormatException e) {
                throw new InvalidLimiterConfigException("redisFallbackShare", v, "must be a number > 0 and <= 1");
            }
        }
        if ((v = opt(options, "redisProbeInterval")) != null) {
            b.probeInterval(parseDuration("redisProbeInterval", v));
        }
        return b.build();
    }

    /**
     * Parses {@code 250} (ms), {@code 200ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 1d} or ISO-8601
     * ({@code PT0.2S}); anything else throws naming the option.
     */
    public static Duration parseDuration(String option, String text) {
        String t = text.trim();
        if (!t.isEmpty() && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
            try {
                return Duration.parse(t);
            } catch (RuntimeException e) {
                throw new InvalidLimiterConfigException(option, text, "is not an ISO-8601 duration");
            }
        }
        Matcher m = SIMPLE_DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidLimiterConfigException(option, text,
                    "must be a duration such as 250 (ms), 200ms, 5s, 10m, 1h, 1d or PT0.2S");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static String opt(Map<String, String> options, String key) {
        String v = options == null ? null : options.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static void positive(String option, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidLimiterConfigException(option, d, "must be > 0");
        }
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Duration timeout = DEFAULT_TIMEOUT;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration idleExpiry = DEFAULT_IDLE_EXPIRY;
        private Fallback fallback = Fallback.LOCAL;
        private double fallbackShare = DEFAULT_FALLBACK_SHARE;
        private Duration probeInterval = DEFAULT_PROBE_INTERVAL;

        private Builder() {
        }

        public Builder timeout(Duration v) { this.timeout = v; return this; }
        public Builder keyPrefix(String v) { this.keyPrefix = v; return this; }
        public Builder idleExpiry(Duration v) { this.idleExpiry = v; return this; }
        public Builder fallback(Fallback v) { this.fallback = Objects.requireNonNull(v, "fallback"); return this; }
        public Builder fallbackShare(double v) { this.fallbackShare = v; return this; }
        public Builder probeInterval(Duration v) { this.probeInterval = v; return this; }

        public RedisStoreSettings build() {
            return new RedisStoreSettings(timeout, keyPrefix, idleExpiry, fallback, fallbackShare, probeInterval);
        }
    }
}
