package io.github.camelratelimit.core;

import java.time.Duration;

/**
 * Immutable, validated settings of one limiter. Build with {@link #builder()}; {@link Builder#build()}
 * checks every rule and throws {@link InvalidLimiterConfigException} naming the option, the value and the
 * rule, so bad settings fail when a route starts, never at the first message.
 *
 * <table>
 * <caption>Options</caption>
 * <tr><th>option</th><th>unit</th><th>default</th><th>rule</th></tr>
 * <tr><td>minRate</td><td>permits/s</td><td>1</td><td>finite, &gt; 0, &lt;= maxRate</td></tr>
 * <tr><td>maxRate</td><td>permits/s</td><td>60</td><td>finite, &gt; 0, &lt;= 1,000,000,000; the starting rate (at
 *     the ceiling the pacing interval is 1 ns: in effect no pacing, the limiter only reacts to 429s and quotas)</td></tr>
 * <tr><td>recoveryScale</td><td>- (in units of (0.2 s)&sup3;)</td><td>100000</td><td>finite, &gt; 0; cap of the
 *     scaling constant C of {@link AdaptiveRateLimit} (starts at min(500, recoveryScale), doubles per signal)</td></tr>
 * <tr><td>decreaseFactor</td><td>-</td><td>0.7</td><td>in (0, 1): rate after a cut = factor &times; rate before,
 *     when the provider's accepted rate could not be measured (otherwise 0.9 &times; that rate)</td></tr>
 * <tr><td>quota</td><td>permits</td><td>0 (off)</td><td>0..10,000,000 starts per quotaWindow, never exceeded</td></tr>
 * <tr><td>quotaWindow</td><td>duration</td><td>1s</td><td>&gt; 0 and &lt;= 366 days when quota &gt; 0</td></tr>
 * <tr><td>maxWait</td><td>duration</td><td>60s</td><td>&gt;= 0: longest an exchange may wait for a permit</td></tr>
 * <tr><td>maxPending</td><td>exchanges</td><td>10000</td><td>&gt;= 0: waiting exchanges per limiter (per JVM)</td></tr>
 * <tr><td>signalCooldown</td><td>duration</td><td>1s</td><td>&gt;= 0: a throttle within it after a cut, or for a
 *     request granted before the cut, does not cut again (one cut per congestion event; see {@link LimiterState})</td></tr>
 * <tr><td>maxPause</td><td>duration</td><td>15m</td><td>&gt; 0: a server-asked pause (Retry-After) is clamped to it</td></tr>
 * <tr><td>quotaSafetyMargin</td><td>fraction</td><td>0.1</td><td>in [0, 1): share of a provider-reported quota
 *     left unused when pacing by it</td></tr>
 * </table>
 *
 * <p>Thread-safe (immutable). {@code equals} compares every option, which is how two endpoints that name
 * one limiter with different settings are detected.
 */
