package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LimiterState}: GCRA grid, window guard, pauses, one cut per congestion event, strict quota, snapshot, reset. */
class LimiterStateTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static LimiterState state(LimiterConfig.Builder b) {
        return new LimiterState(b.build());
    }

    /** maxRate 10/s: one permit per 100 ms. */
    private static LimiterState tenPerSecond() {
        return state(LimiterConfig.builder().maxRate(10));
    }

    private static void assertGranted(Acquisition a, long at) {
        assertTrue(a.granted(), "expected a grant at " + at + ", got " + a);
        assertEquals(at, a.grantedAt());
        assertEquals(0L, a.waitNanos());
        assertEquals(Acquisition.WaitReason.NONE, a.reason());
    }

    private static void assertWait(Acquisition a, long wait, Acquisition.WaitReason reason) {
        assertFalse(a.granted(), "expected a wait, got " + a);
        assertEquals(wait, a.waitNanos());
        assertEquals(reason, a.reason());
    }

    private static Feedback throttle(Acquisition granted, long retryAfterNanos) {
        return Feedback.throttled(granted.grantedAt(), 429, retryAfterNanos);
    }

    // ---- pacing ----

    @Test
    void aCallThatStartedLateKeepsTheNextGrantAWindowAfterItsStart() {
        // maxRate 1/s: at most 1 grant per W' = 1.001 s; the call of the grant at 0 started 5 ms late
        LimiterState s = state(LimiterConfig.builder().maxRate(1));
        assertGranted(s.tryAcquire(0), 0);
        s.started(0, 5 * MS);
        // 1 s after the late start (1.005 s), not 1.001 s after the grant (its lateness replaces the guard)
        assertWait(s.tryAcquire(S), 5 * MS, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(S + 5 * MS), S + 5 * MS);
        // the lateness is over once its start left every window (5 ms + 1.001 s): back to the grant + 1.001 s
        assertWait(s.tryAcquire(2 * S + 5 * MS), MS, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(2 * S + 6 * MS), 2 * S + 6 * MS);
    }

    @Test
    void aLateStartStillHoldsWhenTheNextGrantIsAskedForAfterTheUnlengthenedWindow() {
        // maxRate 2/s: 2 grants per W' = 1.001 s; the call of the grant at 0 started 5 ms late, so the third
        // grant waits for 0 + 1.001 s + 4 ms. Asked at 1.003 s, the grant at 0 is older than W' but still inside
        // the lengthened window: the guard must still count it (it once forgot every grant older than W')
        LimiterState s = state(LimiterConfig.builder().maxRate(2));
        assertGranted(s.tryAcquire(0), 0);
        s.started(0, 5 * MS);
        assertGranted(s.tryAcquire(500 * MS), 500 * MS);
        assertWait(s.tryAcquire(1003 * MS), 2 * MS, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(1005 * MS), 1005 * MS);
    }

    @Test
    void aLateStartStillHoldsTheQuotaWhenAskedAfterTheUnlengthenedWindow() {
        // quota 2 per 1 s (guarded 1.001 s); the first call started 10 ms late: the third waits for 1.010 s
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        assertGranted(s.tryAcquire(0), 0);
        s.started(0, 10 * MS);
        assertGranted(s.tryAcquire(MS), MS);
        assertWait(s.tryAcquire(1005 * MS), 5 * MS, Acquisition.WaitReason.QUOTA);
        assertGranted(s.tryAcquire(1010 * MS), 1010 * MS);
    }

    @Test
    void aLateStartLengthensAWindowByAtMostATwentiethOfIt() {
        // a call queued 3 s in a worker pool too small for slow calls: the window grows by 50 ms, not 3 s
        LimiterState s = state(LimiterConfig.builder().maxRate(1).quota(2).quotaWindow(Duration.ofSeconds(10)));
        assertGranted(s.tryAcquire(0), 0);
        s.started(0, 3 * S);
        assertWait(s.tryAcquire(S), 51 * MS, Acquisition.WaitReason.PACING); // 1.001 s + 50 ms
        assertGranted(s.tryAcquire(1051 * MS), 1051 * MS);
        // the quota (2 per 10 s, guard 10 ms): the oldest start + 10.01 s + 500 ms (a twentieth of 10 s)
        assertWait(s.tryAcquire(2100 * MS), 8410 * MS, Acquisition.WaitReason.QUOTA);
    }

    @Test
    void aCallThatStartedWithinTheGuardChangesNothing() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1));
        assertGranted(s.tryAcquire(0), 0);
        s.started(0, MS); // 1 ms late: what the guard of 1/1000 is for
        s.started(0, -MS); // a start before its grant (another clock's stamp): ignored
        assertWait(s.tryAcquire(S), MS, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(S + MS), S + MS);
    }

    @Test
    void aLateStartLengthensTheQuotaWindowToo() {
        // quota 2 per 1 s (guarded 1.001 s); the second call started 30 ms after its grant at 1 ms
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        assertGranted(s.tryAcquire(0), 0);
        assertGranted(s.tryAcquire(MS), MS);
        s.started(MS, 31 * MS);
        // the oldest start (0) + 1.001 s + the lateness beyond the quota's 1 ms guard (29 ms)
        assertWait(s.tryAcquire(500 * MS), 530 * MS, Acquisition.WaitReason.QUOTA);
        assertGranted(s.tryAcquire(1030 * MS), 1030 * MS);
    }

    @Test
    void intervalIsOneSecondOverTheRate() {
        assertEquals(100 * MS, LimiterState.intervalNanos(10));
        assertEquals(16_666_667L, LimiterState.intervalNanos(60));
        assertEquals(142_857_143L, LimiterState.intervalNanos(7));
        assertEquals(1_000L, LimiterState.intervalNanos(1_000_000));
        assertEquals(S, LimiterState.intervalNanos(1));
        // clamped to [1 ns, 1 day]
        assertEquals(1L, LimiterState.intervalNanos(1e10));
        assertEquals(1L, LimiterState.intervalNanos(Double.POSITIVE_INFINITY));
        assertEquals(86_400 * S, LimiterState.intervalNanos(1e-9));
        assertEquals(86_400 * S, LimiterState.intervalNanos(0));
    }

    @Test
    void pacesAtOneIntervalPerPermit() {
        LimiterState s = tenPerSecond();
        Acquisition first = s.tryAcquire(0L);
        assertGranted(first, 0L);
        assertEquals(100 * MS, first.intervalNanos());
        Acquisition next = s.tryAcquire(0L);
        assertWait(next, 100 * MS, Acquisition.WaitReason.PACING);
        assertEquals(100 * MS, next.intervalNanos());
        assertEquals(0L, next.grantedAt());
        assertWait(s.tryAcquire(100 * MS - 1), 1L, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(100 * MS), 100 * MS);
        assertWait(s.tryAcquire(100 * MS), 100 * MS, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(200 * MS), 200 * MS);
    }

    @Test
    void aCallerLateByLessThanOneIntervalStaysOnTheGrid() {
        LimiterState s = tenPerSecond();
        assertGranted(s.tryAcquire(0L), 0L);
        // due at 100 ms, comes at 150 ms: the next slot is still 200 ms, not 250 ms
        assertGranted(s.tryAcquire(150 * MS), 150 * MS);
        assertWait(s.tryAcquire(150 * MS), 50 * MS, Acquisition.WaitReason.PACING);
        // due at 200 ms, comes 1 ns before 300 ms: the next slot is 300 ms
        assertGranted(s.tryAcquire(300 * MS - 1), 300 * MS - 1);
        assertWait(s.tryAcquire(300 * MS - 1), 1L, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(300 * MS), 300 * MS);
    }

    @Test
    void aCallerLateByOneIntervalOrMoreRestartsTheGrid() {
        LimiterState s = tenPerSecond();
        assertGranted(s.tryAcquire(0L), 0L);
        // due at 100 ms, comes at 250 ms: no burst to catch up, the next slot is 350 ms
        assertGranted(s.tryAcquire(250 * MS), 250 * MS);
        assertWait(s.tryAcquire(250 * MS), 100 * MS, Acquisition.WaitReason.PACING);
        // due at 350 ms, comes exactly one interval late (450 ms): restarts too, next slot 550 ms
        assertGranted(s.tryAcquire(450 * MS), 450 * MS);
        assertWait(s.tryAcquire(450 * MS), 100 * MS, Acquisition.WaitReason.PACING);
    }

    // ---- the window guard: never more than the rate in any window ----

    /** An eager caller from {@code from}: takes every permit as soon as it is offered, before {@code until}. */
    private static List<Long> take(LimiterState s, long from, long until) {
        List<Long> grants = new ArrayList<>();
        long now = from;
        while (now < until) {
            Acquisition a = s.tryAcquire(now);
            if (a.granted()) {
                grants.add(now);
            } else {
                now += a.waitNanos();
            }
        }
        return grants;
    }

    private static List<Long> ms(double... millis) {
        List<Long> out = new ArrayList<>();
        for (double m : millis) {
            out.add(Math.round(m * MS));
        }
        return out;
    }

    /**
     * The grid alone: a caller woken 99.999 ms late is granted, and the on-grid grants after it catch up, so the
     * window [199.999 ms, 1199.999 ms) held 11 grants at 10/s. The guard lets the catch-up happen (the grant at
     * 200 ms) but holds the 11th grant in any 1.001 s back.
     */
    @Test
    void aLateWakeUpIsMadeUpButNeverPutsRatePlusOneIntoAWindow() {
        LimiterState s = tenPerSecond();
        assertGranted(s.tryAcquire(0L), 0L);
        // due at 100 ms, woken at 199.999 ms: granted, and the grid keeps the next slot at 200 ms
        List<Long> grants = take(s, 199_999_000L, 2_400 * MS);
        grants.add(0, 0L);
        // 10 grants in (0 - 1.001 s, 900 ms]: the 11th waits for the first to be 1.001 s old (1001 ms, not the
        // grid's 1000 ms); the 12th for the late one (1200.999 ms, a grid restart), then the grid again
        assertEquals(ms(0, 199.999, 200, 300, 400, 500, 600, 700, 800, 900, 1001, 1200.999, 1300.999, 1400.999,
                1500.999, 1600.999, 1700.999, 1800.999, 1900.999, 2000.999, 2100.999, 2201.999, 2301.999),
                grants);
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 10, 1_001 * MS);
        assertWait(s.tryAcquire(2_301_999_000L), 100 * MS, Acquisition.WaitReason.PACING); // 1400.999 + 1001 ms
    }

    /** After a partial idle gap (less than an interval), a burst: the grid's catch-up, then the window again. */
    @Test
    void aBurstAfterAShortIdleGapStaysWithinTheRate() {
        LimiterState s = tenPerSecond();
        assertGranted(s.tryAcquire(0L), 0L);
        List<Long> grants = take(s, 150 * MS, 1_500 * MS);
        grants.add(0, 0L);
        // without the guard: 0, 150, 200, ..., 1000, 1100 (11 in [150 ms, 1150 ms)); each grant from the 11th on
        // waits until the one 10 places before it is 1.001 s old, or for the grid, whichever is later
        assertEquals(ms(0, 150, 200, 300, 400, 500, 600, 700, 800, 900, 1001, 1151, 1201, 1301, 1401), grants);
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 10, 1_001 * MS);
    }

    /** After a long idle gap, saturated: 10 grants per 1.001 s; the guard costs exactly 1 ms per second. */
    @Test
    void saturatedAtAWholeRateTheGuardCostsOneMillisecondPerSecond() {
        LimiterState s = tenPerSecond();
        assertGranted(s.tryAcquire(0L), 0L);
        List<Long> grants = take(s, 5 * S, 25 * S);
        for (int k = 0; k < grants.size(); k++) {
            assertEquals(5 * S + k * 100 * MS + (k / 10) * MS, (long) grants.get(k), "grant " + k);
        }
        assertEquals(200, grants.size()); // 200 in 20 s: 10 / 1.001 per second
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 10, 1_001 * MS);
    }

    /** Below 1/s the window is one interval (n = 1): a late grant never lets the next one come early. */
    @Test
    void belowOnePerSecondGrantsAreStrictlySpaced() {
        LimiterState s = state(LimiterConfig.builder().minRate(0.5).maxRate(0.5)); // 2 s
        assertGranted(s.tryAcquire(0L), 0L);
        // due at 2 s, comes at 3.5 s: granted; the grid says 4 s next, the window 3.5 + 2.002 s
        assertGranted(s.tryAcquire(3_500 * MS), 3_500 * MS);
        assertWait(s.tryAcquire(3_500 * MS), 2_002 * MS, Acquisition.WaitReason.PACING);
        List<Long> grants = take(s, 5_502 * MS, 12 * S);
        assertEquals(ms(5_502, 7_504, 9_506, 11_508), grants);
        // exactly 1/s: one grant per 1.001 s
        LimiterState one = state(LimiterConfig.builder().maxRate(1));
        assertGranted(one.tryAcquire(0L), 0L);
        assertGranted(one.tryAcquire(1_900 * MS), 1_900 * MS);
        assertWait(one.tryAcquire(1_900 * MS), 1_001 * MS, Acquisition.WaitReason.PACING);
    }

    /**
     * A lower rate paces at once (the grid) and its window limit counts from 1.001 s after the last grant made
     * under the higher limit: the decrease never becomes a pause. Then 5 per 1.001 s.
     */
    @Test
    void aLowerRatePacesAtOnceAndCountsInTheWindowOnceTheHigherOneIsOld() {
        LimiterState s = state(LimiterConfig.builder().maxRate(10).quotaSafetyMargin(0));
        List<Long> before = take(s, 0L, 950 * MS);
        assertEquals(ms(0, 100, 200, 300, 400, 500, 600, 700, 800, 900), before);
        s.applyProviderQuota(new ProviderQuota(5, -1, -1, S), 950 * MS); // 5 per s
        assertEquals(5.0, s.rate(950 * MS));
        // counting the last second's 10 grants against 5 would hold everything until 1501 ms; the higher limit
        // (10 per 1.001 s) holds until 1.001 s after its last grant (900 ms)
        List<Long> after = take(s, 950 * MS, 3_000 * MS);
        assertEquals(ms(1001, 1200, 1400, 1600, 1800, 2002, 2201, 2401, 2601, 2801), after);
        List<Long> all = new ArrayList<>(before);
        all.addAll(after);
        SlidingWindowQuotaTest.assertMaxPerWindow(all, 10, 1_001 * MS);
        // from 1.001 s after 900 ms on (1901 ms), every window of 1.001 s ending at a grant holds at most 5
        for (long t : all) {
            if (t >= 1_901 * MS) {
                long end = t;
                assertTrue(all.stream().filter(g -> g > end - 1_001 * MS && g <= end).count() <= 5, "at " + t);
            }
        }
        // a higher rate counts at once: 20 per s at 3001 ms (the grid of 5/s), not 5 per 1.001 s (3003 ms)
        s.applyProviderQuota(new ProviderQuota(20, -1, -1, S), 2_801 * MS);
        assertGranted(s.tryAcquire(3_001 * MS), 3_001 * MS);
    }

    /** Random wake-up lateness (up to 50 us) at 1,000/s: never 1,001 in 1 s, and the rate stays above 0.998. */
    @Test
    void lateWakeUpsCostLittleAndNeverBreakTheWindow() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        SplittableRandom random = new SplittableRandom(7);
        List<Long> grants = new ArrayList<>();
        long now = 0;
        while (now < 20 * S) {
            Acquisition a = s.tryAcquire(now);
            if (a.granted()) {
                grants.add(now);
            } else {
                now += a.waitNanos() + random.nextLong(50_000);
            }
        }
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 1000, 1_001 * MS);
        double achieved = (grants.size() - 1) / ((grants.get(grants.size() - 1) - grants.get(0)) / 1e9);
        // 1000 / (1.001 + mean lateness 25 us per window) = 998.98/s
        assertTrue(achieved >= 998.9 && achieved <= 1000, "achieved " + achieved);
    }

    /** At a rate the window does not bind (n / W' above it), late wake-ups below one interval are made up fully. */
    @Test
    void belowTheWindowLimitLateWakeUpsAreMadeUpFully() {
        LimiterState s = state(LimiterConfig.builder().maxRate(10.5)); // 95,238,095 ns; n = 11 per 1.001 s
        SplittableRandom random = new SplittableRandom(11);
        List<Long> grants = new ArrayList<>();
        long now = 0;
        while (grants.size() < 1_000) {
            Acquisition a = s.tryAcquire(now);
            if (a.granted()) {
                grants.add(now);
            } else {
                now += a.waitNanos() + random.nextLong(40 * MS);
            }
        }
        // the 1000th grant is on the grid of the first, late by less than one interval
        long grid = 999 * 95_238_095L;
        assertTrue(grants.get(999) >= grid && grants.get(999) < grid + 95_238_095L, "last " + grants.get(999));
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 11, 1_001 * MS);
    }

    /** Above 65,536/s the guard remembers 65,536 grants: they must span 1.001 s * 65,536 / n (approximate). */
    @Test
    void aboveTheMemoryTheGuardBoundsTheAverage() {
        LimiterState s = state(LimiterConfig.builder().maxRate(100_000)); // 10 us
        List<Long> grants = take(s, 0L, 2 * S);
        long span = 1_001_000_000L * 65_536 / 100_000; // 656,015,360 ns
        assertEquals(656_015_360L, span);
        // each grant waits for the one 65,536 places before it to be span old: 99,900 per second
        long[] expected = new long[3 * 65_536 + 3_196];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (i / 65_536) * span + (i % 65_536) * 10_000L;
        }
        assertArrayEquals(expected, grants.stream().mapToLong(Long::longValue).toArray());
        SlidingWindowQuotaTest.assertMaxPerWindow(grants, 100_000, S);
    }

    /**
     * Above the memory the guard looks back over k / n of W', so a late start lengthens that by k / n of its excess:
     * at 131,072/s (k / n = 1/2) a start 21 ms late (20 ms past the 1 ms guard) adds 10 ms, not 20.
     */
    @Test
    void aboveTheMemoryALateStartLengthensTheGuardInProportion() {
        LimiterState s = state(LimiterConfig.builder().maxRate(131_072)); // interval round(1e9 / 131,072) = 7,629 ns
        assertGranted(s.tryAcquire(0L), 0L);
        s.started(0L, 21_000_000L);
        for (long i = 1; i < 65_536; i++) {
            assertGranted(s.tryAcquire(i * 7_629L), i * 7_629L);
        }
        long now = 65_536L * 7_629L; // 499,974,144: the 65,537th grant, 65,536 after the one at 0
        // 0 + W' * k / n (500,500,000) + 20 ms * k / n
        assertWait(s.tryAcquire(now), 510_500_000L - now, Acquisition.WaitReason.PACING);
    }

    // ---- pauses ----

    @Test
    void aThrottleWithRetryAfterPausesEveryAcquireUntilItEnds() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, 5 * S), 10 * MS), "a lone throttle opens an event, it does not cut");
        // paused until 5.01 s, for every caller, whatever the pacing says
        assertWait(s.tryAcquire(100 * MS), 4_910 * MS, Acquisition.WaitReason.PAUSED);
        assertWait(s.tryAcquire(3 * S), 2_010 * MS, Acquisition.WaitReason.PAUSED);
        assertWait(s.tryAcquire(5_010 * MS - 1), 1L, Acquisition.WaitReason.PAUSED);
        assertEquals(4_910 * MS, s.snapshot(100 * MS).pauseRemainingNanos());
        assertGranted(s.tryAcquire(5_010 * MS), 5_010 * MS);
        assertEquals(0L, s.snapshot(5_010 * MS).pauseRemainingNanos());
        // after the pause, pacing again
        assertEquals(Acquisition.WaitReason.PACING, s.tryAcquire(5_010 * MS).reason());
    }

    @Test
    void aPauseIsClampedByMaxPause() {
        LimiterState s = state(LimiterConfig.builder().maxRate(10).maxPause(Duration.ofSeconds(2)));
        Acquisition a = s.tryAcquire(0L);
        s.record(throttle(a, Duration.ofHours(1).toNanos()), 0L);
        assertWait(s.tryAcquire(0L), 2 * S, Acquisition.WaitReason.PAUSED);
        // a hostile huge value neither overflows nor stalls
        s.record(throttle(a, Long.MAX_VALUE), S);
        assertWait(s.tryAcquire(S), 2 * S, Acquisition.WaitReason.PAUSED);
        assertGranted(s.tryAcquire(3 * S), 3 * S);
    }

    @Test
    void aPauseIsNeverShortened() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        s.record(throttle(a, 5 * S), 0L);
        s.record(throttle(a, S), 0L);
        s.pauseUntil(0L, 2 * S);
        assertWait(s.tryAcquire(0L), 5 * S, Acquisition.WaitReason.PAUSED);
        // but lengthened
        s.pauseUntil(S, 6 * S);
        assertWait(s.tryAcquire(S), 6 * S, Acquisition.WaitReason.PAUSED);
    }

    @Test
    void noOrZeroOrNegativeRetryAfterDoesNotPause() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        s.record(throttle(a, -1L), 0L);
        s.record(throttle(a, 0L), 0L);
        s.pauseUntil(0L, -5 * S);
        Acquisition next = s.tryAcquire(0L);
        assertEquals(Acquisition.WaitReason.PACING, next.reason());
        assertEquals(0L, s.snapshot(0L).pauseRemainingNanos());
    }

    // ---- one cut per congestion event ----

    @Test
    void oneCutPerCongestionEventConfirmedByASecondThrottle() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000)); // signalCooldown 1 s
        Acquisition a = s.tryAcquire(0L);
        Acquisition b = s.tryAcquire(100 * MS);
        assertFalse(s.record(throttle(a, -1), 200 * MS), "the first throttle opens the event");
        assertEquals(1000.0, s.rate(200 * MS));
        assertEquals(1000.0, s.snapshot(200 * MS).scale(), "the scale doubles on the first throttle");
        // b was granted before the event opened: in flight with a, it confirms nothing
        assertFalse(s.record(throttle(b, -1), 250 * MS));
        Acquisition c = s.tryAcquire(250 * MS);
        // c was granted after, but its 429 comes 80 ms after the event opened: too soon to measure
        assertFalse(s.record(throttle(c, -1), 280 * MS));
        Acquisition d = s.tryAcquire(300 * MS);
        // d's 429 comes 200 ms after the event opened, but nothing was accepted since: (4 - 2) grants - (4 - 1)
        // throttles; the event waits for 8 accepted calls, 16 throttles or 1 s
        assertFalse(s.record(throttle(d, -1), 400 * MS));
        Acquisition d2 = s.tryAcquire(450 * MS);
        // d2 confirms the event 1 s after it opened: accepted = (5 - 2) - (5 - 1) < 0, no usable estimate, so
        // the cut keeps decreaseFactor of the rate
        assertFalse(s.record(throttle(d2, -1), 1_200 * MS - 1), "1 ns short of 1 s");
        assertTrue(s.record(throttle(d2, -1), 1_200 * MS));
        assertEquals(700.0, s.rate(1_200 * MS), 1e-9);
        Acquisition e = s.tryAcquire(1_150 * MS);
        // e was granted before the cut: part of the answered event, however late its 429 arrives
        assertFalse(s.record(throttle(e, -1), 10 * S));
        assertEquals(1, s.snapshot(10 * S).cuts());
        // the next event: opened at 1.7 s, confirmed 0.2 s later by 8 accepted calls, but within the cooldown
        // after the cut
        Acquisition f = s.tryAcquire(1_300 * MS);
        assertFalse(s.record(throttle(f, -1), 1_700 * MS));
        grantEvery(s, 1_710 * MS, 2 * MS, 8);
        Acquisition g = s.tryAcquire(1_750 * MS);
        assertFalse(s.record(throttle(g, -1), 1_900 * MS));
        Acquisition h = s.tryAcquire(1_950 * MS);
        assertTrue(s.record(throttle(h, -1), 2_200 * MS), "one cooldown after the cut");
        LimiterSnapshot snap = s.snapshot(2_200 * MS);
        assertEquals(2, snap.cuts());
        assertEquals(10, snap.throttled());
        // 500 doubled by each throttle that opened or cut an event: the second cut recovers with 4000
        assertEquals(4000.0, snap.scale());
    }

    @Test
    void theCutKeepsNineTenthsOfTheRateAcceptedBetweenTheTwoThrottles() {
        LimiterState s = state(LimiterConfig.builder().maxRate(100));
        List<Acquisition> grants = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // 10.01 ms apart: 100 in any 1.001 s, as the window guard allows
            Acquisition a = s.tryAcquire(i * 10_010_000L);
            assertGranted(a, i * 10_010_000L);
            grants.add(a);
            if (i == 99) {
                // the provider's bucket ran dry: the 100th call is throttled, the event opens at 1 s
                assertFalse(s.record(throttle(a, -1), S));
            }
        }
        // the next throttle, for the call granted at 1.992 s, arrives at 2 s: 99 calls accepted in 1 s
        assertTrue(s.record(throttle(grants.get(199), -1), 2 * S));
        assertEquals(0.9 * 99, s.rate(2 * S), 1e-9);
        // and the curve climbs back to the estimate after K = 0.2 cbrt(0.1 * 1000) s
        long k = Math.round(0.2 * Math.cbrt(0.1 * 1000) * 1e9);
        assertEquals(99.0, s.rate(2 * S + k), 1e-6);
    }

    /** maxRate 1000/s, calls 10.01 ms apart, one event measured at 99/s and cut at 2 s: Wmax 99, C 1000, next scale 2000. */
    private static LimiterState cutAt99(LimiterConfig.Builder b) {
        return cutAt99(b, -1L);
    }

    /** {@link #cutAt99(LimiterConfig.Builder)} with both throttles carrying {@code retryAfterNanos}. */
    private static LimiterState cutAt99(LimiterConfig.Builder b, long retryAfterNanos) {
        LimiterState s = state(b.maxRate(1000));
        Acquisition last = null;
        for (int i = 0; i < 200; i++) {
            last = s.tryAcquire(i * 10_010_000L);
            if (i == 99) {
                assertFalse(s.record(throttle(last, retryAfterNanos), S));
            }
        }
        assertTrue(s.record(throttle(last, retryAfterNanos), 2 * S));
        assertEquals(0.9 * 99, s.rate(2 * S), 1e-9);
        return s;
    }

    /** K of a cut to 0.9 Wmax with scale c, in ns. */
    private static long k(double c) {
        return Math.round(0.2 * Math.cbrt(0.1 * c) * 1e9);
    }

    @Test
    void aThrottleOfAProbeAboveTheMeasuredCapacityCutsAtOnce() {
        LimiterState s = cutAt99(LimiterConfig.builder());
        // 1 s past K the curve probes at 99 (1 + 5^3 / 1000) = 111.375/s, above Wmax and under 1.5 Wmax
        long t = 2 * S + k(1000) + S;
        assertEquals(111.375, s.rate(t), 1e-6);
        Acquisition p = s.tryAcquire(t);
        assertGranted(p, t);
        // its 429 is the probe finding the capacity again: one cut at once, back to 0.9 x 99, no second 429 needed
        assertTrue(s.record(throttle(p, -1), t + 10 * MS));
        assertEquals(0.9 * 99, s.rate(t + 10 * MS), 1e-9);
        LimiterSnapshot snap = s.snapshot(t + 10 * MS);
        assertEquals(2, snap.cuts());
        assertEquals(2000.0, snap.scale(), "one signal: the scale doubled once");
        // the new curve: back at 99/s after K with C = 2000
        assertEquals(99.0, s.rate(t + 10 * MS + k(2000)), 1e-6);
        // a call granted before this cut is part of the answered probe
        assertFalse(s.record(throttle(p, -1), t + 2 * S));
        assertEquals(2, s.snapshot(t + 2 * S).cuts());
    }

    @Test
    void aThrottleOnThePlateauOpensAnEventAsBefore() {
        // on the plateau (at or under Wmax): the capacity may have fallen, so measure it
        LimiterState plateau = cutAt99(LimiterConfig.builder());
        long t = 2 * S + k(1000) / 2;
        Acquisition a = plateau.tryAcquire(t);
        assertTrue(plateau.rate(t) < 99.0);
        assertFalse(plateau.record(throttle(a, -1), t + 10 * MS), "opens an event");
        assertEquals(1, plateau.snapshot(t + 10 * MS).cuts());
    }

    @Test
    void aThrottleFarAboveTheCapacityCutsAtOnceWhenTheAcceptedRateHasNotRisen() {
        // 2 s past K the cubic is at 99 (1 + 10^3 / 1000) = 198/s (the event's throttles had Retry-After, so no
        // fast probe), above 1.5 Wmax; since the cut the provider accepted nothing (one call, throttled): A = 0,
        // under 1.25 Wmax, so the probe drained a reserve of the provider's bucket: one cut at once, to 0.9 Wmax
        LimiterState s = cutAt99(LimiterConfig.builder(), 0L);
        long u = 2 * S + k(1000) + 2 * S;
        assertEquals(198.0, s.rate(u), 1e-6);
        Acquisition b = s.tryAcquire(u);
        assertTrue(s.record(throttle(b, -1), u + 10 * MS), "cuts at once");
        assertEquals(0.9 * 99, s.rate(u + 10 * MS), 1e-9);
        assertEquals(2, s.snapshot(u + 10 * MS).cuts());
        assertEquals(2000.0, s.snapshot(u + 10 * MS).scale(), "one signal: the scale doubled once");
        // a second overshoot in a row opens the event after all (a rise behind a small bucket reads low in A)
        long v = u + 10 * MS + k(2000) + 2500 * MS;
        assertTrue(s.rate(v) >= 1.5 * 99);
        Acquisition c = s.tryAcquire(v);
        assertFalse(s.record(throttle(c, -1), v + 10 * MS), "opens an event");
        assertEquals(2, s.snapshot(v + 10 * MS).cuts());
    }

    @Test
    void aThrottleFarAboveTheCapacityOpensAnEventWhenTheAcceptedRateHasRisen() {
        // an eager caller takes every permit from the cut on, through the fast probe (no Retry-After) up to
        // maxRate: the provider accepted all of them but the last, at least 1.25 Wmax on average: a rise, measured
        LimiterState s = cutAt99(LimiterConfig.builder());
        long t = 2 * S + fastPoint() + 700 * MS;
        List<Long> grants = take(s, 2 * S, t);
        long heard = t + 10 * MS;
        double accepted = (grants.size() - 1) / ((heard - 2 * S) / 1e9);
        assertTrue(accepted >= 1.25 * 99, "accepted " + accepted + "/s");
        assertTrue(s.rate(grants.get(grants.size() - 1)) >= 1.5 * 99);
        assertFalse(s.record(Feedback.throttled(grants.get(grants.size() - 1), 429, -1L), heard), "opens an event");
        assertEquals(1, s.snapshot(heard).cuts());
    }

    @Test
    void aThrottleFarAboveTheCapacityOpensAnEventAfterAPause() {
        // the same overshoot as above, but a Retry-After paused the limiter since the cut: A would read low
        LimiterState s = cutAt99(LimiterConfig.builder(), 0L);
        long u = 2 * S + k(1000) + 2 * S;
        s.pauseUntil(2 * S + 500 * MS, 100 * MS);
        Acquisition b = s.tryAcquire(u);
        assertFalse(s.record(throttle(b, -1), u + 10 * MS), "opens an event");
        assertEquals(1, s.snapshot(u + 10 * MS).cuts());
    }

    @Test
    void aCutPacesFromTheLastGrantAtTheNewRate() {
        // cutAt99's last grant was at 1.99199 s, paced at 1000/s (tat 1.99299 s); the cut at 2 s to 89.1/s paces
        // the next call 1 / 89.1 s after that grant, not at the old tat
        LimiterState s = cutAt99(LimiterConfig.builder());
        assertWait(s.tryAcquire(2 * S), 1_991_990_000L + LimiterState.intervalNanos(0.9 * 99) - 2 * S,
                Acquisition.WaitReason.PACING);
    }

    /** xP of {@link #cutAt99}'s recovery (C 1000), in ns after its cut: K + 0.2 cbrt(150) s = 1.991 s. */
    private static long fastPoint() {
        return Math.round((0.2 * Math.cbrt(100) + 0.2 * Math.cbrt(150)) * 1e9);
    }

    @Test
    void aRecoveryThatMeetsNoThrottleProbesFastAndItsFirstThrottleFindsTheCapacity() {
        // the event's throttles had no Retry-After and came back within 10 ms (under D / 4 = 24 ms at C 1000): past
        // 1.15 Wmax the excess over Wmax doubles every D = 0.45 * cbrt(0.01) = 0.097 s
        LimiterState s = cutAt99(LimiterConfig.builder());
        long tp = 2 * S + fastPoint();
        assertEquals(1.15 * 99, s.rate(tp), 1e-6);
        long t = tp + 100 * MS;
        assertEquals(129.35485151945824, s.rate(t), 1e-6);
        // still under 1.5 Wmax: its throttle is the probe finding the capacity again, one cut back to 0.9 Wmax
        Acquisition p = s.tryAcquire(t);
        assertGranted(p, t);
        assertTrue(s.record(throttle(p, -1), t + 10 * MS));
        assertEquals(0.9 * 99, s.rate(t + 10 * MS), 1e-9);
    }

    @Test
    void aSecondOvershootInARowSlowsTheFastProbeAndOpensAnEvent() {
        LimiterState s = cutAt99(LimiterConfig.builder());
        // the first throttle far up the fast probe (A = 0) cuts at once; its round trip of 10 ms keeps the next
        // recovery's fast probe (D = 0.45 cbrt(0.02) s = 0.122 s at C = 2000)
        long t = 2 * S + fastPoint() + 300 * MS;
        assertEquals(225.83275651861587, s.rate(t), 1e-6); // the cubic: 130.3/s
        assertTrue(s.record(throttle(s.tryAcquire(t), -1), t + 10 * MS));
        // the next one past that recovery's xP: above 1.5 Wmax again, so it opens the event
        long cut = t + 10 * MS;
        long t2 = cut + Math.round((0.2 * Math.cbrt(0.1 * 2000) + 0.2 * Math.cbrt(300)) * 1e9) + 300 * MS;
        Acquisition p = s.tryAcquire(t2);
        assertGranted(p, t2);
        long heard = t2 + 10 * MS;
        double reached = s.rate(heard);
        assertTrue(reached >= 1.5 * 99);
        assertFalse(s.record(throttle(p, -1), heard), "above 1.5 Wmax, after an overshoot's cut: opens an event");
        assertEquals(2, s.snapshot(heard).cuts());
        // from the rate reached on, the cubic's pace at xP: reached (1 + (cbrt(300) + 5)^3 / 2000) / 1.15 a second later
        double x = Math.cbrt(300) + 5;
        assertEquals(reached * (1 + x * x * x / 2000) / 1.15, s.rate(heard + S), 1e-6);
    }

    @Test
    void aThrottleWithRetryAfterKeepsTheNextRecoveryOnTheCubic() {
        LimiterState s = cutAt99(LimiterConfig.builder(), 0L);
        long t = 2 * S + fastPoint() + 300 * MS;
        assertEquals(130.31167947027635, s.rate(t), 1e-6);
    }

    @Test
    void aProbeCutWaitsForTheCooldownLikeAnyCut() {
        LimiterState s = cutAt99(LimiterConfig.builder().signalCooldown(Duration.ofSeconds(3)));
        long t = 2 * S + k(1000) + S; // 1.93 s after the cut: within the 3 s cooldown
        Acquisition p = s.tryAcquire(t);
        assertFalse(s.record(throttle(p, -1), t + 10 * MS), "opens an event instead");
        assertEquals(1, s.snapshot(t + 10 * MS).cuts());
    }

    @Test
    void aCutRaisedByThePauseFloorIsNoMeasureToProbeAgainst() {
        // an event whose measurement holds a pause: the estimate is floored (decreaseFactor^3 of the rate / 0.9)
        LimiterState s = state(LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, S), 10 * MS), "opens the event and pauses 1 s");
        Acquisition b = s.tryAcquire(1_010 * MS);
        assertTrue(s.record(throttle(b, -1), 1_020 * MS));
        // accepted: 1 grant - 1 throttle = 0 in 1.01 s; floored to 0.343 x 100 / 0.9
        double wMax = 0.7 * 0.7 * 0.7 * 100 / 0.9;
        assertEquals(0.9 * wMax, s.rate(1_020 * MS), 1e-9);
        long t = 1_020 * MS + k(1000) + S;
        assertTrue(s.rate(t) > wMax && s.rate(t) < 1.5 * wMax);
        Acquisition p = s.tryAcquire(t);
        assertFalse(s.record(throttle(p, -1), t + 10 * MS), "a floored Wmax is no measured capacity: opens an event");
        assertEquals(1, s.snapshot(t + 10 * MS).cuts());
    }

    // ---- the paused probe: a probe's first throttle with Retry-After ----

    /** Wmax of {@link #flooredCut}: nothing accepted in the event, floored to 0.7^3 x 100 / 0.9 = 38.11/s. */
    private static final double FLOORED_WMAX = 0.7 * 0.7 * 0.7 * 100 / 0.9;

    /**
     * maxRate 100/s (signalCooldown 1 s): an event opened at 10 ms by a throttle pausing 1 s (to 1.01 s), cut at
     * 1.02 s by a second throttle whose Retry-After pauses until 1.02 s + {@code pauseAfterCut}. Nothing accepted:
     * the estimate is floored, so Wmax = {@link #FLOORED_WMAX} is not measured. Both throttles had Retry-After: the
     * recovery stays on the cubic (C 1000, K = k(1000) = 0.928 s).
     */
    private static LimiterState flooredCut(long pauseAfterCut) {
        LimiterState s = state(LimiterConfig.builder().maxRate(100));
        assertFalse(s.record(throttle(s.tryAcquire(0L), S), 10 * MS), "opens the event and pauses 1 s");
        assertTrue(s.record(throttle(s.tryAcquire(1_010 * MS), pauseAfterCut), 1_020 * MS));
        assertEquals(0.9 * FLOORED_WMAX, s.rate(1_020 * MS), 1e-9);
        return s;
    }

    /** Grants {@code count} calls {@code step} apart from {@code from}, each at once; returns the last. */
    private static Acquisition grantEvery(LimiterState s, long from, long step, int count) {
        Acquisition last = null;
        for (int i = 0; i < count; i++) {
            last = s.tryAcquire(from + i * step);
            assertGranted(last, from + i * step);
        }
        return last;
    }

    @Test
    void aProbesFirstThrottleWithRetryAfterCutsAtOnceAfterAFlooredCut() {
        // paused from 1.02 s to 3.02 s after the cut, while the cubic climbed to 1.15 Wmax (43.97/s); then 21 calls
        // 24 ms apart (41.7/s), the last at 3.5 s, at 1.467 Wmax: in (Wmax, 1.5 Wmax)
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, 24 * MS, 21);
        assertTrue(s.rate(p.grantedAt()) > FLOORED_WMAX && s.rate(p.grantedAt()) < 1.5 * FLOORED_WMAX);
        long now = 3_520 * MS;
        assertTrue(s.record(throttle(p, S), now), "cuts at once: no second 429 (and second pause) to confirm it");
        // A' = (21 grants - 1 throttle) / (2.5 s since the cut - 2 s paused) = 20 / 0.5 s = 40/s, in
        // [0.9 Wmax, 1.25 Wmax) = [34.3, 47.6): E = max(38.11, 40) = 40
        double accepted = 20 / 0.5;
        assertEquals(0.9 * accepted, s.rate(now), 1e-9);
        assertEquals(2, s.snapshot(now).cuts());
        // counting the pause would read 20 / 2.5 s = 8/s, under 0.9 Wmax: a cut to 7.2/s, not 36/s
        double withPause = 20 / 2.5;
        assertNotEquals(0.9 * withPause, s.rate(now), 1.0);
    }

    @Test
    void aPausedProbeCutsToTheAcceptedRateWhenItIsUnderNineTenthsOfWmax() {
        // the plateau ran above the capacity: 11 calls 48 ms apart after the pause, the last at 3.5 s
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, 48 * MS, 11);
        long now = 3_520 * MS;
        assertTrue(s.record(throttle(p, S), now));
        // A' = (11 - 1) / (2.5 s - 2 s) = 20/s, under 0.9 Wmax = 34.3/s: E = A' itself, not Wmax
        assertEquals(0.9 * 20, s.rate(now), 1e-9);
        assertEquals(2, s.snapshot(now).cuts());
    }

    @Test
    void aPausedProbeOpensAnEventWhenTheAcceptedRateHasRisen() {
        // paused until 3.42 s after the cut (the cubic at 1.398 Wmax = 53.3/s); 6 calls 19 ms apart (52.6/s), the
        // last at 3.515 s (1.481 Wmax, in the band), its throttle heard at 3.52 s
        LimiterState s = flooredCut(2_400 * MS);
        Acquisition p = grantEvery(s, 3_420 * MS, 19 * MS, 6);
        assertTrue(s.rate(p.grantedAt()) > FLOORED_WMAX && s.rate(p.grantedAt()) < 1.5 * FLOORED_WMAX);
        // A' = (6 - 1) / (2.5 s - 2.4 s) = 50/s, at least 1.25 Wmax = 47.6/s: the capacity has risen, measure it
        assertFalse(s.record(throttle(p, S), 3_520 * MS), "opens an event");
        assertEquals(1, s.snapshot(3_520 * MS).cuts());
        // the event's second throttle, after its pause (to 4.52 s), confirms and cuts as before: nothing accepted
        // in it and a pause inside, so floored to 0.7^3 x rate / 0.9, the rate back at maxRate 100: E = 38.11/s
        Acquisition c = s.tryAcquire(4_520 * MS);
        assertGranted(c, 4_520 * MS);
        assertEquals(100.0, s.rate(4_530 * MS));
        assertTrue(s.record(throttle(c, S), 4_530 * MS));
        assertEquals(0.9 * (0.7 * 0.7 * 0.7 * 100 / 0.9), s.rate(4_530 * MS), 1e-9);
        assertEquals(2, s.snapshot(4_530 * MS).cuts());
    }

    @Test
    void aPausedThrottleOfACallSentAtOneAndAHalfWmaxOrMoreOpensAnEvent() {
        // the calls of the first paused-probe test, 4 more: the last at 3.596 s, at 1.559 Wmax, out of the band
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, 24 * MS, 25);
        assertTrue(s.rate(p.grantedAt()) >= 1.5 * FLOORED_WMAX);
        // A' = (25 - 1) / (2.6 s - 2 s) = 40/s would cut, but the call was no probe: opens an event
        assertFalse(s.record(throttle(p, S), 3_620 * MS), "opens an event");
        assertEquals(1, s.snapshot(3_620 * MS).cuts());
    }

    @Test
    void aProbesThrottleWithoutRetryAfterTakesTheOlderRules() {
        // the calls of the first paused-probe test, throttled without Retry-After: Wmax was floored, not measured,
        // so the probe rule does not cut either: opens an event
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, 24 * MS, 21);
        assertFalse(s.record(throttle(p, -1), 3_520 * MS), "opens an event");
        assertEquals(1, s.snapshot(3_520 * MS).cuts());
        assertTrue(s.rate(3_520 * MS) > FLOORED_WMAX, "not cut");
    }

    @Test
    void aPausedProbeNeedsOneHundredMillisecondsNotPausedSinceTheCut() {
        // 4 calls 25 ms apart after the pause (to 3.02 s), the last at 3.095 s (1.189 Wmax); 2.1 s since the cut,
        // past the 1 s cooldown, but 2 s of it paused: 100 ms - 1 ns not paused is too short to measure
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, 25 * MS, 4);
        assertFalse(s.record(throttle(p, S), 3_120 * MS - 1), "opens an event");
        assertEquals(1, s.snapshot(3_120 * MS - 1).cuts());
        // exactly 100 ms: cuts, A' = (4 - 1) / 0.1 s = 30/s, under 0.9 Wmax: to 0.9 x 30
        LimiterState t = flooredCut(2 * S);
        Acquisition q = grantEvery(t, 3_020 * MS, 25 * MS, 4);
        assertTrue(t.record(throttle(q, S), 3_120 * MS));
        assertEquals(0.9 * 30, t.rate(3_120 * MS), 1e-9);
        assertEquals(2, t.snapshot(3_120 * MS).cuts());
    }

    @Test
    void aPausedProbeWithNothingAcceptedSinceTheCutOpensAnEvent() {
        // one call after the pause (to 3.02 s), at 1.15 Wmax, and its throttle: A' = (1 - 1) / 0.18 s = 0, no
        // measure (a blind cut would land above Wmax): the event measures instead
        LimiterState s = flooredCut(2 * S);
        Acquisition p = grantEvery(s, 3_020 * MS, MS, 1);
        assertTrue(s.rate(p.grantedAt()) > FLOORED_WMAX && s.rate(p.grantedAt()) < 1.5 * FLOORED_WMAX);
        assertFalse(s.record(throttle(p, S), 3_200 * MS), "opens an event");
        assertEquals(1, s.snapshot(3_200 * MS).cuts());
    }

    @Test
    void anEventMeasuresOnlyOnceItHasSeenEightCallsAccepted() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, -1), 10 * MS), "opens the event");
        grantEvery(s, 20 * MS, 20 * MS, 2);
        Acquisition b = s.tryAcquire(60 * MS);
        // 3 grants - 1 throttle since the event opened: 2 calls accepted would read 2 / 0.14 s, +-1 call at each end
        assertFalse(s.record(throttle(b, -1), 150 * MS), "2 accepted");
        grantEvery(s, 160 * MS, 20 * MS, 5);
        Acquisition c = s.tryAcquire(250 * MS);
        assertFalse(s.record(throttle(c, -1), 270 * MS), "9 grants - 2 throttles: 7 accepted");
        grantEvery(s, 275 * MS, MS, 1);
        Acquisition d = s.tryAcquire(285 * MS);
        assertTrue(s.record(throttle(d, -1), 300 * MS), "11 grants - 3 throttles: 8 accepted");
        assertEquals(0.9 * 8 / 0.29, s.rate(300 * MS), 1e-9, "E = 8 calls in the 290 ms since the event opened");
    }

    @Test
    void anEventWithFewCallsAcceptedMeasuresAtItsSixteenthThrottle() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, -1), 10 * MS), "opens the event");
        // every call granted since is throttled before the next one: nothing accepted
        for (int i = 0; i < 15; i++) {
            Acquisition g = s.tryAcquire((110 + 2 * i) * MS);
            assertFalse(s.record(throttle(g, -1), (111 + 2 * i) * MS), "throttle " + (i + 1));
        }
        Acquisition last = s.tryAcquire(140 * MS);
        assertTrue(s.record(throttle(last, -1), 141 * MS), "the 16th throttle since the event opened");
        assertEquals(700.0, s.rate(141 * MS), 1e-9, "16 grants - 16 throttles: no estimate, the blind cut");
    }

    @Test
    void anEventWithAPauseInItMeasuresAfter100MsWhateverItAccepted() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, 50 * MS), 10 * MS), "opens the event and pauses 50 ms");
        Acquisition b = s.tryAcquire(60 * MS);
        assertTrue(s.record(throttle(b, 50 * MS), 150 * MS), "the old rule: a pause makes a longer measure read low");
    }

    @Test
    void aLoneThrottleExpiresAfterFiveSeconds() {
        LimiterState s = state(LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, -1), 10 * MS));
        Acquisition b = s.tryAcquire(S);
        // 5 s + 1 ns after the event opened: it has expired, this throttle opens a new one
        assertFalse(s.record(throttle(b, -1), 5_010 * MS + 1));
        Acquisition c = s.tryAcquire(5_100 * MS);
        assertFalse(s.record(throttle(c, -1), 5_200 * MS), "nothing accepted in the new event yet");
        assertTrue(s.record(throttle(c, -1), 6_010 * MS + 1), "1 s after it opened");
        assertEquals(1, s.snapshot(6_010 * MS + 1).cuts());
    }

    @Test
    void aCallGrantedAtTheCutInstantBelongsToTheNextEvent() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, -1), 100 * MS));
        grantEvery(s, 150 * MS, MS, 8);
        Acquisition b = s.tryAcquire(200 * MS);
        assertTrue(s.record(throttle(b, -1), 500 * MS), "8 calls accepted since the event opened");
        Acquisition c = s.tryAcquire(500 * MS);
        assertEquals(500 * MS, c.grantedAt());
        assertFalse(s.record(throttle(c, -1), 600 * MS), "c opens the next event");
        // 9 + 1 grants - 2 throttles (d's, twice) since the event opened: 8 accepted
        grantEvery(s, 650 * MS, 80 * MS, 9);
        Acquisition d = s.tryAcquire(1_400 * MS);
        assertFalse(s.record(throttle(d, -1), 1_500 * MS - 1), "1 ns inside the cooldown");
        assertTrue(s.record(throttle(d, -1), 1_500 * MS), "exactly one cooldown after the cut");
    }

    @Test
    void aThrottleThatDoesNotCutStillPauses() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(throttle(a, -1), 0L));
        assertFalse(s.record(throttle(a, 3 * S), 10 * MS));
        assertWait(s.tryAcquire(10 * MS), 3 * S, Acquisition.WaitReason.PAUSED);
    }

    @Test
    void zeroCooldownCutsOnTheSecondThrottleOfEveryEvent() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).signalCooldown(Duration.ZERO));
        Acquisition a = s.tryAcquire(0L);
        Acquisition b = s.tryAcquire(10 * MS);
        assertFalse(s.record(throttle(a, -1), 20 * MS));
        assertFalse(s.record(throttle(b, -1), 200 * MS), "b was granted before the event opened");
        // accepted since the event opened: 9 + 1 grants - 2 throttles (b's counts: it came after the event opened)
        grantEvery(s, 21 * MS, MS, 9);
        Acquisition c = s.tryAcquire(31 * MS);
        assertTrue(s.record(throttle(c, -1), 120 * MS));
        Acquisition d = s.tryAcquire(120 * MS);
        assertFalse(s.record(throttle(d, -1), 130 * MS));
        grantEvery(s, 135 * MS, 15 * MS, 8); // the first cut read 8 calls in 100 ms: 72/s
        Acquisition e = s.tryAcquire(255 * MS);
        assertTrue(s.record(throttle(e, -1), 300 * MS));
        assertEquals(2, s.snapshot(300 * MS).cuts());
    }

    @Test
    void successAndOtherOutcomesNeitherCutNorCount() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        assertFalse(s.record(Feedback.success(a.grantedAt(), 200), 0L));
        assertFalse(s.record(new Feedback(Feedback.Outcome.OTHER, a.grantedAt(), 5 * S, 500, null), 0L));
        LimiterSnapshot snap = s.snapshot(0L);
        assertEquals(0, snap.cuts());
        assertEquals(0, snap.throttled());
        assertEquals(0L, snap.pauseRemainingNanos());
        assertEquals(10.0, snap.rate());
    }

    // ---- quota ----

    @Test
    void theQuotaIsNeverExceededWhileTheRateIsHigh() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(5).quotaWindow(Duration.ofSeconds(1)));
        List<Long> starts = new ArrayList<>();
        long now = 0;
        while (now < 10 * S) {
            Acquisition a = s.tryAcquire(now);
            if (a.granted()) {
                starts.add(now);
            } else {
                now += a.waitNanos();
            }
        }
        // 5 starts per 1.001 s: the quota's window plus its dispatch guard (1 ms per second)
        List<Long> expected = new ArrayList<>();
        for (long w = 0; w < 10; w++) {
            for (long j = 0; j < 5; j++) {
                expected.add(w * (S + MS) + j * MS);
            }
        }
        assertEquals(expected, starts);
        SlidingWindowQuotaTest.assertMaxPerWindow(starts, 5, S + MS);
    }

    @Test
    void aUsedUpQuotaSaysQuota() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        assertGranted(s.tryAcquire(0L), 0L);
        assertGranted(s.tryAcquire(MS), MS);
        // the first start + the window + its guard (1 ms): 1001 ms
        assertWait(s.tryAcquire(2 * MS), S - MS, Acquisition.WaitReason.QUOTA);
        assertEquals(2, s.snapshot(2 * MS).quotaUsed());
        assertWait(s.tryAcquire(S), MS, Acquisition.WaitReason.QUOTA);
        assertEquals(1, s.snapshot(S).quotaUsed(), "used counts the nominal window");
        assertGranted(s.tryAcquire(S + MS), S + MS);
        // pacing and quota both allow the next start at S + 2 ms; a tie is reported as pacing
        assertWait(s.tryAcquire(S + MS), MS, Acquisition.WaitReason.PACING);
        assertWait(s.tryAcquire(S + MS + MS / 2), MS / 2, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(S + 2 * MS), S + 2 * MS);
        assertWait(s.tryAcquire(S + 2 * MS), S, Acquisition.WaitReason.QUOTA); // until 1001 ms + 1.001 s
    }

    @Test
    void theLongestOfPacingPauseAndQuotaWins() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        Acquisition a = s.tryAcquire(0L);
        s.tryAcquire(MS);
        s.record(throttle(a, 500 * MS), 2 * MS); // pause until 502 ms, quota until 1.001 s
        assertWait(s.tryAcquire(2 * MS), S - MS, Acquisition.WaitReason.QUOTA);
        s.record(throttle(a, 3 * S), 2 * MS); // pause until 3.002 s now beats the quota
        assertWait(s.tryAcquire(2 * MS), 3 * S, Acquisition.WaitReason.PAUSED);
    }

    // ---- snapshot and reset ----

    @Test
    void snapshotReportsEveryFigure() {
        LimiterState s = state(LimiterConfig.builder().minRate(2).maxRate(10).quota(5)
                .quotaWindow(Duration.ofSeconds(1)));
        Acquisition a = s.tryAcquire(0L);
        s.tryAcquire(100 * MS);
        s.record(throttle(a, S), 150 * MS);
        LimiterSnapshot snap = s.snapshot(200 * MS);
        assertEquals(10.0, snap.rate(), "one throttle opens an event, it does not cut");
        assertEquals(2.0, snap.minRate());
        assertEquals(10.0, snap.maxRate());
        assertEquals(950 * MS, snap.pauseRemainingNanos());
        assertEquals(0, snap.cuts());
        assertEquals(1000.0, snap.scale());
        assertEquals(2, snap.granted());
        assertEquals(1, snap.throttled());
        assertEquals(2, snap.quotaUsed());
        assertEquals(1, s.snapshot(S).quotaUsed());
        assertEquals(0, s.snapshot(1_100 * MS).quotaUsed());
    }

    @Test
    void snapshotWithoutQuotaSaysMinusOne() {
        LimiterState s = tenPerSecond();
        LimiterSnapshot snap = s.snapshot(0L);
        assertEquals(-1, snap.quotaUsed());
        assertEquals(new LimiterSnapshot(10.0, 1.0, 10.0, 0L, 0, 500.0, 0, 0, -1), snap);
    }

    @Test
    void resetForgetsCutsAndPausesButNotTheQuota() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(3).quotaWindow(Duration.ofSeconds(1)));
        Acquisition a = s.tryAcquire(0L);
        s.tryAcquire(MS);
        s.tryAcquire(2 * MS);
        assertFalse(s.record(throttle(a, 5 * S), 3 * MS));
        assertEquals(1000.0, s.snapshot(3 * MS).scale());
        s.reset();
        LimiterSnapshot snap = s.snapshot(3 * MS);
        assertEquals(1000.0, snap.rate());
        assertEquals(0L, snap.pauseRemainingNanos());
        assertEquals(0, snap.cuts());
        assertEquals(500.0, snap.scale());
        assertEquals(3, snap.granted());
        assertEquals(1, snap.throttled());
        assertEquals(3, snap.quotaUsed());
        // the quota still holds: a reset never allows an overage
        assertWait(s.tryAcquire(3 * MS), S - 2 * MS, Acquisition.WaitReason.QUOTA); // 1.001 s - 3 ms
        // the open event is gone: the next throttle opens a new one (the scale doubles from 500 again)
        assertFalse(s.record(throttle(a, -1), 4 * MS));
        assertEquals(1000.0, s.snapshot(4 * MS).scale());
    }

    @Test
    void configIsKept() {
        LimiterConfig c = LimiterConfig.builder().maxRate(5).build();
        assertEquals(c, new LimiterState(c).config());
    }
}
