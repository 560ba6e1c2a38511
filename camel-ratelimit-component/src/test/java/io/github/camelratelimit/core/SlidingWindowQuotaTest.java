package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SlidingWindowQuota}: at most quota starts in any window, exact earliest times, edges, growth. */
class SlidingWindowQuotaTest {

    private static final long S = 1_000_000_000L;
    private static final long W = 10 * S;

    @Test
    void threePer10SecondsGivesExactEarliestTimes() {
        SlidingWindowQuota q = new SlidingWindowQuota(3, W);
        assertEquals(0L, q.earliest(0L));
        q.record(0L);
        assertEquals(S, q.earliest(S));
        q.record(S);
        q.record(2 * S);
        // the 4th start waits for the 1st to leave the window
        assertEquals(W, q.earliest(2 * S));
        assertEquals(W, q.earliest(9 * S));
        q.record(W);
        // the 5th waits for the 2nd (at 1 s)
        assertEquals(W + S, q.earliest(W));
        q.record(W + S);
        assertEquals(W + 2 * S, q.earliest(W + S));
        q.record(W + 2 * S);
        assertEquals(2 * W, q.earliest(W + 2 * S));
    }

    @Test
    void aStartExactlyOneWindowLaterIsAllowedOneNanosecondEarlierIsNot() {
        SlidingWindowQuota q = new SlidingWindowQuota(3, W);
        q.record(0L);
        q.record(0L);
        q.record(0L);
        assertEquals(W, q.earliest(W - 1));
        assertEquals(3, q.used(W - 1));
        assertThrows(IllegalStateException.class, () -> q.record(W - 1));
        assertEquals(W, q.earliest(W));
        assertEquals(0, q.used(W));
        q.record(W);
        q.record(W);
        q.record(W);
        assertEquals(2 * W, q.earliest(W));
    }

    @Test
    void aLengthenedWindowStillCountsAStartOlderThanWPrimeAndIsCappedAtATwentieth() {
        // 2 per 10 s, guard 10 ms: W' = 10.01 s; a late start lengthens it by up to 500 ms (a twentieth)
        SlidingWindowQuota q = new SlidingWindowQuota(2, W, W / 1000);
        q.record(0L);
        q.record(S);
        long wPrime = W + W / 1000;
        assertEquals(500_000_000L, SlidingWindowQuota.maxExtraNanos(W));
        // asked after W' but inside W' + 300 ms: the start at 0 still counts
        assertEquals(wPrime + 300_000_000L, q.earliest(wPrime + 100_000_000L, 300_000_000L));
        // a longer lengthening counts as a twentieth
        assertEquals(wPrime + 500_000_000L, q.earliest(wPrime + 100_000_000L, 3 * S));
        assertEquals(wPrime + 499_999_999L, q.earliest(wPrime + 499_999_999L));
        // the start at 0 is kept for the lengthened window only: recording past W' replaces it
        q.record(wPrime + 300_000_000L);
        assertEquals(2, q.used(wPrime + 300_000_000L));
        assertEquals(S + wPrime, q.earliest(wPrime + 300_000_000L));
        assertThrows(IllegalStateException.class, () -> q.record(S + wPrime - 1));
    }

    @Test
    void earliestIsNeverBeforeNow() {
        SlidingWindowQuota q = new SlidingWindowQuota(1, W);
        q.record(0L);
        assertEquals(W, q.earliest(1L));
        assertEquals(5 * W, q.earliest(5 * W));
    }

    @Test
    void usedCountsStartsInTheWindowEndingNow() {
        SlidingWindowQuota q = new SlidingWindowQuota(5, W);
        assertEquals(0, q.used(0L));
        q.record(0L);
        q.record(2 * S);
        q.record(4 * S);
        assertEquals(3, q.used(4 * S));
        assertEquals(3, q.used(W - 1));
        assertEquals(2, q.used(W));
        assertEquals(1, q.used(W + 2 * S));
        assertEquals(0, q.used(W + 4 * S));
    }

