package io.github.camelratelimit.core;

/**
 * Computes the permitted rate of an adaptive limiter: a cut on each congestion event and a cubic (TCP CUBIC
 * shaped) recovery towards {@code maxRate}, with time measured in units of {@link #TIME_UNIT_SECONDS}, which turns
 * into an exponential probe once it has passed {@link #FAST_LIMIT} times its Wmax without a throttle.
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
 *                   D    = {@value #FAST_DOUBLING_SECONDS} s * cbrt(C / 100000)       (the fast probe's doubling time)
 *                   fast = a throttle was heard ({@link #throttled}), the last one had no Retry-After
 *                          and its round trip (grant to answer) was at most D / {@value #FAST_RTT_SHARE}
 * after the cut:    x  = (t - t0 - K) / u,   xP = cbrt((P - 1) * C)   (P = {@value #FAST_LIMIT}: the cubic is at P * Wmax at xP)
 *   cubic           x &lt;= xP, or not fast:
 *                   rate(t) = clamp(Wmax * (1 + x^3 / C),  minRate, maxRate)
 *   fast probe      x &gt; xP, fast, no throttle heard since xP:
 *                   rate(t) = clamp(Wmax * (1 + (P - 1) * 2^((x - xP) * u / D)),  minRate, maxRate)
 *   slowed          x &gt; xP, fast, the first throttle heard since xP came at ts, when the rate was Rs:
 *                   rate(t) = clamp(Rs * (1 + (xP + (t - ts) / u)^3 / C) / P,  minRate, maxRate)
 *                   a throttle heard after the cut but before xP: not fast until the next cut
 * </pre>
 *
 * So {@code rate(t0) = b * Wmax}: the rate climbs fast at first, flattens near {@code Wmax} (the provider's
 * capacity as measured, or the rate that drew the signal), then probes above it ever faster. The curve is
 * relative to {@code Wmax}, so it behaves the same at 5/s and at 5,000/s. C sets the pace: with C = 500 the
 * rate is back at Wmax 0.74 s after a cut to 0.9 Wmax; with C = 100000 (the default cap, reached after 8 signals)
 * it takes 4.3 s to get back and reaches P * Wmax = 1.15 Wmax 9.2 s after the cut, so a limiter that keeps meeting
 * its ceiling holds a long plateau there. At a steady capacity its probe draws a throttle before xP (after a cut to
 * 0.9 Wmax the cubic has sent as much above Wmax as it held back below it at 1.1 Wmax), which cuts again. When no
 * throttle came by xP the capacity has risen, and the cubic, whose excess over Wmax grows only as x^3 (another
 * 9 s to double the rate), hands over to an exponential probe: its excess over Wmax doubles every D (0.45 s at
 * C = 100000, 0.077 s at C = 500), so it is at 4 Wmax 1.9 s after xP. Its first throttle slows it to the cubic's
 * own pace at xP, from the rate it reached (the congestion event that throttle opens then measures the new
 * capacity). The fast probe is left out where it would overshoot a capacity by much before hearing of it: when the
 * provider answers with {@code Retry-After} (each throttle then pauses the whole limiter) and when a throttle
 * takes longer than D / {@value #FAST_RTT_SHARE} to come back. When a probe above a measured Wmax is throttled,
 * {@link LimiterState} cuts with Wmax itself as the estimate: back to 0.9 Wmax on a fresh curve
 * ({@link #measured()} tells whether Wmax is such an estimate). Rates are permits per second.
 *
 * <p>Pure computation: every method takes the time as an argument ({@code nanoTime}-style nanoseconds).
 * Not thread-safe; the owner ({@link LimiterState}) serialises access.
 */
public final class AdaptiveRateLimit {

    /** The time unit u of the recovery curve, in seconds (tuned with the benchmarks' adaptive model). */
    public static final double TIME_UNIT_SECONDS = 0.2;
    /** The share gamma of a measured capacity that a cut keeps (tuned with the benchmarks' adaptive model). */
    public static final double ESTIMATE_FACTOR = 0.9;
    /**
     * P: the multiple of Wmax past which a recovery that heard no throttle since its cut counts its Wmax as stale
     * and probes exponentially (tuned with the benchmarks' adaptive model).
     */
    public static final double FAST_LIMIT = 1.15;
    /**
     * D at C = 100000, in seconds: the time in which the fast probe doubles its excess over Wmax; D scales with
     * {@code cbrt(C / 100000)} like the rest of the curve (tuned with the benchmarks' adaptive model).
     */
    public static final double FAST_DOUBLING_SECONDS = 0.45;
    /** The fast probe runs only when a throttle came back within D / {@value} (its grant to its answer). */
    public static final double FAST_RTT_SHARE = 4;

