package io.github.camelratelimit.core;

/**
 * Computes the permitted rate of an adaptive limiter: a multiplicative cut on each rate-limit signal and a
 * cubic (TCP CUBIC shaped) recovery towards {@code maxRate}.
 *
 * <pre>
 * before any cut:   rate(t) = maxRate
 * on a cut at t0:   Wmax = rate(t0)                      (the rate that drew the signal)
 *                   C    = scale;  scale = min(recoveryScale, 2 * scale)     (scale starts at min(500, recoveryScale))
 *                   K    = cbrt(Wmax * (1 - beta) * C)    (seconds until the rate is back at Wmax)
 * after the cut:    rate(t) = clamp(Wmax + (t - t0 - K)^3 / C,  minRate, maxRate)     (t in seconds)
 * </pre>
 *
 * So {@code rate(t0) = beta * Wmax} (beta = {@code decreaseFactor}, default 0.7), the rate climbs fast at
 * first, flattens near the old peak {@code Wmax} (where the provider pushed back), then probes above it. The
 * first recovery uses C = 500 (60/s back to 60/s in cbrt(60 * 0.3 * 500) = 20.8 s); every further cut doubles
 * C up to {@code recoveryScale} (100000: 121.6 s), so a limiter that keeps meeting its ceiling recovers ever
 * more slowly. Rates are permits per second.
 *
 * <p>Pure computation: every method takes the time as an argument ({@code nanoTime}-style nanoseconds).
 * Not thread-safe; the owner ({@link LimiterState}) serialises access.
 */
public final class AdaptiveRateLimit {

    private final LimiterConfig config;
    private boolean cut;
    private double wMax;
    private long cutAtNanos;
    private double k;
    private double c;
    private double nextScale;
    private long cuts;

    public AdaptiveRateLimit(LimiterConfig config) {
        this.config = config;
        this.nextScale = config.initialScale();
    }

    /** The permitted rate at {@code nowNanos}, in permits per second, within [minRate, maxRate]. */
    public double rate(long nowNanos) {
        if (!cut) {
            return config.maxRate();
        }
        double t = (nowNanos - cutAtNanos) / 1e9 - k;
        double r = wMax + t * t * t / c;
        return clamp(r);
    }

    /**
     * Applies one cut at {@code nowNanos}: the rate drops to {@code decreaseFactor} times its current value
     * (never under minRate) and recovery restarts with the current scale, which then doubles.
     *
     * @return the new rate
     */
    public double cut(long nowNanos) {
        double current = rate(nowNanos);
        wMax = current;
        cutAtNanos = nowNanos;
        c = nextScale;
        nextScale = Math.min(config.recoveryScale(), nextScale * 2);
        k = Math.cbrt(wMax * (1 - config.decreaseFactor()) * c);
        cut = true;
        cuts++;
        return rate(nowNanos);
    }

    /** Number of cuts so far. */
    public long cuts() {
        return cuts;
    }

    /** The scaling constant C of the running recovery (the initial scale before any cut). */
    public double scale() {
        return cut ? c : config.initialScale();
    }

    /** The rate that drew the last signal ({@code maxRate} before any cut). */
    public double lastMax() {
        return cut ? wMax : config.maxRate();
    }

    /** Seconds after the last cut at which the rate is back at {@link #lastMax()} (0 before any cut). */
    public double secondsToLastMax() {
        return cut ? k : 0;
    }

    /** Forgets every cut: back to maxRate and the initial scale. */
    public void reset() {
        cut = false;
        cuts = 0;
        nextScale = config.initialScale();
    }

    private double clamp(double r) {
        if (Double.isNaN(r)) {
            return config.minRate();
        }
        return Math.max(config.minRate(), Math.min(config.maxRate(), r));
    }
}
