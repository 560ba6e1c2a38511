package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LimiterState}: GCRA grid, pauses, one cut per congestion event, strict quota, snapshot, reset. */
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

    /** Late wake-ups (jitter below one interval) keep the full rate; any window W holds <= ceil(rate W) + 1. */
    @Test
    void lateWakeUpsKeepTheRateAndTheGridBound() {
        LimiterState s = tenPerSecond();
        SplittableRandom random = new SplittableRandom(7);
        List<Long> starts = new ArrayList<>();
        long now = 0;
        while (starts.size() < 1_000) {
            Acquisition a = s.tryAcquire(now);
            if (a.granted()) {
                starts.add(now);
            } else {
                now += a.waitNanos() + random.nextLong(100 * MS); // woken up to one interval - 1 ns late
            }
        }
        // 1000 permits at 10/s: the last is granted within one interval after 99.9 s
        assertTrue(starts.get(999) < 1_000 * 100 * MS, "last start " + starts.get(999));
        assertTrue(starts.get(999) >= 999 * 100 * MS, "last start " + starts.get(999));
        SlidingWindowQuotaTest.assertMaxPerWindow(starts, 11, S); // ceil(10 * 1) + 1
        SlidingWindowQuotaTest.assertMaxPerWindow(starts, 2, 100 * MS); // ceil(10 * 0.1) + 1
    }

    // ---- pauses ----

    @Test
    void aThrottleWithRetryAfterPausesEveryAcquireUntilItEnds() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        assertTrue(s.record(throttle(a, 5 * S), 10 * MS));
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
    void oneCutPerCongestionEvent() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000)); // signalCooldown 1 s
        Acquisition a = s.tryAcquire(0L);
        Acquisition b = s.tryAcquire(100 * MS);
        assertTrue(s.record(throttle(a, -1), 500 * MS), "first throttle cuts");
        assertEquals(700.0, s.rate(500 * MS), 1e-9);
        // b was granted before the cut: part of the same event, however late its 429 arrives
        assertFalse(s.record(throttle(b, -1), 10 * S));
        Acquisition c = s.tryAcquire(600 * MS);
        // c was granted after the cut, but its 429 comes within the cooldown (0.4 s after the cut)
        assertFalse(s.record(throttle(c, -1), 900 * MS));
        Acquisition d = s.tryAcquire(700 * MS);
        // d: granted after the cut and its 429 comes 1 s after it (>= cooldown): a new event
        assertTrue(s.record(throttle(d, -1), 1_500 * MS));
        LimiterSnapshot snap = s.snapshot(1_500 * MS);
        assertEquals(2, snap.cuts());
        assertEquals(4, snap.throttled());
        assertEquals(1000.0, snap.scale()); // second recovery
    }

    @Test
    void aCallGrantedAtTheCutInstantBelongsToTheNextEvent() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000));
        Acquisition a = s.tryAcquire(0L);
        assertTrue(s.record(throttle(a, -1), 500 * MS));
        Acquisition b = s.tryAcquire(500 * MS);
        assertEquals(500 * MS, b.grantedAt());
        assertFalse(s.record(throttle(b, -1), 1_500 * MS - 1), "1 ns inside the cooldown");
        assertTrue(s.record(throttle(b, -1), 1_500 * MS), "exactly one cooldown after the cut");
    }

    @Test
    void aThrottleThatDoesNotCutStillPauses() {
        LimiterState s = tenPerSecond();
        Acquisition a = s.tryAcquire(0L);
        assertTrue(s.record(throttle(a, -1), 0L));
        assertFalse(s.record(throttle(a, 3 * S), 10 * MS));
        assertWait(s.tryAcquire(10 * MS), 3 * S, Acquisition.WaitReason.PAUSED);
    }

    @Test
    void zeroCooldownCutsOnEveryThrottleOfALaterGrant() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).signalCooldown(Duration.ZERO));
        Acquisition a = s.tryAcquire(0L);
        Acquisition b = s.tryAcquire(10 * MS);
        assertTrue(s.record(throttle(a, -1), 20 * MS));
        assertFalse(s.record(throttle(b, -1), 20 * MS), "b was granted before the cut");
        Acquisition c = s.tryAcquire(20 * MS);
        assertTrue(s.record(throttle(c, -1), 20 * MS));
        assertEquals(2, s.snapshot(20 * MS).cuts());
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
        List<Long> expected = new ArrayList<>();
        for (long w = 0; w < 10; w++) {
            for (long j = 0; j < 5; j++) {
                expected.add(w * S + j * MS);
            }
        }
        assertEquals(expected, starts);
        SlidingWindowQuotaTest.assertMaxPerWindow(starts, 5, S);
    }

    @Test
    void aUsedUpQuotaSaysQuota() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        assertGranted(s.tryAcquire(0L), 0L);
        assertGranted(s.tryAcquire(MS), MS);
        assertWait(s.tryAcquire(2 * MS), S - 2 * MS, Acquisition.WaitReason.QUOTA);
        assertEquals(2, s.snapshot(2 * MS).quotaUsed());
        assertGranted(s.tryAcquire(S), S);
        // pacing and quota both allow the next start at S + 1 ms; a tie is reported as pacing
        assertWait(s.tryAcquire(S), MS, Acquisition.WaitReason.PACING);
        assertWait(s.tryAcquire(S + MS / 2), MS / 2, Acquisition.WaitReason.PACING);
        assertGranted(s.tryAcquire(S + MS), S + MS);
        assertWait(s.tryAcquire(S + MS), S - MS, Acquisition.WaitReason.QUOTA);
    }

    @Test
    void theLongestOfPacingPauseAndQuotaWins() {
        LimiterState s = state(LimiterConfig.builder().maxRate(1000).quota(2).quotaWindow(Duration.ofSeconds(1)));
        Acquisition a = s.tryAcquire(0L);
        s.tryAcquire(MS);
        s.record(throttle(a, 500 * MS), 2 * MS); // pause until 502 ms, quota until 1 s
        assertWait(s.tryAcquire(2 * MS), S - 2 * MS, Acquisition.WaitReason.QUOTA);
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
        double k = Math.cbrt(10 * 0.3 * 500);
        assertEquals(10 + Math.pow(0.05 - k, 3) / 500, snap.rate(), 1e-9);
        assertEquals(2.0, snap.minRate());
        assertEquals(10.0, snap.maxRate());
        assertEquals(950 * MS, snap.pauseRemainingNanos());
        assertEquals(1, snap.cuts());
        assertEquals(500.0, snap.scale());
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
        assertTrue(s.record(throttle(a, 5 * S), 3 * MS));
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
        assertWait(s.tryAcquire(3 * MS), S - 3 * MS, Acquisition.WaitReason.QUOTA);
        // the cut memory is gone: the next throttle cuts at once, inside the old cooldown
        assertTrue(s.record(throttle(a, -1), 4 * MS));
    }

    @Test
    void configIsKept() {
        LimiterConfig c = LimiterConfig.builder().maxRate(5).build();
        assertEquals(c, new LimiterState(c).config());
    }
}
