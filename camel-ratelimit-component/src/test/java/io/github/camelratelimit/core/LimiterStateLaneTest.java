package io.github.camelratelimit.core;

import static io.github.camelratelimit.core.LimiterState.NO_GRANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-memory state's lock-free lane ({@link LimiterState#grantFast}): exact numbers on a manual clock, a
 * seeded comparison with the locked rules alone (everything the lane grants they would have granted), and real
 * threads with invariants only.
 */
class LimiterStateLaneTest {

    private final ManualClock clock = new ManualClock(0L, 0L);

    private static LimiterState laned(LimiterConfig.Builder b) {
        return new LimiterState(b.build(), true);
    }

    /** A call under the owner's lock, as the store makes it: the lane closed first, then the clock read. */
    private Acquisition locked(LimiterState s) {
        s.closeLane();
        return s.tryAcquire(clock.nanoTime());
    }

    private long fastAt(LimiterState s, long at) {
        clock.setNanos(at);
        return s.grantFast(clock);
    }

    @Test
    void theLaneOpensWithAGrantUnderTheLockAndSpacesItsGrantsTwoIntervalsApart() {
        // 10/s: interval 100 ms; the grid's next grant after 0 is at 100 ms, then the lane's spacing is 200 ms
        LimiterState s = laned(LimiterConfig.builder().maxRate(10));
        assertEquals(NO_GRANT, fastAt(s, 0L), "no lane before the first grant");
        assertTrue(locked(s).granted());
        assertEquals(NO_GRANT, fastAt(s, 99_999_999L), "the grid's next grant is at 100 ms");
        assertEquals(100_000_000L, fastAt(s, 100_000_000L));
        assertEquals(NO_GRANT, fastAt(s, 299_999_999L), "two intervals after the lane's last grant");
        assertEquals(300_000_000L, fastAt(s, 300_000_000L));
        assertEquals(3L, s.granted());
        assertEquals(3L, s.snapshot(clock.nanoTime()).granted());
    }

    @Test
    void aCallerTheLaneTurnsAwayIsAnsweredByTheRules() {
        LimiterState s = laned(LimiterConfig.builder().maxRate(10));
        assertTrue(locked(s).granted()); // 0
        assertEquals(100_000_000L, fastAt(s, 100_000_000L));
        assertEquals(NO_GRANT, fastAt(s, 200_000_000L));
        clock.setNanos(200_000_000L);
        Acquisition a = locked(s); // the grid allows it: 100 ms after the lane's grant
        assertTrue(a.granted(), a.toString());
        assertEquals(200_000_000L, a.grantedAt());
    }

    @Test
    void closingBooksTheLanesGrantsAsTheRulesWould() {
        LimiterState s = laned(LimiterConfig.builder().maxRate(10));
        assertTrue(locked(s).granted()); // 0
        assertEquals(100_000_000L, fastAt(s, 100_000_000L));
        assertEquals(300_000_000L, fastAt(s, 300_000_000L));
        clock.setNanos(350_000_000L);
        // the rules: 300 ms is 200 ms after the grid's 100 ms, so it restarts: next at 400 ms
        Acquisition a = locked(s);
        assertFalse(a.granted());
        assertEquals(50_000_000L, a.waitNanos());
        assertEquals(Acquisition.WaitReason.PACING, a.reason());
        assertEquals(3L, s.granted());
    }

    @Test
    void oneGrantThroughTheLaneKeepsTheGridExactly() {
        // as LimiterStateTest.aCallerLateByLessThanOneIntervalStaysOnTheGrid: late by 50 ms, the next one is on time
        LimiterState s = laned(LimiterConfig.builder().maxRate(10));
        assertTrue(locked(s).granted()); // 0
        assertEquals(150_000_000L, fastAt(s, 150_000_000L));
        clock.setNanos(200_000_000L);
        Acquisition a = locked(s);
        assertTrue(a.granted(), a.toString());
        assertEquals(200_000_000L, a.grantedAt());
    }