    private final LimiterConfig config;
    private boolean cut;
    private double wMax;
    private long cutAtNanos;
    private double k;
    private double c;
    private double nextScale;
    private long cuts;
    private boolean measured;
    // the last throttle heard: whether it carried Retry-After, and its round trip (grant to answer) in nanoseconds
    private boolean retryAfterHeard;
    private long roundTripNanos = Long.MAX_VALUE; // none heard yet: no fast probe
    // the running recovery turns into the fast probe at xP (no throttle heard before xP since its cut)
    private boolean fast;
    // the fast probe was slowed by a throttle at slowedAt, when the rate was slowedRate (Long.MIN_VALUE: not slowed)
    private long slowedAt = Long.MIN_VALUE;
    private double slowedRate;
    // xP and D of the running recovery (they depend on C only, which changes at a cut): rate() runs per permit
    private double fastX;
    private double fastDoubling;

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
        if (fast) {
            double xp = fastX;
            if (x > xp) {
                if (slowedAt != Long.MIN_VALUE && nowNanos >= slowedAt) {
                    double xs = xp + (nowNanos - slowedAt) / 1e9 / TIME_UNIT_SECONDS;
                    return clamp(slowedRate * (1 + xs * xs * xs / c) / FAST_LIMIT);
                }
                return clamp(wMax * (1 + (FAST_LIMIT - 1) * Math.pow(2, (x - xp) * TIME_UNIT_SECONDS / fastDoubling)));
            }
        }
        return clamp(wMax * (1 + x * x * x / c));
    }

    /** xP: where the cubic with scale {@code c} is at {@code FAST_LIMIT * Wmax}, in time units after K. */
    private static double fastX(double c) {
        return Math.cbrt((FAST_LIMIT - 1) * c);
    }

    /** D: the fast probe's doubling time with scale {@code c}, in seconds. */
    private static double doubling(double c) {
        return FAST_DOUBLING_SECONDS * Math.cbrt(c / 100_000.0);
    }

    /**
     * Hears a throttle at {@code nowNanos} for the call granted at {@code grantedAt}, before it may cut (the
     * throttles {@link LimiterState} counts for this recovery: not those of calls sent before the last cut). It
     * remembers whether the throttle carried {@code Retry-After} and its round trip, which decide whether the
     * next cut's recovery may probe fast; one heard before the running recovery reached {@code FAST_LIMIT * Wmax}
     * keeps that recovery on the cubic; the first one heard during the fast probe slows it.
     */
    public void throttled(long nowNanos, long grantedAt, boolean retryAfter) {
        retryAfterHeard = retryAfter;
        long trip = nowNanos - grantedAt;
        // a grant in the future reads as no delay, one so old that the difference overflows as the longest
        roundTripNanos = grantedAt > nowNanos ? 0L : trip < 0 ? Long.MAX_VALUE : trip;
        if (!cut || !fast || slowedAt != Long.MIN_VALUE) {
            return;
        }
        double x = ((nowNanos - cutAtNanos) / 1e9 - k) / TIME_UNIT_SECONDS;
        if (x <= fastX) {
            fast = false;
        } else {
            slowedRate = rate(nowNanos);
            slowedAt = nowNanos;
        }
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
        fastX = fastX(c);
        fastDoubling = doubling(c);
        fast = !retryAfterHeard && FAST_RTT_SHARE * roundTripNanos / 1e9 <= fastDoubling;
        slowedAt = Long.MIN_VALUE;
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

    /**
     * {@code true} when the running recovery turns into the fast probe past {@code FAST_LIMIT * Wmax} (or already
     * has): no {@code Retry-After} and a short round trip before its cut, no throttle heard before that point.
     */
    public boolean fast() {
        return cut && fast;
    }

    /** Forgets every cut and throttle: back to maxRate and the initial scale. */
    public void reset() {
        cut = false;
        fast = false;
        retryAfterHeard = false;
        roundTripNanos = Long.MAX_VALUE;
        slowedAt = Long.MIN_VALUE;
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
