package io.github.camelratelimit.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FixedWindowLimitTest {

    private static final long S = 1_000_000_000L;

    @Test
    void countsDownWithinAWindowAndResetsAtTheBoundary() {
        FixedWindowLimit w = new FixedWindowLimit(3, 10 * S, 100L);
        ServerLimit.Verdict first = w.admit(100L);
        assertTrue(first.allowed());
        assertEquals(2, first.remaining());
        assertEquals(10 * S, first.resetNanos());
        assertEquals(3, first.limit());
        assertEquals(10, first.windowSeconds());
        assertEquals(1, w.admit(100L + 4 * S).remaining());
        assertEquals(0, w.admit(100L + 4 * S).remaining());
        ServerLimit.Verdict throttled = w.admit(100L + 7 * S);
        assertFalse(throttled.allowed());
        assertEquals(3 * S, throttled.retryAfterNanos());
        assertFalse(w.admit(100L + 10 * S - 1).allowed());
        ServerLimit.Verdict next = w.admit(100L + 10 * S);
        assertTrue(next.allowed());
        assertEquals(2, next.remaining());
        assertEquals(10 * S, next.resetNanos());
    }

    @Test
    void restartOpensAFreshWindowAtTheGivenTime() {
        FixedWindowLimit w = new FixedWindowLimit(1, S, 0L);
        assertTrue(w.admit(0L).allowed());
        assertFalse(w.admit(500_000_000L).allowed());
        w.restart(600_000_000L);
        ServerLimit.Verdict v = w.admit(600_000_000L);
        assertTrue(v.allowed());
        assertEquals(S, v.resetNanos());
    }

    @Test
    void subSecondWindowsReportOneSecond() {
        FixedWindowLimit w = new FixedWindowLimit(5, S / 4, 0L);
        assertEquals(1, w.admit(0L).windowSeconds());
        assertEquals(20.0, w.capacityAt(0L));
    }
}