    @Test
    void theLanesFirstGrantsMeetTheWindowGuardOfTheGrantsBeforeIt() {
        // 3/s: interval 333,333,333 ns; guard 3 per W' = 1.001 s. Grants at 0, 665 ms (late on the grid, so it
        // stays on it) and 666,666,666 ns: the lane's first grant would be the 4th within 1.001 s of the one at 0
        LimiterState s = laned(LimiterConfig.builder().maxRate(3));
        for (long at : new long[] {0L, 665_000_000L, 666_666_666L}) {
            clock.setNanos(at);
            assertTrue(locked(s).granted(), "at " + at);
        }
        assertEquals(NO_GRANT, fastAt(s, 999_999_999L), "the grid allows it, the guard does not");
        assertEquals(NO_GRANT, fastAt(s, 1_000_999_999L));
        assertEquals(1_001_000_000L, fastAt(s, 1_001_000_000L));
    }

    @Test
    void noLaneWithAQuota() {
        LimiterState s = laned(LimiterConfig.builder().maxRate(1000).quota(100).quotaWindow(Duration.ofSeconds(1)));
        assertTrue(locked(s).granted());
        assertEquals(NO_GRANT, fastAt(s, 10_000_000L));
    }

    @Test
    void aThrottleClosesTheLaneAndNoneOpensDuringItsPause() {
        // 1000/s: interval 1 ms, lane spacing 2 ms
        LimiterState s = laned(LimiterConfig.builder().maxRate(1000));
        Acquisition g = locked(s); // 0
        assertEquals(1_000_000L, fastAt(s, 1_000_000L));
        s.record(Feedback.throttled(g.grantedAt(), 429, 1_000_000_000L), 1_500_000L); // paused until 1.0015 s
        assertEquals(NO_GRANT, fastAt(s, 3_000_000L), "a record closes the lane");
        Acquisition paused = locked(s);
        assertFalse(paused.granted());
        assertEquals(Acquisition.WaitReason.PAUSED, paused.reason());
        assertEquals(NO_GRANT, fastAt(s, 1_100_000_000L), "nothing opened it since");
        assertTrue(locked(s).granted());
        assertEquals(1_101_000_000L, fastAt(s, 1_101_000_000L), "open again after a grant past the pause");
    }

    @Test
    void noLaneWhileAProviderCeilingIsInForce() {
        LimiterState s = laned(LimiterConfig.builder().maxRate(1000));
        assertTrue(locked(s).granted()); // 0
        // 50 calls left for the next 10 s: a ceiling of about 5/s until then
        s.record(Feedback.success(0L, 200).withProviderQuota(new ProviderQuota(-1, 50, 10_000_000_000L, -1)), 1_000L);
        clock.setNanos(200_000_000L);
        assertTrue(locked(s).granted());
        assertEquals(NO_GRANT, fastAt(s, 500_000_000L));
        assertEquals(NO_GRANT, fastAt(s, 5_000_000_000L));
    }

    @Test
    void theLaneKeepsALateStartsLengthenedWindowPastTheUnlengthenedOne() {
        // 2/s: 2 grants per W' = 1.001 s; the call of the grant at 0 started 5 ms late: the third grant waits for
        // 1.005 s, also through the lane, which opened with the grant at 0.5 s and still sees the grant at 0
        LimiterState s = laned(LimiterConfig.builder().maxRate(2));
        assertTrue(locked(s).granted()); // 0
        s.started(0L, 5_000_000L);
        clock.setNanos(500_000_000L);
        assertTrue(locked(s).granted());
        assertEquals(NO_GRANT, fastAt(s, 1_003_000_000L));
        assertEquals(NO_GRANT, fastAt(s, 1_004_999_999L));
        assertEquals(1_005_000_000L, fastAt(s, 1_005_000_000L));
    }

    @Test
    void aLateStartClosesTheLaneAndItReopensWithTheWindowsLengthened() {
        // 1/s: guard 1 per W' = 1.001 s; a call 21 ms late lengthens it by 20 ms (21 ms less its 1 ms guard)
        LimiterState s = laned(LimiterConfig.builder().maxRate(1));
        assertTrue(locked(s).granted()); // 0
        s.started(0L, 21_000_000L);
        clock.setNanos(1_001_000_000L);
        Acquisition a = locked(s);
        assertFalse(a.granted());
        assertEquals(20_000_000L, a.waitNanos());
        clock.setNanos(1_021_000_000L);
        assertTrue(locked(s).granted());
        // the lane opened with the lengthened window: 1.021 s after this grant, not 1.001 s
        assertEquals(NO_GRANT, fastAt(s, 2_041_999_999L));
        assertEquals(2_042_000_000L, fastAt(s, 2_042_000_000L));
    }