    @Test
    void recordingBeyondTheQuotaIsRefused() {
        SlidingWindowQuota q = new SlidingWindowQuota(2, W);
        q.record(0L);
        q.record(1L);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.record(2L));
        assertEquals("quota of 2 already used in the window", e.getMessage());
        assertEquals(2, q.used(2L));
    }

    @Test
    void rejectsNonPositiveQuotaOrWindow() {
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowQuota(0, W));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowQuota(-1, W));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowQuota(3, 0L));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowQuota(3, -1L));
        SlidingWindowQuota q = new SlidingWindowQuota(7, W);
        assertEquals(7, q.quota());
        assertEquals(W, q.windowNanos());
    }

    @Test
    void growsBeyond64EntriesAndKeepsOrder() {
        int quota = 1000;
        long window = 1_000_000L;
        SlidingWindowQuota q = new SlidingWindowQuota(quota, window);
        // 1000 starts, 1 ns apart, in one window: the ring grows 64 -> 128 -> ... -> 1000
        for (int i = 0; i < quota; i++) {
            assertEquals(i, q.earliest(i));
            q.record(i);
        }
        assertEquals(quota, q.used(quota - 1));
        // full: each next start waits for the oldest, in order
        assertEquals(window, q.earliest(quota - 1));
        for (int i = 0; i < 300; i++) {
            long t = window + i;
            assertEquals(t, q.earliest(t));
            q.record(t);
            assertEquals(t + 1, q.earliest(t));
        }
        assertEquals(quota, q.used(window + 299));
        // once the window has moved on entirely, nothing is remembered
        assertEquals(0, q.used(window + 299 + window));
    }

    @Test
    void growsWhileTheRingIsWrapped() {
        int quota = 174;
        long window = 2_000L;
        SlidingWindowQuota q = new SlidingWindowQuota(quota, window);
        // fill the initial 64 slots, let 40 expire so the ring's head moves, then grow past 64 with a wrap
        for (int i = 0; i < 64; i++) {
            q.record(i);
        }
        assertEquals(24, q.used(2_039)); // starts 40..63 left
        for (int i = 0; i < 150; i++) {
            q.record(2_039);
        }
        assertEquals(174, q.used(2_039));
        // full; the oldest remembered start is 40, then 41, ...: each leaves exactly one window after it began
        assertEquals(2_040, q.earliest(2_039));
        assertEquals(2_040, q.earliest(2_040));
        assertEquals(173, q.used(2_040));
        q.record(2_040);
        assertEquals(2_041, q.earliest(2_040));
        assertEquals(151, q.used(2_063));
        assertEquals(151, q.used(4_038));
        assertEquals(1, q.used(4_039));
        assertEquals(0, q.used(4_040));
    }

    @Test
    void aGuardLengthensTheDecidingWindowButNotTheCount() {
        long guard = SlidingWindowQuota.guardNanos(W);
        assertEquals(10_000_000L, guard, "1 ms per second of window");
        SlidingWindowQuota q = new SlidingWindowQuota(2, W, guard);
        assertEquals(W, q.windowNanos());
        assertEquals(W + guard, q.guardedWindowNanos());
        q.record(0L);
        q.record(S);
        // the 3rd start waits for the 1st to be W + guard old
        assertEquals(W + guard, q.earliest(2 * S));
        assertEquals(W + guard, q.earliest(W));
        // used counts the nominal window: the start at 0 no longer counts at W, but still holds the next start
        assertEquals(1, q.used(W));
        assertEquals(2, q.used(W - 1));
        assertThrows(IllegalStateException.class, () -> q.record(W + guard - 1));
        q.record(W + guard);
        assertEquals(S + W + guard, q.earliest(W + guard));
        assertEquals(2, q.used(W + guard));
        assertEquals(1, q.used(S + W));
        assertEquals(0L, SlidingWindowQuota.guardNanos(999L));
        assertEquals(1L, SlidingWindowQuota.guardNanos(1_999L));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowQuota(3, W, -1L));
    }

    /** Starts that each begin up to the guard after their grant keep the quota in every nominal window. */
    @Test
    void dispatchDelaysWithinTheGuardKeepTheNominalWindow() {
        SplittableRandom random = new SplittableRandom(3);
        long window = S;
        long guard = SlidingWindowQuota.guardNanos(window);
        SlidingWindowQuota q = new SlidingWindowQuota(50, window, guard);
        List<Long> starts = new ArrayList<>();
        long now = 0;
        while (now < 20 * S) {
            long earliest = q.earliest(now);
            if (earliest > now) {
                now = earliest;
            }
            q.record(now);
            starts.add(now + random.nextLong(guard + 1)); // the call starts 0..guard after its grant
            now += random.nextLong(10_000_000L);
        }
        starts.sort(null);
        assertMaxPerWindow(starts, 50, window);
    }

    /** Random starts against a naive model: same answers, and no window ever holds more than the quota. */
    @Test
    void agreesWithANaiveModelOnRandomStarts() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            int quota = 1 + random.nextInt(150);
            long window = 1 + random.nextLong(5_000);
            SlidingWindowQuota q = new SlidingWindowQuota(quota, window);
            List<Long> starts = new ArrayList<>();
            long now = 0;
            for (int i = 0; i < 2_000; i++) {
                now += random.nextInt(4) == 0 ? random.nextLong(window) : 0;
                long earliest = q.earliest(now);
                assertEquals(naiveEarliest(starts, quota, window, now), earliest);
                assertEquals(naiveUsed(starts, window, now), q.used(now));
                if (random.nextBoolean()) {
                    now = earliest;
                    q.record(now);
                    starts.add(now);
                }
            }
            assertMaxPerWindow(starts, quota, window);
        }
    }

    private static long naiveEarliest(List<Long> starts, int quota, long window, long now) {
        int used = naiveUsed(starts, window, now);
        if (used < quota) {
            return now;
        }
        // the quota-th most recent start, plus one window
        return Math.max(now, starts.get(starts.size() - quota) + window);
    }

    private static int naiveUsed(List<Long> starts, long window, long now) {
        int n = 0;
        for (long s : starts) {
            if (s > now - window && s <= now) {
                n++;
            }
        }
        return n;
    }

    static void assertMaxPerWindow(List<Long> sortedStarts, int max, long window) {
        int lo = 0;
        for (int hi = 0; hi < sortedStarts.size(); hi++) {
            while (sortedStarts.get(hi) - sortedStarts.get(lo) >= window) {
                lo++;
            }
            assertTrue(hi - lo + 1 <= max, (hi - lo + 1) + " starts within " + window + " ns ending at "
                    + sortedStarts.get(hi) + " (max " + max + ")");
        }
    }
}
