package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the cubic recovery of {@link AdaptiveRateLimit} to exact numbers:
 * {@code rate(t) = clamp(Wmax (1 + ((t - t0 - K) / 0.2)^3 / C), minRate, maxRate)}, {@code K = 0.2 cbrt((1 - b) C)},
 * and the fast probe past {@code xP = cbrt(0.15 C)}: {@code Wmax (1 + 0.15 * 2^((x - xP) * 0.2 / D))},
 * {@code D = 0.45 s * cbrt(C / 100000)}.
 */
class AdaptiveRateLimitTest {

    private static final long S = 1_000_000_000L;
    private static final double EPS = 1e-9;
    /** K for beta 0.7, C 500: 0.2 * cbrt(0.3 * 500) = 0.2 * cbrt(150) seconds (the same at every rate). */
    private static final double K_500 = 1.062658569182611;

    private static AdaptiveRateLimit limit(LimiterConfig.Builder b) {
        return new AdaptiveRateLimit(b.build());
    }

    private static AdaptiveRateLimit defaultLimit() {
        return limit(LimiterConfig.builder());
    }

    @Test
    void startsAtMaxRateAndStaysThereWithoutCuts() {
        AdaptiveRateLimit r = defaultLimit();
        assertEquals(60.0, r.rate(0L));
        assertEquals(60.0, r.rate(Long.MAX_VALUE));
        assertEquals(60.0, r.rate(Long.MIN_VALUE));
        assertEquals(0, r.cuts());
        assertEquals(500.0, r.scale());
        assertEquals(60.0, r.lastMax());
        assertEquals(0.0, r.secondsToLastMax());
        assertFalse(r.measured());
    }

    @Test
    void firstCutAt60PerSecondDropsTo42() {
        AdaptiveRateLimit r = defaultLimit();
        long t0 = 7 * S;
        assertEquals(42.0, r.cut(t0), EPS);
        assertEquals(42.0, r.rate(t0), EPS);
        assertEquals(1, r.cuts());
        assertEquals(500.0, r.scale());
        assertEquals(60.0, r.lastMax());
    }

    @Test
    void firstRecoveryTakesPointTwoTimesCbrtOf150SecondsBackTo60() {
        AdaptiveRateLimit r = defaultLimit();
        long t0 = 7 * S;
        r.cut(t0);
        assertEquals(0.2 * Math.cbrt(150), K_500, 1e-12);
        assertEquals(K_500, r.secondsToLastMax(), EPS);
        long back = t0 + Math.round(K_500 * 1e9);
        assertEquals(60.0, r.rate(back), EPS);
        // one millisecond early the rate is (just) below the old peak
        assertTrue(r.rate(back - 1_000_000L) < 60.0);
    }

    @Test
    void recoveryFollowsTheCubicAtGivenTimes() {
        AdaptiveRateLimit r = defaultLimit();
        long t0 = 7 * S;
        r.cut(t0);
        // 60 (1 + ((t - K) / 0.2)^3 / 500), computed independently
        assertEquals(51.9496341640678, r.rate(t0 + S / 4), EPS);
        assertEquals(57.3280638764834, r.rate(t0 + S / 2), EPS);
        assertEquals(59.99630994635804, r.rate(t0 + S), EPS);
        assertEquals(60 * (1 + Math.pow((0.5 - K_500) / 0.2, 3) / 500), r.rate(t0 + S / 2), EPS);
        // past K the curve probes above the old peak (72.35/s at 2 s), but maxRate caps it
        assertEquals(60.0, r.rate(t0 + 2 * S));
        assertEquals(60.0, r.rate(t0 + 3600 * S));
    }

    @Test
    void rateIsMonotonicDuringRecovery() {
        AdaptiveRateLimit r = defaultLimit();
        r.cut(0L);
        double prev = r.rate(0L);
        for (long t = S / 100; t <= 40 * S; t += S / 100) {
            double now = r.rate(t);
            assertTrue(now >= prev, "rate fell from " + prev + " to " + now + " at " + t);
            prev = now;
        }
    }