    @Test
    void aResetOrARecordFirstBooksTheLanesGrants() {
        LimiterState s = laned(LimiterConfig.builder().maxRate(100));
        assertTrue(locked(s).granted());
        for (int i = 1; i <= 5; i++) {
            assertEquals(i * 20_000_000L, fastAt(s, i * 20_000_000L));
        }
        s.reset();
        assertEquals(6L, s.granted());
        assertNull(s.tryAcquireFast(clock), "closed by the reset");
    }

    private long stripeAt(LimiterState s, long at, boolean secondFirst) {
        clock.setNanos(at);
        return s.grantFast(clock, secondFirst);
    }

    @Test
    void theSecondStripeGrantsOnceTheGrantsBeforeTheLaneAreOutOfTheWindowAndClosingKeepsTheGridBehindBoth() {
        // 10,000/s: interval 100 us; guard 10,000 per W' = 1.001 s; stripes spaced max(2 * 100 us,
        // ceil(2 * 1.001 s / 9,999)) = 200,221 ns; the second stripe's first grant comes 1.001 s after the opening
        LimiterState s = laned(LimiterConfig.builder().maxRate(10_000));
        assertTrue(locked(s).granted()); // 0
        assertEquals(100_000L, stripeAt(s, 100_000L, true), "the second stripe waits, the first grants on the grid");
        assertEquals(NO_GRANT, stripeAt(s, 300_220L, false), "200,221 ns after the first stripe's grant");
        assertEquals(1_000_999_999L, stripeAt(s, 1_000_999_999L, true), "the first stripe again, the second not yet");
        assertEquals(0L, s.secondStripeGrants());
        assertEquals(1_001_000_000L, stripeAt(s, 1_001_000_000L, true));
        assertEquals(1L, s.secondStripeGrants());
        assertEquals(NO_GRANT, stripeAt(s, 1_001_000_001L, false), "both stripes granted within 200,221 ns");
        assertEquals(1_001_200_220L, stripeAt(s, 1_001_200_220L, true), "the second waits, the first grants");
        assertEquals(1_001_200_221L, stripeAt(s, 1_001_200_221L, true), "the second, a nanosecond later");
        assertEquals(6L, s.granted());
        // closing: the last grant at 1,001,200,221, the other stripe's at 1,001,200,220: the grid goes on at
        // max(1,001,200,221 + 100 us, 1,001,200,220 + 2 * 100 us); the rules alone would keep 1,001,399,999
        s.closeLane();
        assertEquals(1_001_400_220L, s.tat());
        clock.setNanos(1_001_400_219L);
        Acquisition a = s.tryAcquire(clock.nanoTime());
        assertFalse(a.granted());
        assertEquals(1L, a.waitNanos());
        assertEquals(6L, s.granted());
    }

    @Test
    void aThreadWhoseOwnStripeMadeItWaitWhileTheOtherGrantedTakesTheOtherAsItsOwn() throws Exception {
        // 10,000/s as above: both stripes free at 1.001 s, each then waits 200,221 ns after its grant. Run in a
        // thread of its own: its first choice is its id's parity, and what it learns stays with it
        inThreadOfItsOwn(false, () -> {
            boolean secondFirst = (Thread.currentThread().getId() & 1L) != 0;
            LimiterState s = laned(LimiterConfig.builder().maxRate(10_000));
            assertTrue(locked(s).granted()); // 0: the lane opens
            long t1 = 1_001_000_000L;
            assertEquals(t1, fastAt(s, t1));
            assertEquals(secondFirst ? 1L : 0L, s.secondStripeGrants(), "its own stripe first: its id's parity");
            assertEquals(t1 + 1, fastAt(s, t1 + 1), "its own stripe waits, the other grants");
            assertEquals(1L, s.secondStripeGrants());
            assertEquals(t1 + 200_222L, fastAt(s, t1 + 200_222L), "both stripes free again");
            assertEquals(secondFirst ? 1L : 2L, s.secondStripeGrants(), "the other stripe is now its own");
            // a caller that chooses (tests) neither reads nor changes what the thread learned
            clock.setNanos(t1 + 400_444L);
            assertEquals(t1 + 400_444L, s.grantFast(clock, secondFirst));
            assertEquals(t1 + 600_666L, fastAt(s, t1 + 600_666L));
            assertEquals(secondFirst ? 2L : 3L, s.secondStripeGrants());
        });
    }

