package io.github.camelratelimit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import io.github.camelratelimit.simulator.ProviderSimulator.RetryAfterMode;
import org.junit.jupiter.api.Test;

/** The benchmark's own arithmetic: what the report calls goodput, 429s per 100, convergence and slips. */
class MetricsTest {

    /** A trace whose per-second 2xx follow the capacity exactly, with 429s where asked. */
    private static AdaptiveScenario.Trace trace(long[] ok, long[] throttled) {
        AdaptiveScenario.Spec spec = new AdaptiveScenario.Spec("t", "t", RetryAfterMode.NONE, () -> null, 1);
        return new AdaptiveScenario.Trace(spec, ok, throttled, new double[0], new double[0], 0, 1, 2, 0);
    }

    private static long[] perfect() {
        long[] ok = new long[AdaptiveScenario.SECONDS];
        for (int s = 0; s < ok.length; s++) {
            ok[s] = (long) AdaptiveScenario.capacityAt(s);
        }
        return ok;
    }

    @Test
    void aClientThatServesExactlyTheCapacityScoresOne() {
        AdaptiveScenario.Trace t = trace(perfect(), new long[AdaptiveScenario.SECONDS]);
        assertEquals(1.0, t.steadyGoodput(), 1e-12);
        assertEquals(1.0, t.overallGoodput(), 1e-12);
        assertEquals(0.0, t.throttledPer100(), 1e-12);
        assertEquals(0.0, t.dropConvergence());
        assertEquals(0.0, t.riseConvergence());
        assertEquals(3450.0, AdaptiveScenario.capacityIntegral());
        assertEquals(3, t.lost());
    }

    @Test
    void dropConvergenceIsTheStartOfTheLastGoodStretch() {
        long[] ok = perfect();
        long[] th = new long[AdaptiveScenario.SECONDS];
        th[16] = 5;  // windows starting at 14..16 are bad (5 > 2 % of about 60)
        th[20] = 5;  // windows starting at 18..20 are bad: converged for good from 21
        AdaptiveScenario.Trace t = trace(ok, th);
        assertEquals(6.0, t.dropConvergence());
        assertEquals(100.0 * 10 / Arrays.stream(ok).sum(), t.throttledPer100(), 1e-12);
        th[28] = 5;  // the last window [27, 30) is bad: never converged within the phase
        assertTrue(Double.isNaN(trace(ok, th).dropConvergence()));
    }

    @Test
    void riseIsTheFirstWindowAtNinetyPerCentOfTheNewCapacity() {
        long[] ok = perfect();
        for (int s = 30; s < 40; s++) {
            ok[s] = 20;
        }
        ok[40] = 72;
        ok[41] = 72;
        assertEquals(10.0, trace(ok, new long[AdaptiveScenario.SECONDS]).riseConvergence());
        for (int s = 30; s < 60; s++) {
            ok[s] = 71;
        }
        assertTrue(Double.isNaN(trace(ok, new long[AdaptiveScenario.SECONDS]).riseConvergence()));
    }

    @Test
    void slipsCountGapsAboveOneAndAHalfIntervals() {
        // 100/s: interval 10 ms; gaps of 10, 15 (not a slip), 16 and 30 ms; the first gap is before 'from'
        long ms = 1_000_000L;
        long[] grants = {0, 10 * ms, 25 * ms, 41 * ms, 71 * ms};
        assertEquals(2, AccuracyScenario.slips(grants, 0, 100));
        assertEquals(1, AccuracyScenario.slips(grants, 50 * ms, 100));
    }
}
