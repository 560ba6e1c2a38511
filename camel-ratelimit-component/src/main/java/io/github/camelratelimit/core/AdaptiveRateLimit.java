package io.github.camelratelimit.core;

/**
 * Computes the permitted rate of an adaptive limiter: a cut on each congestion event and a cubic (TCP CUBIC
 * shaped) recovery towards {@code maxRate}, with time measured in units of {@link #TIME_UNIT_SECONDS}.
 *
 * <pre>
 * before any cut:   rate(t) = maxRate
 * on a cut at t0:   current = rate(t0)
 *                   with a capacity estimate E (accepted calls/s, see {@link LimiterState}) and gamma*E &lt; current:
 *                       Wmax = E,        b = gamma = {@value #ESTIMATE_FACTOR}
 *                   else:
 *                       Wmax = current,  b = beta = decreaseFactor (default 0.7)
 *                   C    = scale;  scale = min(recoveryScale, 2 * scale)   (scale starts at min(500, recoveryScale)
 *                                                                            and also doubles on {@link #signal()})
 *                   K    = u * cbrt((1 - b) * C)            (seconds until the rate is back at Wmax; u = 0.2 s)
 * after the cut:    rate(t) = clamp(Wmax * (1 + ((t - t0 - K) / u)^3 / C),  minRate, maxRate)
 * </pre>
 *
 * So {@code rate(t0) = b * Wmax}: the rate climbs fast at first, flattens near {@code Wmax} (the provider's
 * capacity as measured, or the rate that drew the signal), then probes above it ever faster. The curve is
 * relative to {@code Wmax}, so it behaves the same at 5/s and at 5,000/s. C sets the pace: with C = 500 the
 * rate is back at Wmax 0.74 s after a cut to 0.9 Wmax and doubles 1.6 s later; with C = 100000 (the default
 * cap, reached after 8 signals) it takes 4.3 s to get back and it doubles 9.3 s later, so a limiter that keeps
 * meeting its ceiling holds a long plateau there, and still finds a raised capacity within seconds. When a probe
 * above a measured Wmax is throttled, {@link LimiterState} cuts with Wmax itself as the estimate: back to
 * 0.9 Wmax on a fresh curve ({@link #measured()} tells whether Wmax is such an estimate).
 * Rates are permits per second.
 *
 * <p>Pure computation: every method takes the time as an argument ({@code nanoTime}-style nanoseconds).
 * Not thread-safe; the owner ({@link LimiterState}) serialises access.
 */
public final class AdaptiveRateLimit {

    /** The time unit u of the recovery curve, in seconds (tuned with the benchmarks' adaptive model). */
    public static final double TIME_UNIT_SECONDS = 0.2;
    /** The share gamma of a measured capacity that a cut keeps (tuned with the benchmarks' adaptive model). */
    public static final double ESTIMATE_FACTOR = 0.9;

    private final LimiterConfig config;
    private boolean cut;
    private double wMax;
    private long cutAtNanos;
    private double k;
    private double c;
    private double nextScale;
    private long cuts;
    private boolean measured;

    public AdaptiveRateLimit(LimiterConfig config) {
        this.config = config;
        this.nextScale = config.initialScale();
    }

    /** The permitted rate at {@code nowNanos}, in permits per second, within [minRate, maxRate]. */
    public double rate(long nowNanos) {
        if (!cut) {
            return config.maxRate();
        }
        double x = ((nowNanos - cutAtNanos) / 1e9 - k) / TIME_UNIT_SECONDS;
        return clamp(wMax * (1 + x * x * x / c));
    }

    /** Applies one cut at {@code nowNanos} without a capacity estimate: see {@link #cut(long, double)}. */
    public double cut(long nowNanos) {
        return cut(nowNanos, Double.NaN);
    }

    /**
     * Applies one cut at {@code nowNanos}. With a usable {@code estimate} (accepted calls per second, finite,
     * {@code > 0}, and {@code ESTIMATE_FACTOR * estimate} below the current rate) the rate drops to that share of
     * the estimate and recovers towards it; otherwise it drops to {@code decreaseFactor} times its current value.
     * Never under minRate. Recovery restarts with the current scale, which then doubles.
     *
     * @return the new rate
     */
    public double cut(long nowNanos, double estimate) {
        double current = rate(nowNanos);
        double b;
        measured = estimate > 0 && !Double.isInfinite(estimate) && ESTIMATE_FACTOR * estimate < current;
        if (measured) {
            wMax = estimate;
            b = ESTIMATE_FACTOR;
        } else {
            wMax = current;
            b = config.decreaseFactor();
        }
        cutAtNanos = nowNanos;
        c = nextScale;
        signal();
        k = TIME_UNIT_SECONDS * Math.cbrt((1 - b) * c);
        cut = true;
        cuts++;
        return rate(nowNanos);
    }

    /** A rate-limit signal that does not cut (the first of a congestion event): the scale doubles. */
    public void signal() {
        nextScale = Math.min(config.recoveryScale(), nextScale * 2);
    }

    /** Number of cuts so far. */
    public long cuts() {
        return cuts;
    }

    /** The scaling constant C of the running recovery (the scale the next cut will use before any cut). */
    public double scale() {
        return cut ? c : nextScale;
    }

    /** Wmax of the running recovery: the measured capacity or the rate at the last cut ({@code maxRate} before any cut). */
    public double lastMax() {
        return cut ? wMax : config.maxRate();
    }

    /** {@code true} when the running recovery's Wmax is the capacity estimate the last cut was given (false before any cut). */
    public boolean measured() {
        return cut && measured;
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