    @Test
    void aSecondStripeNotOpenYetDoesNotTurnItsThreadToTheFirst() throws Exception {
        // 10,000/s as above: the second stripe opens 1.001 s after the lane; until then the first grants. A thread
        // whose own stripe is the second (an odd id) keeps it: every lane opening (each GC pause closes the lane)
        // would otherwise send it to the first, to share that with the first's thread until their next clash
        inThreadOfItsOwn(true, () -> {
            LimiterState s = laned(LimiterConfig.builder().maxRate(10_000));
            assertTrue(locked(s).granted()); // 0: the lane opens
            assertEquals(300_000L, fastAt(s, 300_000L), "the second stripe is not open yet: the first grants");
            assertEquals(0L, s.secondStripeGrants());
            assertEquals(1_001_000_000L, fastAt(s, 1_001_000_000L));
            assertEquals(1L, s.secondStripeGrants(), "its own stripe is still the second");
        });
    }

    /**
     * Runs {@code body} in a new thread (what a thread learns of the stripes stays with it) and rethrows what it
     * threw; {@code oddId}: a thread whose id is odd (its own stripe at first: the second), else any.
     */
    private static void inThreadOfItsOwn(boolean oddId, org.junit.jupiter.api.function.Executable body)
            throws InterruptedException {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Runnable run = () -> {
            try {
                body.execute();
            } catch (Throwable e) {
                failed.set(e);
            }
        };
        Thread t = new Thread(run);
        while (oddId && (t.getId() & 1L) == 0) {
            t = new Thread(run);
        }
        t.start();
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
    }

    /**
     * Closes the lane and compares the grid with the rules': the same after one stripe; at or after theirs once the
     * second stripe granted (the rules are then given ours). Returns 1 for a close after the second stripe, else 0.
     */
    private static int closeComparingGrids(LimiterState s, LimiterState rules, boolean secondUsed) {
        s.closeLane();
        if (!secondUsed) {
            assertEquals(rules.tat(), s.tat(), "one stripe: the rules' grid exactly");
            return 0;
        }
        assertTrue(s.tat() >= rules.tat(), "grid " + s.tat() + " before the rules' " + rules.tat());
        rules.tat(s.tat());
        return 1;
    }

