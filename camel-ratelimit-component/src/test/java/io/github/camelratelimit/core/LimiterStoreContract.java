package io.github.camelratelimit.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one contract every {@link LimiterStore} passes: pacing on the interval grid, never more grants than the
 * rate in any window, a strict quota, pauses that hold every caller, one cut per congestion event, the provider
 * quota, reset, and the invariants under concurrency.
 *
 * <p>A subclass provides the store and its time: a store on a {@link ManualClock} moves time only in
 * {@link #advance(long)} and {@link #tick()} and is held to exact numbers ({@link #exactTime()}); a store with
 * its own real clock (Redis) sleeps in {@code advance} exactly the time the store asked for and is held to the
 * invariants, which must hold whatever the scheduling: no start before its slot, no window over its quota, no
 * grant during a pause, no second cut for one event, every request answered once. Time stamps
 * ({@link Acquisition#grantedAt()}) are compared after {@link #stampNanos(long)}.
 */
public abstract class LimiterStoreContract {

    private static final long MS = 1_000_000L;

    /** A fresh store for one test (closed after it). */
    protected abstract LimiterStore newStore();

    /** Lets at least {@code nanos} pass on the store's clock: a manual clock advances, real time sleeps. */
    protected abstract void advance(long nanos) throws InterruptedException;

    /** Called by the concurrency test's threads after each attempt: a manual clock moves a small step. */
    protected abstract void tick();

    /** A grant time stamp in nanoseconds of one time line (the store's unit may differ). */
    protected abstract long stampNanos(long grantedAt);

    /** {@code true} when time moves only through {@link #advance(long)}, so exact numbers are asserted. */
    protected abstract boolean exactTime();

    protected LimiterStore store;
    private String testName;
    private int limiters;

    @BeforeEach
    void openStore(TestInfo info) {
        testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** A limiter name no other test uses. */
    protected String limiter() {
        return testName + "-" + (++limiters);
    }

    // ---- pacing ----

    @Test
    void pacesOnTheIntervalGrid() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(50).build(); // 20 ms
        Acquisition first = acquire(l, c);
        assertTrue(first.granted(), "the first permit is granted at once");
        assertEquals(20 * MS, first.intervalNanos());

        Acquisition second = acquire(l, c);
        assertEquals(20 * MS, second.intervalNanos());
        long g0 = stampNanos(first.grantedAt());
        List<Long> stamps = new ArrayList<>();
        if (second.granted()) {
            // only a store with its own clock, and only when more than one interval passed between the asks
            assertFalse(exactTime(), "the second permit waits for its slot");
            stamps.add(stampNanos(second.grantedAt()));
        } else {
            assertEquals(Acquisition.WaitReason.PACING, second.reason());
            assertTrue(second.waitNanos() > 0 && second.waitNanos() <= 20 * MS, "wait " + second.waitNanos());
            if (exactTime()) {
                assertEquals(20 * MS, second.waitNanos());
            }
        }
        while (stamps.size() < 10) {
            stamps.add(stampNanos(take(l, c).grantedAt()));
        }
        for (int k = 0; k < stamps.size(); k++) {
            long sinceFirst = stamps.get(k) - g0;
            assertTrue(sinceFirst >= (k + 1) * 20 * MS, "permit " + (k + 1) + " started " + sinceFirst
                    + " ns after the first, before its slot");
            if (exactTime()) {
                assertEquals((k + 1) * 20 * MS, sinceFirst);
            }
        }
        // the grid alone lets a window of W hold ceil(rate * W) + 1 starts; 100 ms is below the guard's 1 s
        stamps.add(0, g0);
        assertTrue(maxInWindow(stamps, 100 * MS) <= 6, "starts in 100 ms: " + maxInWindow(stamps, 100 * MS));
        LimiterSnapshot s = snapshot(l, c);
        assertEquals(50.0, s.rate(), 1e-9);
        assertEquals(11, s.granted());
        assertEquals(0, s.cuts());
    }

    // ---- the window guard ----

    @Test
    void aLateWakeUpIsMadeUpButNeverPutsRatePlusOneIntoAWindow() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(20).build(); // 50 ms; 20 per 1.001 s
        Acquisition first = take(l, c);
        long g0 = stampNanos(first.grantedAt());
        Acquisition next = acquire(l, c);
        List<Long> stamps = new ArrayList<>();
        stamps.add(g0);
        if (next.granted()) {
            assertFalse(exactTime());
            stamps.add(stampNanos(next.grantedAt()));
        } else {
            advance(next.waitNanos() + 49_999_000L); // woken 49.999 ms late: still on the grid
        }
        while (stamps.size() < 22) {
            stamps.add(stampNanos(take(l, c).grantedAt()));
        }
        if (exactTime()) {
            // the grid makes the late grant up (100 ms right after 99.999 ms), the window holds the 21st back
            // until the first is 1.001 s old and the 22nd until the late one is
            List<Long> expected = new ArrayList<>(List.of(0L, 99_999_000L));
            for (long t = 100; t <= 950; t += 50) {
                expected.add(t * MS);
            }
            expected.add(1_001 * MS);
            expected.add(1_100_999_000L);
            assertEquals(expected, stamps.stream().map(t -> t - g0).toList());
        }
        assertTrue(maxInWindow(stamps, 1_001 * MS) <= 20, "grants in 1.001 s: " + maxInWindow(stamps, 1_001 * MS));
        assertTrue(stamps.get(20) - stamps.get(0) >= 1_001 * MS, "the 21st waits for the first to be 1.001 s old");
    }

    @Test
    void concurrentLateCallersNeverExceedTheRateInAnyWindow() throws Exception {
        String l = limiter();
        int threads = 4;
        int total = 80;
        LimiterConfig c = LimiterConfig.builder().maxRate(50).build(); // 20 ms; 50 per 1.001 s
        List<Long> stamps = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    java.util.SplittableRandom late = new java.util.SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < 100_000 && granted.get() < total; i++) {
                        Acquisition a = acquire(l, c);
                        if (a.granted()) {
                            stamps.add(stampNanos(a.grantedAt()));
                            granted.incrementAndGet();
                        } else if (!exactTime()) {
                            advance(a.waitNanos() + late.nextLong(20 * MS)); // woken up to one interval late
                        }
                        tick(); // a manual clock: every thread's ask moves time 100 us, so asks outrun the rate
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Long> sorted = new ArrayList<>(stamps);
        Collections.sort(sorted);
        assertTrue(sorted.size() >= total, "grants " + sorted.size());
        assertEquals(sorted.size(), sorted.stream().distinct().count(), "no two permits share a start time");
        assertTrue(sorted.get(sorted.size() - 1) - sorted.get(0) > 1_001 * MS, "the grants span more than a window");
        assertTrue(maxInWindow(sorted, 1_001 * MS) <= 50, "grants in 1.001 s: " + maxInWindow(sorted, 1_001 * MS));
        if (exactTime()) {
            assertEquals(50, maxInWindow(sorted, 1_001 * MS), "saturated: the window is full");
        }
        assertEquals(sorted.size(), snapshot(l, c).granted());
    }

    // ---- quota ----

    @Test
    void quotaIsNeverExceededInAnyWindow() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).quota(5).quotaWindow(Duration.ofMillis(200)).build();
        List<Long> stamps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stamps.add(stampNanos(take(l, c).grantedAt()));
        }
        LimiterSnapshot s = snapshot(l, c);
        assertTrue(s.quotaUsed() >= 1 && s.quotaUsed() <= 5, "quota used " + s.quotaUsed());
        Acquisition sixth = acquire(l, c);
        if (!sixth.granted()) {
            assertTrue(sixth.waitNanos() <= 200 * MS, "wait " + sixth.waitNanos());
        }
        if (exactTime()) {
            assertEquals(5, s.quotaUsed());
            assertFalse(sixth.granted());
            assertEquals(Acquisition.WaitReason.QUOTA, sixth.reason());
            assertEquals(196_200_000L, sixth.waitNanos(), "the first start + window + guard (0.2 ms), 4 ms after it");
        }
        for (int i = 0; i < 12; i++) {
            stamps.add(stampNanos(take(l, c).grantedAt()));
        }
        assertTrue(maxInWindow(stamps, 200_200_000L) <= 5, "starts in a 200.2 ms window: "
                + maxInWindow(stamps, 200_200_000L));
        assertTrue(stamps.get(5) - stamps.get(0) >= 200_200_000L, "the sixth start waits a whole window + guard");
        if (exactTime()) {
            assertEquals(200_200_000L, stamps.get(5) - stamps.get(0));
        }
    }

    // ---- pauses ----

    @Test
    void pauseHoldsEveryCaller() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).build();
        Acquisition g = take(l, c);
        assertFalse(record(l, c, Feedback.throttled(g.grantedAt(), 429, 100 * MS)),
                "the first throttle opens an event: its Retry-After pauses, it does not cut");
        LimiterSnapshot s = snapshot(l, c);
        assertTrue(s.pauseRemainingNanos() <= 100 * MS, "pause " + s.pauseRemainingNanos());
        if (exactTime()) {
            assertEquals(100 * MS, s.pauseRemainingNanos());
        }
        // a shorter Retry-After never shortens the pause
        record(l, c, Feedback.throttled(g.grantedAt(), 429, 10 * MS));
        for (int caller = 0; caller < 3; caller++) {
            Acquisition a = acquire(l, c);
            if (exactTime()) {
                assertFalse(a.granted());
            }
            if (!a.granted()) {
                assertEquals(Acquisition.WaitReason.PAUSED, a.reason(), "caller " + caller);
                assertTrue(a.waitNanos() <= 100 * MS, "wait " + a.waitNanos());
                if (exactTime()) {
                    assertEquals(100 * MS, a.waitNanos());
                }
            }
        }
        Acquisition after = take(l, c);
        assertTrue(stampNanos(after.grantedAt()) - stampNanos(g.grantedAt()) >= 100 * MS,
                "no permit during the pause");
        if (exactTime()) {
            assertEquals(100 * MS, stampNanos(after.grantedAt()) - stampNanos(g.grantedAt()));
        }
    }

    @Test
    void pauseIsClampedToMaxPause() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).maxPause(Duration.ofMillis(150)).build();
        Acquisition g = take(l, c);
        record(l, c, Feedback.throttled(g.grantedAt(), 429, Duration.ofHours(1).toNanos()));
        Acquisition a = acquire(l, c);
        if (exactTime()) {
            assertFalse(a.granted());
        }
        if (!a.granted()) {
            assertEquals(Acquisition.WaitReason.PAUSED, a.reason());
            assertTrue(a.waitNanos() <= 150 * MS, "a Retry-After of 1h waits at most maxPause: " + a.waitNanos());
        }
        Acquisition after = take(l, c);
        long gap = stampNanos(after.grantedAt()) - stampNanos(g.grantedAt());
        assertTrue(gap >= 150 * MS, "gap " + gap);
        if (exactTime()) {
            assertEquals(150 * MS, gap);
        }
    }

    // ---- cuts ----

    @Test
    void cutsOncePerCongestionEventConfirmedByASecondThrottle() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ofMillis(300)).build();
        Acquisition g1 = take(l, c);
        Acquisition g2 = take(l, c);
        advance(MS); // g2 strictly before the event opens (a grant at that instant counts as after it)
        long opened = System.nanoTime();
        assertFalse(record(l, c, Feedback.throttled(g1.grantedAt(), 429, -1)), "the first throttle opens the event");
        LimiterSnapshot s = snapshot(l, c);
        assertEquals(0, s.cuts());
        assertEquals(100.0, s.rate(), 1e-9, "no cut yet");
        assertEquals(1000.0, s.scale(), 1e-9, "but the scale doubles on every signal");
        assertFalse(record(l, c, Feedback.throttled(g2.grantedAt(), 429, -1)),
                "a call granted before the event opened confirms nothing");
        Acquisition g3 = take(l, c);
        boolean early = record(l, c, Feedback.throttled(g3.grantedAt(), 429, -1));
        if (exactTime() || System.nanoTime() - opened < LimiterState.MAX_MEASURE_NANOS) {
            assertFalse(early, "too soon to measure: nothing accepted since the event opened, under 1 s ago");
        }
        advance(LimiterState.MAX_MEASURE_NANOS);
        Acquisition g4 = take(l, c);
        long cutStarted = System.nanoTime();
        assertTrue(early || record(l, c, Feedback.throttled(g4.grantedAt(), 429, -1)), "the second throttle cuts");
        s = snapshot(l, c);
        assertEquals(1, s.cuts());
        assertEquals(1000.0, s.scale(), 1e-9, "the first recovery uses the doubled scale");
        // accepted since the event opened: 2 grants - 3 throttles, no estimate: the cut keeps 0.7 of the rate;
        // in real time the recovery has begun by the snapshot
        if (!early) {
            assertEquals(70.0, s.rate(), exactTime() ? 1e-9 : 2.0, "rate after the cut = 0.7 x 100");
        }

        assertFalse(record(l, c, Feedback.throttled(g2.grantedAt(), 429, -1)),
                "granted before the cut: never a new event, however late it arrives");
        Acquisition g5 = take(l, c);
        assertFalse(record(l, c, Feedback.throttled(g5.grantedAt(), 429, -1)), "opens the next event");
        Acquisition g6 = take(l, c);
        boolean inCooldown = record(l, c, Feedback.throttled(g6.grantedAt(), 429, -1));
        if (exactTime() || System.nanoTime() - cutStarted < 100 * MS) {
            assertFalse(inCooldown, "too soon after the event opened and within the cooldown");
        }
        double before = snapshot(l, c).rate();
        advance(LimiterState.MAX_MEASURE_NANOS); // past the cooldown (300 ms) and the measure's 1 s bound
        Acquisition g7 = take(l, c);
        assertTrue(inCooldown || record(l, c, Feedback.throttled(g7.grantedAt(), 429, -1)),
                "granted after the event opened, past the cooldown: the second cut");
        s = snapshot(l, c);
        assertEquals(2, s.cuts());
        assertEquals(4000.0, s.scale(), 1e-9, "500 doubled by two opened events and one cut");
        assertTrue(s.rate() < before, "the second cut lowers the rate again: " + s.rate() + " after " + before);
        assertEquals(8 - (early ? 1 : 0) - (inCooldown ? 1 : 0), s.throttled());
    }

    @Test
    void cutsNeverGoBelowMinRate() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().minRate(10).maxRate(100).signalCooldown(Duration.ZERO).build();
        for (int i = 0; i < 12; i++) {
            Acquisition g = take(l, c);
            assertFalse(record(l, c, Feedback.throttled(g.grantedAt(), 429, -1)), "opens event " + i);
            advance(100 * MS);
            double before = snapshot(l, c).rate();
            Acquisition h = take(l, c);
            // nothing accepted: the event measures at its 16th throttle (or after 1 s)
            for (int t = 1; t < LimiterState.MAX_EVENT_THROTTLES; t++) {
                record(l, c, Feedback.throttled(h.grantedAt(), 429, -1));
            }
            assertTrue(record(l, c, Feedback.throttled(h.grantedAt(), 429, -1)), "cut " + i);
            double rate = snapshot(l, c).rate();
            assertTrue(rate >= 10.0, "rate " + rate + " under minRate");
            assertTrue(rate <= before, "a cut never raises the rate: " + before + " -> " + rate);
        }
        LimiterSnapshot s = snapshot(l, c);
        assertEquals(12, s.cuts());
        assertEquals(10.0, s.rate(), exactTime() ? 1e-9 : 0.1, "12 cuts of 0.7 reach the floor");
        assertEquals(100_000.0, s.scale(), 1e-9, "C doubles per signal up to recoveryScale");
    }

    // ---- provider quota ----

    @Test
    void providerQuotaPausesAndCapsTheRate() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(100).quotaSafetyMargin(0.1).build();
        Acquisition g = take(l, c);
        record(l, c, Feedback.success(g.grantedAt(), 200).withProviderQuota(new ProviderQuota(-1, 90, 10_000 * MS, -1)));
        assertEquals(8.1, snapshot(l, c).rate(), 1e-9, "90 left for 10 s, 10 % kept back");
        record(l, c, Feedback.success(g.grantedAt(), 200).withProviderQuota(new ProviderQuota(100, -1, -1, 10_000 * MS)));
        assertEquals(8.1, snapshot(l, c).rate(), 1e-9, "the lower of ceiling (8.1/s) and limit rate (9/s)");
        record(l, c, Feedback.success(g.grantedAt(), 200).withProviderQuota(new ProviderQuota(-1, 0, 150 * MS, -1)));
        Acquisition a = acquire(l, c);
        if (exactTime()) {
            assertFalse(a.granted());
            assertEquals(150 * MS, a.waitNanos());
        }
        if (!a.granted()) {
            assertEquals(Acquisition.WaitReason.PAUSED, a.reason(), "remaining 0 pauses until the reset");
            assertTrue(a.waitNanos() <= 150 * MS);
        }
        assertEquals(0, snapshot(l, c).cuts(), "a provider report is no throttle");
    }

    // ---- reset and isolation ----

    @Test
    void resetForgetsCutsAndPausesButNotTheQuota() throws Exception {
        String l = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).quota(3).quotaWindow(Duration.ofSeconds(30)).build();
        take(l, c);
        Acquisition g = take(l, c);
        assertFalse(record(l, c, Feedback.throttled(g.grantedAt(), 429, 10_000 * MS)));
        assertEquals(1000.0, snapshot(l, c).scale(), 1e-9);
        store.reset(l, c).toCompletableFuture().join();
        LimiterSnapshot s = snapshot(l, c);
        assertEquals(0, s.cuts());
        assertEquals(0, s.pauseRemainingNanos());
        assertEquals(1000.0, s.rate(), 1e-9);
        assertEquals(500.0, s.scale(), 1e-9);
        assertEquals(2, s.quotaUsed(), "the quota remembers its starts");
        Acquisition a = acquire(l, c);
        if (!a.granted()) {
            assertEquals(Acquisition.WaitReason.PACING, a.reason(), "no pause after a reset");
        }
        if (!a.granted()) {
            take(l, c);
        }
        Acquisition fourth = acquire(l, c);
        assertFalse(fourth.granted(), "3 starts in the window: a reset never allows an overage");
        assertEquals(Acquisition.WaitReason.QUOTA, fourth.reason());
    }

    @Test
    void limitersAreIndependent() throws Exception {
        String a = limiter();
        String b = limiter();
        LimiterConfig c = LimiterConfig.builder().maxRate(10).build();
        Acquisition g = take(a, c);
        record(a, c, Feedback.throttled(g.grantedAt(), 429, 60_000 * MS));
        assertTrue(acquire(b, c).granted(), "a pause of one limiter holds no other");
        assertEquals(500.0, snapshot(b, c).scale(), 1e-9);
        assertEquals(1000.0, snapshot(a, c).scale(), 1e-9, "the throttle counted for its own limiter only");
        assertTrue(snapshot(a, c).pauseRemainingNanos() > 0);
        assertEquals(0, snapshot(b, c).pauseRemainingNanos());
    }

    // ---- concurrency ----

    @Test
    void concurrentCallersKeepTheInvariants() throws Exception {
        String l = limiter();
        int threads = 4;
        int attempts = 150;
        long window = 20 * MS;
        int quota = 8;
        LimiterConfig c = LimiterConfig.builder().maxRate(2000).quota(quota).quotaWindow(Duration.ofNanos(window))
                .build();
        List<Long> stamps = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger denied = new AtomicInteger();
        AtomicLong badAnswers = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < attempts; i++) {
                        Acquisition a = store.tryAcquire(l, c).toCompletableFuture().join();
                        if (a.granted()) {
                            granted.incrementAndGet();
                            stamps.add(stampNanos(a.grantedAt()));
                        } else {
                            denied.incrementAndGet();
                            if (a.waitNanos() <= 0 || a.reason() == Acquisition.WaitReason.NONE) {
                                badAnswers.incrementAndGet();
                            }
                        }
                        tick();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * attempts, granted.get() + denied.get(), "every request answered exactly once");
        assertEquals(0, badAnswers.get(), "a denial always names a positive wait and a reason");
        assertTrue(granted.get() > 0, "progress");
        List<Long> sorted = new ArrayList<>(stamps);
        Collections.sort(sorted);
        assertEquals(sorted.size(), sorted.stream().distinct().count(), "no two permits share a start time");
        assertTrue(maxInWindow(sorted, window) <= quota, "starts in one window: " + maxInWindow(sorted, window));
        // the pacing grid: any 5 ms holds at most ceil(2000 * 0.005) + 1 = 11 starts
        assertTrue(maxInWindow(sorted, 5 * MS) <= 11, "starts in 5 ms: " + maxInWindow(sorted, 5 * MS));
        assertEquals(granted.get(), snapshot(l, c).granted(), "the store counted every grant");
        assertNotEquals(0, denied.get(), "the limit was reached");
    }

    // ---- helpers ----

    protected Acquisition acquire(String l, LimiterConfig c) {
        return join(store.tryAcquire(l, c));
    }

    protected boolean record(String l, LimiterConfig c, Feedback f) {
        return join(store.record(l, c, f));
    }

    protected LimiterSnapshot snapshot(String l, LimiterConfig c) {
        return join(store.snapshot(l, c));
    }

    /** Asks until granted, letting exactly the time the store names pass between asks. */
    protected Acquisition take(String l, LimiterConfig c) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            Acquisition a = acquire(l, c);
            if (a.granted()) {
                return a;
            }
            assertTrue(a.waitNanos() > 0, "a denial names a positive wait");
            advance(a.waitNanos());
        }
        return fail("no permit after 1000 asks");
    }

    /** The most time stamps in any half-open window [s, s + window) starting at a stamp. */
    protected static int maxInWindow(List<Long> stampsNanos, long window) {
        long[] s = stampsNanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(s);
        int best = 0;
        int j = 0;
        for (int i = 0; i < s.length; i++) {
            while (j < s.length && s[j] < s[i] + window) {
                j++;
            }
            best = Math.max(best, j - i);
        }
        return best;
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
