package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the cubic recovery of {@link AdaptiveRateLimit} to exact numbers:
 * {@code rate(t) = clamp(Wmax + (t - t0 - K)^3 / C, minRate, maxRate)}, {@code K = cbrt(Wmax (1 - beta) C)}.
 */
class AdaptiveRateLimitTest {

    private static final long S = 1_000_000_000L;
    private static final double EPS = 1e-9;
    /** K for 60/s, beta 0.7, C 500: cbrt(60 * 0.3 * 500) = cbrt(9000). */
    private static final double K_60_500 = 20.800838230519037;

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
    void firstRecoveryTakesCbrtOf9000SecondsBackTo60() {
        AdaptiveRateLimit r = defaultLimit();
        long t0 = 7 * S;
        r.cut(t0);
        assertEquals(Math.cbrt(9000), K_60_500, 1e-12);
        assertEquals(K_60_500, r.secondsToLastMax(), EPS);
        long back = t0 + Math.round(K_60_500 * 1e9);
        assertEquals(60.0, r.rate(back), EPS);
        // one millisecond early the rate is (just) below the old peak
        assertTrue(r.rate(back - 1_000_000L) < 60.0);
    }

    @Test
    void recoveryFollowsTheCubicAtGivenTimes() {
        AdaptiveRateLimit r = defaultLimit();
        long t0 = 7 * S;
        r.cut(t0);
        // 60 + (t - K)^3 / 500, computed independently
        assertEquals(52.110120398188826, r.rate(t0 + 5 * S), EPS);
        assertEquals(57.47998932722193, r.rate(t0 + 10 * S), EPS);
        assertEquals(59.998972777821, r.rate(t0 + 20 * S), EPS);
        assertEquals(60 + Math.pow(5 - K_60_500, 3) / 500, r.rate(t0 + 5 * S), EPS);
        // past K the curve would probe above the old peak (61.56/s at 30 s), but maxRate caps it
        assertEquals(60.0, r.rate(t0 + 30 * S));
        assertEquals(60.0, r.rate(t0 + 3600 * S));
    }

    @Test
    void rateIsMonotonicDuringRecovery() {
        AdaptiveRateLimit r = defaultLimit();
        r.cut(0L);
        double prev = r.rate(0L);
        for (long t = S / 10; t <= 40 * S; t += S / 10) {
            double now = r.rate(t);
            assertTrue(now >= prev, "rate fell from " + prev + " to " + now + " at " + t);
            prev = now;
        }
    }

    @Test
    void aCutDuringRecoveryStartsFromTheCurrentRate() {
        AdaptiveRateLimit r = defaultLimit();
        r.cut(0L);
        double at5 = 52.110120398188826;
        assertEquals(at5 * 0.7, r.cut(5 * S), EPS);
        assertEquals(at5, r.lastMax(), EPS);
        assertEquals(1000.0, r.scale());
        double k = Math.cbrt(at5 * 0.3 * 1000);
        assertEquals(k, r.secondsToLastMax(), EPS);
        assertEquals(at5, r.rate(5 * S + Math.round(k * 1e9)), EPS);
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
        assertEquals(Math.cbrt(60 * 0.3 * 200), r.secondsToLastMax(), EPS);
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
        assertEquals(Math.cbrt(100 * 0.5 * 500), r.secondsToLastMax(), EPS);
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
        // the scale starts over at 500
        assertEquals(42.0, r.cut(3 * S), EPS);
        assertEquals(500.0, r.scale());
    }
}