    /**
     * As {@link #everythingTheLaneGrantsTheRulesAloneWouldHaveGranted}, at rates with two stripes and arrivals
     * mostly slower than they pace (so the second one opens), each lane grant from a stripe chosen at random. While
     * the second stripe has granted nothing the lane is held to the rules exactly; after that its grants are held
     * to every rule but the grid, and when it closes the grid it leaves must be at or after the one the rules
     * keep through the same grants (they are then given ours).
     */
    @ParameterizedTest
    @ValueSource(doubles = {10_000, 100_000, 1_000_000, 1e9})
    void withTwoStripesEverythingTheLaneGrantsKeepsEveryRuleButTheGrid(double rate) {
        LimiterConfig config = LimiterConfig.builder().maxRate(rate).minRate(1)
                .signalCooldown(Duration.ofMillis(100)).build();
        LimiterState s = new LimiterState(config, true);
        LimiterState rules = new LimiterState(config);
        Random random = new Random(Double.hashCode(rate) * 17L + 3);
        long t = 1_000L;
        long lastGrant = Long.MIN_VALUE;
        boolean secondUsed = false;
        int viaSecond = 0;
        int viaLane = 0;
        int closedAfterSecond = 0;
        for (int i = 0; i < 400_000; i++) {
            // calm spells long enough for the second stripe to open (the ring's grants out of the window: up to
            // 65,536 intervals), calls more than 2 intervals apart until it does; then busy spells
            boolean calm = i % 32_000 < 30_000;
            long interval = LimiterState.intervalNanos(rules.rate(t));
            // once the second stripe grants: mostly 1-3.5 intervals apart (the stripes take turns), sometimes
            // closer (both may refuse: the lock then closes the lane)
            t += !calm ? (long) (random.nextDouble() * (random.nextBoolean() ? 1 : 6) * interval)
                    : !secondUsed ? 3 * interval + (long) (random.nextDouble() * 2 * interval)
                    : random.nextInt(100) < 99 ? interval + 1 + (long) (random.nextDouble() * 2.5 * interval)
                    : (long) (random.nextDouble() * 2 * interval);
            clock.setNanos(t);
            int op = random.nextInt(100_000);
            if (op < (calm ? 1 : 200)) { // anything but a grant closes the lane first: compare the grids then
                closedAfterSecond += closeComparingGrids(s, rules, secondUsed);
                secondUsed = false;
                if (op < 50 && lastGrant != Long.MIN_VALUE) {
                    Feedback f = Feedback.throttled(lastGrant, 429, random.nextBoolean() ? -1L
                            : (long) (random.nextDouble() * 2 * interval));
                    s.record(f, t);
                    rules.record(f, t);
                } else if (op < 100 && lastGrant != Long.MIN_VALUE) {
                    long late = (long) (random.nextDouble() * 3 * interval);
                    s.started(lastGrant, t + late);
                    rules.started(lastGrant, t + late);
                    t += late;
                } else if (op < 150) {
                    s.reset();
                    rules.reset();
                }
                continue;
            }
            long second = s.secondStripeGrants();
            long at = s.grantFast(clock, random.nextBoolean());
            if (at != NO_GRANT) {
                viaLane++;
                if (s.secondStripeGrants() > second) {
                    viaSecond++;
                    secondUsed = true;
                }
                Acquisition same = secondUsed ? rules.tryAcquireOffGrid(at) : rules.tryAcquire(at);
                assertTrue(same.granted(), "lane grant at " + at + (secondUsed ? " (two stripes)" : "")
                        + ": the rules say " + same);
            } else {
                closedAfterSecond += closeComparingGrids(s, rules, secondUsed);
                secondUsed = false;
                Acquisition a = s.tryAcquire(t);
                if (!a.granted()) {
                    continue;
                }
                at = a.grantedAt();
                Acquisition same = rules.tryAcquire(at);
                assertTrue(same.granted(), "locked grant at " + at + ": the rules say " + same);
            }
            lastGrant = at;
        }
        s.closeLane();
        assertEquals(rules.granted(), s.granted());
        assertTrue(viaSecond > 1_000 && closedAfterSecond >= 10, "the second stripe was used: " + viaSecond
                + " grants of " + viaLane + " through the lane, " + closedAfterSecond + " closings after it");
    }