    @Test
    void aCutDuringRecoveryStartsFromTheCurrentRate() {
        AdaptiveRateLimit r = defaultLimit();
        r.cut(0L);
        double atHalf = 57.3280638764834;
        assertEquals(atHalf * 0.7, r.cut(S / 2), EPS);
        assertEquals(atHalf, r.lastMax(), EPS);
        assertEquals(1000.0, r.scale());
        double k = 0.2 * Math.cbrt(0.3 * 1000);
        assertEquals(1.3388659001643388, k, EPS);
        assertEquals(k, r.secondsToLastMax(), EPS);
        assertEquals(atHalf, r.rate(S / 2 + Math.round(k * 1e9)), EPS);
    }

    @Test
    void scaleDoublesPerCutUpToRecoveryScale() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().recoveryScale(3000));
        List<Double> scales = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            r.cut(i * 100 * S);
            scales.add(r.scale());
        }
        assertEquals(List.of(500.0, 1000.0, 2000.0, 3000.0, 3000.0), scales);
    }

    @Test
    void defaultScaleReachesOneHundredThousand() {
        AdaptiveRateLimit r = defaultLimit();
        double expected = 500;
        for (int i = 0; i < 12; i++) {
            r.cut(i * 1000 * S);
            assertEquals(Math.min(100_000.0, expected), r.scale());
            expected *= 2;
        }
        assertEquals(100_000.0, r.scale());
    }

    @Test
    void recoveryScaleBelow500IsTheInitialScale() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().recoveryScale(200));
        assertEquals(200.0, r.scale());
        r.cut(0L);
        assertEquals(200.0, r.scale());
        assertEquals(0.2 * Math.cbrt(0.3 * 200), r.secondsToLastMax(), EPS);
        r.cut(S);
        assertEquals(200.0, r.scale());
    }

    @Test
    void manyCutsNeverGoBelowMinRate() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().minRate(2).maxRate(60));
        double rate = 60;
        for (int i = 0; i < 50; i++) {
            double cut = r.cut(0L);
            assertEquals(Math.max(2.0, rate * 0.7), cut, 1e-9 * rate);
            rate = cut;
        }
        assertEquals(2.0, r.rate(0L));
        assertEquals(50, r.cuts());
        for (long t = 0; t < 10_000 * S; t += 7 * S) {
            double v = r.rate(t);
            assertTrue(v >= 2.0 && v <= 60.0, "rate " + v + " at " + t);
        }
    }

    @Test
    void rateStaysWithinBoundsWhateverTheTime() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().minRate(5).maxRate(100).recoveryScale(1e9));
        r.cut(1_000 * S);
        // before the cut (a clock going back) and far after it
        for (long t : new long[] {Long.MIN_VALUE, 0L, 999 * S, 1_000 * S, 1_001 * S, 10_000 * S, Long.MAX_VALUE}) {
            double v = r.rate(t);
            assertTrue(v >= 5.0 && v <= 100.0, "rate " + v + " at " + t);
        }
    }

    @Test
    void decreaseFactorIsTheShareKept() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().maxRate(100).decreaseFactor(0.5));
        assertEquals(50.0, r.cut(0L), EPS);
        assertEquals(0.2 * Math.cbrt(0.5 * 500), r.secondsToLastMax(), EPS);
    }

    @Test
    void aCutWithACapacityEstimateKeepsNineTenthsOfItAndRecoversTowardsIt() {
        AdaptiveRateLimit r = defaultLimit();
        assertEquals(36.0, r.cut(0L, 40.0), EPS);
        assertEquals(40.0, r.lastMax(), EPS);
        assertEquals(0.2 * Math.cbrt(0.1 * 500), r.secondsToLastMax(), EPS);
        assertEquals(0.7368062997280773, r.secondsToLastMax(), EPS);
        assertEquals(40.0, r.rate(Math.round(r.secondsToLastMax() * 1e9)), 1e-6);
        assertTrue(r.measured(), "Wmax is the estimate");
    }

    @Test
    void anEstimateThatWouldNotLowerTheRateFallsBackToTheDecreaseFactor() {
        for (double estimate : new double[] {66.7, 100.0, 1e9, Double.POSITIVE_INFINITY, Double.NaN, 0.0, -5.0}) {
            AdaptiveRateLimit r = defaultLimit();
            assertEquals(42.0, r.cut(0L, estimate), EPS, "estimate " + estimate);
            assertEquals(60.0, r.lastMax(), "estimate " + estimate);
            assertFalse(r.measured(), "estimate " + estimate);
        }
        // just under the line: 0.9 * 66.6 = 59.94 < 60 uses the estimate
        assertEquals(0.9 * 66.6, defaultLimit().cut(0L, 66.6), EPS);
    }

    @Test
    void aSignalWithoutACutDoublesTheScale() {
        AdaptiveRateLimit r = defaultLimit();
        r.signal();
        assertEquals(1000.0, r.scale());
        assertEquals(60.0, r.rate(0L));
        r.cut(0L);
        assertEquals(1000.0, r.scale());
        assertEquals(0.2 * Math.cbrt(0.3 * 1000), r.secondsToLastMax(), EPS);
    }

    @Test
    void resetForgetsEveryCut() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().recoveryScale(3000));
        r.cut(0L);
        r.cut(S);
        r.cut(2 * S);
        r.reset();
        assertEquals(60.0, r.rate(2 * S));
        assertEquals(0, r.cuts());
        assertEquals(500.0, r.scale());
        assertEquals(60.0, r.lastMax());
        assertEquals(0.0, r.secondsToLastMax());
        assertFalse(r.measured());
        // the scale starts over at 500
        assertEquals(42.0, r.cut(3 * S), EPS);
        assertEquals(500.0, r.scale());
    }

    // ---- the fast probe ----

    /** K, xP and tP (seconds after the cut) of a cut to 0.9 Wmax with C = 100000: 4.309 s, 24.66 units, 9.241 s. */
    private static final double K_CAP = 0.2 * Math.cbrt(10_000);
    private static final double XP_CAP = Math.cbrt(15_000);
    private static final double TP_CAP = K_CAP + 0.2 * XP_CAP;

    /** maxRate 1000/s, C at its cap 100000 (8 signals), a throttle heard at 0 with the given Retry-After and round trip. */
    private static AdaptiveRateLimit atCapAfterAThrottle(boolean retryAfter, long roundTripNanos) {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().maxRate(1000));
        for (int i = 0; i < 8; i++) {
            r.signal();
        }
        assertEquals(100_000.0, r.scale());
        r.throttled(0L, -roundTripNanos, retryAfter);
        return r;
    }

    private static long at(double seconds) {
        return Math.round(seconds * 1e9);
    }

    @Test
    void aRecoveryThatHearsNoThrottleTurnsIntoTheFastProbeAtFifteenPercentAboveWmax() {
        AdaptiveRateLimit r = atCapAfterAThrottle(false, 10_000_000L);
        assertEquals(90.0, r.cut(0L, 100), EPS);
        assertTrue(r.fast());
        assertEquals(4.308869380063768, K_CAP, 1e-12);
        assertEquals(9.241293528724709, TP_CAP, 1e-12);
        // the cubic up to xP, where it is at 1.15 Wmax: continuous there
        assertEquals(100 * (1 + Math.pow(XP_CAP - 2.5, 3) / 100_000), r.rate(at(TP_CAP - 0.5)), 1e-6);
        assertEquals(115.0, r.rate(at(TP_CAP)), 1e-6);
        // past xP the excess over Wmax (15/s) doubles every 0.45 s: 130/s, 160/s, 220/s, then maxRate
        assertEquals(130.0, r.rate(at(TP_CAP + 0.45)), 1e-6);
        assertEquals(160.0, r.rate(at(TP_CAP + 0.9)), 1e-6);
        assertEquals(220.0, r.rate(at(TP_CAP + 1.35)), 1e-6);
        assertEquals(1000.0, r.rate(at(TP_CAP + 3)));
        // the cubic alone would be at 124.8/s 0.9 s past xP
        assertEquals(124.80032152917985, 100 * (1 + Math.pow(XP_CAP + 4.5, 3) / 100_000), 1e-9);
    }

    @Test
    void theFastProbesDoublingTimeScalesWithTheCubeRootOfC() {
        // C = 500: D = 0.45 * cbrt(0.005) = 0.0769 s, xP = cbrt(75) past K = 0.2 cbrt(50)
        AdaptiveRateLimit r = limit(LimiterConfig.builder().maxRate(1000));
        r.throttled(0L, 0L, false);
        r.cut(0L, 100);
        double d = 0.45 * Math.cbrt(0.005);
        assertEquals(0.07694891760045136, d, 1e-12);
        double tp = 0.2 * Math.cbrt(50) + 0.2 * Math.cbrt(75);
        assertEquals(130.0, r.rate(at(tp + d)), 1e-6);
        assertEquals(160.0, r.rate(at(tp + 2 * d)), 1e-6);
    }

    @Test
    void aThrottleBeforeTheFastPointKeepsTheRecoveryOnTheCubic() {
        AdaptiveRateLimit r = atCapAfterAThrottle(false, 10_000_000L);
        r.cut(0L, 100);
        r.throttled(at(TP_CAP - 0.001), at(TP_CAP - 0.011), false);
        assertFalse(r.fast());
        assertEquals(124.80032152917985, r.rate(at(TP_CAP + 0.9)), 1e-6);
        // the next cut may probe fast again (the last throttle had no Retry-After and a 10 ms round trip)
        r.cut(at(20), 100);
        assertTrue(r.fast());
    }

    @Test
    void theFirstThrottleDuringTheFastProbeSlowsItToTheCubicsPace() {
        AdaptiveRateLimit r = atCapAfterAThrottle(false, 10_000_000L);
        r.cut(0L, 100);
        long ts = at(TP_CAP + 0.9);
        r.throttled(ts, ts - 10_000_000L, false);
        assertTrue(r.fast(), "slowed, not off");
        // from 160/s on, at the pace the cubic had at xP: 160 (1 + (xP + (t - ts) / 0.2)^3 / C) / 1.15
        assertEquals(160.0, r.rate(ts), 1e-6);
        assertEquals(175.44064285093285, r.rate(ts + S), 1e-6);
        // a second throttle changes nothing
        r.throttled(ts + S / 2, ts + S / 2 - 10_000_000L, false);
        assertEquals(175.44064285093285, r.rate(ts + S), 1e-6);
        // before the throttle the probe's own curve still holds
        assertEquals(130.0, r.rate(at(TP_CAP + 0.45)), 1e-6);
        // a cut starts a fresh curve: not slowed
        r.cut(ts + 2 * S, 150);
        assertEquals(172.5, r.rate(ts + 2 * S + at(TP_CAP)), 1e-6);
    }

    @Test
    void retryAfterOrALongRoundTripKeepsTheRecoveryOnTheCubic() {
        AdaptiveRateLimit withRetryAfter = atCapAfterAThrottle(true, 10_000_000L);
        withRetryAfter.cut(0L, 100);
        assertFalse(withRetryAfter.fast());
        assertEquals(124.80032152917985, withRetryAfter.rate(at(TP_CAP + 0.9)), 1e-6);
        // D / 4 = 112.5 ms at C = 100000
        AdaptiveRateLimit quick = atCapAfterAThrottle(false, 112_000_000L);
        quick.cut(0L, 100);
        assertTrue(quick.fast());
        AdaptiveRateLimit slow = atCapAfterAThrottle(false, 113_000_000L);
        slow.cut(0L, 100);
        assertFalse(slow.fast());
        assertEquals(124.80032152917985, slow.rate(at(TP_CAP + 0.9)), 1e-6);
    }

    @Test
    void noThrottleHeardMeansNoFastProbe() {
        AdaptiveRateLimit r = limit(LimiterConfig.builder().maxRate(1000));
        r.cut(0L, 100);
        assertFalse(r.fast());
        double tp = 0.2 * Math.cbrt(50) + 0.2 * Math.cbrt(75);
        double x = Math.cbrt(75) + 1;
        assertEquals(100 * (1 + x * x * x / 500), r.rate(at(tp + 0.2)), 1e-6);
    }

    @Test
    void hostileGrantTimesReadAsAnInstantOrAnEndlessRoundTrip() {
        AdaptiveRateLimit future = atCapAfterAThrottle(false, 0L);
        future.throttled(S, 5 * S, false); // granted after its answer: no delay
        future.cut(S, 100);
        assertTrue(future.fast());
        AdaptiveRateLimit ancient = atCapAfterAThrottle(false, 0L);
        ancient.throttled(S, Long.MIN_VALUE, false); // S - Long.MIN_VALUE overflows: the longest round trip
        ancient.cut(S, 100);
        assertFalse(ancient.fast());
        assertEquals(124.80032152917985, ancient.rate(S + at(TP_CAP + 0.9)), 1e-6);
    }

    @Test
    void resetForgetsTheThrottlesHeard() {
        AdaptiveRateLimit r = atCapAfterAThrottle(false, 10_000_000L);
        r.reset();
        r.cut(0L, 30);
        assertFalse(r.fast(), "no throttle heard since the reset");
    }
}