public record LimiterConfig(
        double minRate,
        double maxRate,
        double recoveryScale,
        double decreaseFactor,
        int quota,
        Duration quotaWindow,
        Duration maxWait,
        int maxPending,
        Duration signalCooldown,
        Duration maxPause,
        double quotaSafetyMargin) {

    public static final double DEFAULT_MIN_RATE = 1.0;
    public static final double DEFAULT_MAX_RATE = 60.0;
    public static final double DEFAULT_RECOVERY_SCALE = 100_000.0;
    /** The scaling constant C before any signal (capped by recoveryScale). */
    public static final double INITIAL_SCALE = 500.0;
    public static final double DEFAULT_DECREASE_FACTOR = 0.7;
    public static final Duration DEFAULT_QUOTA_WINDOW = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_PENDING = 10_000;
    public static final Duration DEFAULT_SIGNAL_COOLDOWN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_PAUSE = Duration.ofMinutes(15);
    public static final double DEFAULT_QUOTA_SAFETY_MARGIN = 0.1;

    /**
     * The highest {@code maxRate}: 10<sup>9</sup> permits/s, a pacing interval of 1 ns (the clock's unit), so a
     * limiter at the ceiling never makes a caller wait for pacing (pauses, quotas and cuts still apply).
     */
    static final double MAX_RATE_LIMIT = 1_000_000_000.0;
    static final int MAX_QUOTA = 10_000_000;
    static final Duration MAX_QUOTA_WINDOW = Duration.ofDays(366);

    /** Validates; prefer {@link #builder()}. */
    public LimiterConfig {
        finitePositive("minRate", minRate);
        finitePositive("maxRate", maxRate);
        if (maxRate > MAX_RATE_LIMIT) {
            throw new InvalidLimiterConfigException("maxRate", maxRate, "must be <= " + (long) MAX_RATE_LIMIT);
        }
        if (minRate > maxRate) {
            throw new InvalidLimiterConfigException("minRate", minRate, "must be <= maxRate (" + maxRate + ")");
        }
        finitePositive("recoveryScale", recoveryScale);
        if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
            throw new InvalidLimiterConfigException("decreaseFactor", decreaseFactor, "must be > 0 and < 1");
        }
        if (quota < 0 || quota > MAX_QUOTA) {
            throw new InvalidLimiterConfigException("quota", quota, "must be between 0 (off) and " + MAX_QUOTA);
        }
        notNull("quotaWindow", quotaWindow);
        if (quota > 0 && (quotaWindow.isNegative() || quotaWindow.isZero())) {
            throw new InvalidLimiterConfigException("quotaWindow", quotaWindow, "must be > 0 when quota is set");
        }
        if (quotaWindow.compareTo(MAX_QUOTA_WINDOW) > 0) {
            throw new InvalidLimiterConfigException("quotaWindow", quotaWindow, "must be <= 366 days");
        }
        notNegative("maxWait", maxWait);
        if (maxPending < 0) {
            throw new InvalidLimiterConfigException("maxPending", maxPending, "must be >= 0");
        }
        notNegative("signalCooldown", signalCooldown);
        notNegative("maxPause", maxPause);
        if (maxPause.isZero()) {
            throw new InvalidLimiterConfigException("maxPause", maxPause, "must be > 0");
        }
        if (!(quotaSafetyMargin >= 0 && quotaSafetyMargin < 1)) {
            throw new InvalidLimiterConfigException("quotaSafetyMargin", quotaSafetyMargin, "must be >= 0 and < 1");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config's values. */
    public Builder toBuilder() {
        return new Builder().minRate(minRate).maxRate(maxRate).recoveryScale(recoveryScale)
                .decreaseFactor(decreaseFactor).quota(quota).quotaWindow(quotaWindow).maxWait(maxWait)
                .maxPending(maxPending).signalCooldown(signalCooldown).maxPause(maxPause)
                .quotaSafetyMargin(quotaSafetyMargin);
    }

    /** The defaults. */
    public static LimiterConfig defaults() {
        return builder().build();
    }

    /** The scaling constant C before the first signal: {@code min(500, recoveryScale)}. */
    public double initialScale() {
        return Math.min(INITIAL_SCALE, recoveryScale);
    }

    /** {@code true} when a strict sliding-window quota is configured. */
    public boolean hasQuota() {
        return quota > 0;
    }

    private static void finitePositive(String option, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidLimiterConfigException(option, v, "must be a finite number > 0");
        }
    }

    private static void notNull(String option, Object v) {
        if (v == null) {
            throw new InvalidLimiterConfigException(option, null, "must be set");
        }
    }

    private static void notNegative(String option, Duration d) {
        notNull(option, d);
        if (d.isNegative()) {
            throw new InvalidLimiterConfigException(option, d, "must be >= 0");
        }
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private double minRate = DEFAULT_MIN_RATE;
        private double maxRate = DEFAULT_MAX_RATE;
        private double recoveryScale = DEFAULT_RECOVERY_SCALE;
        private double decreaseFactor = DEFAULT_DECREASE_FACTOR;
        private int quota;
        private Duration quotaWindow = DEFAULT_QUOTA_WINDOW;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Duration signalCooldown = DEFAULT_SIGNAL_COOLDOWN;
        private Duration maxPause = DEFAULT_MAX_PAUSE;
        private double quotaSafetyMargin = DEFAULT_QUOTA_SAFETY_MARGIN;

        private Builder() {
        }

        public Builder minRate(double v) { this.minRate = v; return this; }
        public Builder maxRate(double v) { this.maxRate = v; return this; }
        public Builder recoveryScale(double v) { this.recoveryScale = v; return this; }
        public Builder decreaseFactor(double v) { this.decreaseFactor = v; return this; }
        public Builder quota(int v) { this.quota = v; return this; }
        public Builder quotaWindow(Duration v) { this.quotaWindow = v; return this; }
        public Builder maxWait(Duration v) { this.maxWait = v; return this; }
        public Builder maxPending(int v) { this.maxPending = v; return this; }
        public Builder signalCooldown(Duration v) { this.signalCooldown = v; return this; }
        public Builder maxPause(Duration v) { this.maxPause = v; return this; }
        public Builder quotaSafetyMargin(double v) { this.quotaSafetyMargin = v; return this; }

        public LimiterConfig build() {
            return new LimiterConfig(minRate, maxRate, recoveryScale, decreaseFactor, quota, quotaWindow, maxWait,
                    maxPending, signalCooldown, maxPause, quotaSafetyMargin);
        }
    }
}