    /**
     * Random arrivals, throttles (with and without Retry-After), provider reports, late starts and resets, the lane first
     * and the lock when it says no; a state without a lane is given exactly the grants made, at their times, and
     * every signal. It must grant each one: the lane and what it books are never looser than the rules.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1.5, 3, 10, 60, 1_000, 100_000})
    void everythingTheLaneGrantsTheRulesAloneWouldHaveGranted(double rate) {
        LimiterConfig config = LimiterConfig.builder().maxRate(rate).minRate(Math.min(1, rate))
                .signalCooldown(Duration.ofMillis(100)).build();
        LimiterState s = new LimiterState(config, true);
        LimiterState rules = new LimiterState(config);
        Random random = new Random(Double.hashCode(rate) * 31L + 7);
        long t = 1_000L;
        long lastGrant = Long.MIN_VALUE;
        int viaLane = 0;
        int viaLock = 0;
        java.util.ArrayDeque<String> log = new java.util.ArrayDeque<>();
        for (int i = 0; i < 30_000; i++) {
            if (log.size() > 12) {
                log.removeFirst();
            }
            long interval = LimiterState.intervalNanos(rules.rate(t)); // arrivals around the rate of the moment
            int gap = random.nextInt(100);
            t += gap < 50 ? (long) (random.nextDouble() * interval / 4)
                    : gap < 95 ? (long) (random.nextDouble() * 2 * interval)
                    : (long) (random.nextDouble() * Math.min(3_000_000_000L, 20 * interval));
            clock.setNanos(t);
            int op = random.nextInt(1000);
            if (op < 5 && lastGrant != Long.MIN_VALUE) {
                Feedback f = Feedback.throttled(lastGrant, 429, random.nextBoolean() ? -1L
                        : (long) (random.nextDouble() * 2 * interval));
                s.record(f, t);
                rules.record(f, t);
                log.add("throttle " + f + " at " + t + " rate " + rules.rate(t));
            } else if (op < 7 && lastGrant != Long.MIN_VALUE) {
                long late = (long) (random.nextDouble() * 60_000_000L);
                s.started(lastGrant, t + late);
                rules.started(lastGrant, t + late);
                log.add("started " + lastGrant + " at " + (t + late));
                t += late;
            } else if (op < 8) {
                Feedback f = Feedback.success(Math.max(0L, lastGrant), 200).withProviderQuota(
                        new ProviderQuota(-1, 1 + random.nextInt(100), (long) (random.nextDouble() * 2e9), -1));
                s.record(f, t);
                rules.record(f, t);
                log.add("quota " + f + " at " + t);
            } else if (op < 9) {
                s.reset();
                rules.reset();
                log.add("reset at " + t);
            } else {
                long at = s.grantFast(clock);
                boolean viaLaneNow = at != NO_GRANT;
                if (at != NO_GRANT) {
                    viaLane++;
                } else {
                    Acquisition a = locked(s);
                    if (!a.granted()) {
                        continue;
                    }
                    at = a.grantedAt();
                    viaLock++;
                }
                Acquisition same = rules.tryAcquire(at);
                log.add((viaLane + viaLock) + " granted at " + at + (viaLaneNow ? " lane" : " lock") + " rate "
                        + rules.rate(at));
                assertTrue(same.granted(), "grant " + (viaLane + viaLock) + " at " + at + " (lane grants " + viaLane
                        + "): the rules alone say " + same + "\n" + String.join("\n", log));
                lastGrant = at;
            }
        }
        s.closeLane();
        assertEquals(rules.granted(), s.granted());
        assertTrue(viaLane > 20 && viaLane > (viaLane + viaLock) / 20,
                "the lane was used: " + viaLane + " of " + (viaLane + viaLock));
    }

    /**
     * Threads take permits through the store (the lane, else the lock) at a rate they exceed; afterwards the grant
     * times, in order, must each be granted by a state without a lane (by every rule but the grid where the lane has
     * two stripes), and the store must have counted every one.
     * Real threads and clock: invariants only.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void threadsThroughTheLaneNeverExceedTheRulesAndEveryGrantIsCounted() throws Exception {
        for (double rate : new double[] {2_000, 200_000, 1e9}) {
            LimiterConfig config = LimiterConfig.builder().maxRate(rate).build();
            InMemoryLimiterStore store = new InMemoryLimiterStore(Clock.system());
            int threads = 4;
            int calls = 50_000;
            long[][] times = new long[threads][calls];
            int[] counts = new int[threads];
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < calls; i++) {
                        Acquisition a = store.acquireNow("lane", config);
                        if (a.granted()) {
                            times[me][counts[me]++] = a.grantedAt();
                        }
                    }
                });
                started.add(th);
                th.start();
            }
            for (Thread th : started) {
                th.join();
            }
            int total = 0;
            for (int c : counts) {
                total += c;
            }
            long[] all = new long[total];
            int n = 0;
            for (int t = 0; t < threads; t++) {
                System.arraycopy(times[t], 0, all, n, counts[t]);
                n += counts[t];
            }
            Arrays.sort(all);
            LimiterState rules = new LimiterState(config);
            // two stripes (10,000/s and more) keep every rule but the grid, and may grant in the same nanosecond
            boolean striped = rate >= 10_000;
            for (int i = 0; i < all.length; i++) {
                assertTrue(i == 0 || striped || all[i] > all[i - 1], "two grants stamped alike at " + all[i]);
                Acquisition same = striped ? rules.tryAcquireOffGrid(all[i]) : rules.tryAcquire(all[i]);
                assertTrue(same.granted(), "rate " + rate + ": grant " + i + " of " + total + " at " + all[i]
                        + ": the rules alone say " + same);
            }
            assertEquals(total, store.snapshot("lane", config).toCompletableFuture().join().granted());
            assertTrue(total > 0);
        }
    }
}
