package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the cubic recovery of {@link AdaptiveRateLimit} to exact numbers:
 * {@code rate(t) = clamp(Wmax (1 + ((t - t0 - K) / 0.2)^3 / C), minRate, maxRate)}, {@code K = 0.2 cbrt((1 - b) C)}.
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
}
