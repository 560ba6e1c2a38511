package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.LimiterState;
import io.github.camelratelimit.core.ProviderQuota;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Lua scripts against {@link LimiterState}, step by step: the same seeded random sequence of acquires,
 * throttles (with and without Retry-After), provider quota reports, snapshots and resets, at the same instants
 * (the scripts' test-only time override, in whole microseconds), must give the same answers: granted or not,
 * the exact wait and interval in nanoseconds, the reason, whether a throttle cut, and the same snapshot. This is
 * what "the same rules as the core" means, checked on thousands of steps per config.
 *
 * <p>The window guard (never more grants than the rate in any window, with the dispatch guard) is checked twice:
 * in the random sequences (configs whose guard binds: a low whole rate, rates below 1/s, rates crossing 1/s) and
 * in eager-caller scenarios run first on the core, then replayed on the scripts in one pipeline (late wake-ups,
 * a provider limit falling and rising, a quota, and the approximate guard above 65,536 grants per second).
 */
class RedisScriptParityTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static RedisLimiterStore store;
    private static int limiters;

    @BeforeAll
    static void open() {
        store = RedisLimiterStore.create(RedisURI.create(REDIS.uri()),
                RedisStoreSettings.builder().keyPrefix("parity").timeout(Duration.ofSeconds(5))
                        .fallback(RedisStoreSettings.Fallback.FAIL).build(),
                Clock.system());
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    static Stream<LimiterConfig> configs() {
        return Stream.of(
                LimiterConfig.defaults(),
                LimiterConfig.builder().minRate(2).maxRate(300).signalCooldown(Duration.ofMillis(40)).build(),
                LimiterConfig.builder().minRate(5).maxRate(500).quota(20).quotaWindow(Duration.ofMillis(100))
                        .signalCooldown(Duration.ofMillis(20)).maxPause(Duration.ofMillis(250)).build(),
                LimiterConfig.builder().minRate(0.5).maxRate(2000).recoveryScale(800).decreaseFactor(0.5)
                        .quota(3).quotaWindow(Duration.ofNanos(7_777_000)).signalCooldown(Duration.ZERO)
                        .quotaSafetyMargin(0.25).build(),
                LimiterConfig.builder().minRate(1).maxRate(77.7).quota(50).quotaWindow(Duration.ofSeconds(1))
                        .signalCooldown(Duration.ofMillis(5)).build(),
                // a low whole rate: the window guard binds (5 per 1.001 s)
                LimiterConfig.builder().minRate(1).maxRate(5).signalCooldown(Duration.ofMillis(300)).build(),
                // below 1/s: n = 1, W = one interval
                LimiterConfig.builder().minRate(0.3).maxRate(0.8).signalCooldown(Duration.ofSeconds(2)).build(),
                // cuts and provider reports cross 1/s; a quota over 2 s (guard 2 ms)
                LimiterConfig.builder().minRate(0.5).maxRate(3).quota(4).quotaWindow(Duration.ofSeconds(2))
                        .signalCooldown(Duration.ofMillis(500)).build());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void scriptsDecideExactlyAsLimiterState(LimiterConfig config) {
        String limiter = "p" + (++limiters);
        LimiterState core = new LimiterState(config);
        SplittableRandom rnd = new SplittableRandom(20260101L + limiters);
        long now = 5_000_000L; // microseconds
        List<Long> grants = new ArrayList<>();
        long typicalMicros = Math.max(1, (long) (1e6 / config.maxRate()));
        int[] seen = new int[7]; // granted, pacing, quota, paused, cuts, snapshots, window-guard waits
        for (int step = 0; step < 2500; step++) {
            // time moves by at least 1 us per step: mostly around the interval, sometimes a long idle
            int shape = rnd.nextInt(40);
            now += shape == 0 ? 1 + rnd.nextLong(300_000) : 1 + rnd.nextLong(typicalMicros);
            long nanos = now * 1000L;
            String at = "step " + step + " at " + now + " us";
            int op = rnd.nextInt(100);
            if (op < 60) {
                Acquisition expected = core.tryAcquire(nanos);
                Acquisition actual = RedisLimiterScripts.parseAcquire(
                        store.evalAt(RedisLimiterScripts.ACQUIRE, limiter, config, now).join()).value();
                assertEquals(expected.granted(), actual.granted(), at + " granted");
                assertEquals(expected.waitNanos(), actual.waitNanos(), at + " wait");
                assertEquals(expected.intervalNanos(), actual.intervalNanos(), at + " interval");
                assertEquals(expected.reason(), actual.reason(), at + " reason");
                seen[actual.granted() ? 0 : actual.reason().ordinal()]++;
                if (!actual.granted() && guardWait(grants, nanos + actual.waitNanos(), actual.intervalNanos())) {
                    seen[6]++;
                }
                if (actual.granted()) {
                    assertEquals(now, actual.grantedAt(), at + " grantedAt is the server time");
                    grants.add(now);
                }
            } else if (op < 88) {
                // a calm first phase (no throttles, no quota reports) lets the rate reach the quota
                Feedback f = step < 500 ? Feedback.success(now, 200) : feedback(rnd, grants, now);
                boolean expected = core.record(toCoreTime(f), nanos);
                boolean actual = RedisLimiterScripts.parseRecord(store.evalAt(RedisLimiterScripts.RECORD, limiter,
                        config, now, RedisLimiterScripts.recordArgs(f)).join()).value();
                assertEquals(expected, actual, at + " cut by " + f);
                seen[4] += actual ? 1 : 0;
            } else if (op < 98) {
                LimiterSnapshot expected = core.snapshot(nanos);
                LimiterSnapshot actual = RedisLimiterScripts.parseSnapshot(
                        store.evalAt(RedisLimiterScripts.SNAPSHOT, limiter, config, now).join(), config).value();
                assertEquals(expected.rate(), actual.rate(), Math.abs(expected.rate()) * 1e-12, at + " rate");
                assertEquals(expected.pauseRemainingNanos(), actual.pauseRemainingNanos(), at + " pause");
                assertEquals(expected.cuts(), actual.cuts(), at + " cuts");
                assertEquals(expected.scale(), actual.scale(), 0.0, at + " scale");
                assertEquals(expected.granted(), actual.granted(), at + " granted count");
                assertEquals(expected.throttled(), actual.throttled(), at + " throttled count");
                assertEquals(expected.quotaUsed(), actual.quotaUsed(), at + " quota used");
                seen[5]++;
            } else {
                core.reset();
                store.evalAt(RedisLimiterScripts.RESET, limiter, config, now).join();
            }
        }
        // the sequence really went through every branch (a cut needs two throttles at least 100 ms apart, so
        // cuts are rarer than the other branches)
        String counts = "granted/pacing/quota/paused/cuts/snapshots/window: " + java.util.Arrays.toString(seen);
        assertTrue(seen[0] > 50 && seen[1] > 50 && seen[3] > (config.maxRate() < 1 ? 5 : 20) && seen[4] > 2
                && seen[5] > 50, counts);
        assertTrue(!config.hasQuota() || seen[2] > 5, counts);
        if (config.maxRate() <= 5) {
            assertTrue(seen[6] > 10, counts);
        }
    }

    /**
     * {@code true} when a wait ends exactly when the window guard allows: one W' (1.001 s, or 1.001 intervals
     * for n = 1) after a remembered grant. A test heuristic to count the branch, not a rule.
     */
    private static boolean guardWait(List<Long> grantsMicros, long endNanos, long interval) {
        for (int i = grantsMicros.size() - 1; i >= 0 && i >= grantsMicros.size() - 200; i--) {
            long g = grantsMicros.get(i) * 1000L;
            if (g + 1_001_000_000L == endNanos || g + interval + interval / 1000 == endNanos) {
                return true;
            }
        }
        return false;
    }

    // ---- eager callers: the core decides, the scripts replay every step in one pipeline ----

    /** One step of a replay: an acquire (feedback == null) or a record, at a whole microsecond. */
    private record Step(long micros, Feedback feedback, Acquisition acquisition, boolean cut) {
    }

    /**
     * An eager caller on the core from {@code fromMicros} to {@code untilMicros}: asks; after a grant asks again
     * {@code afterGrant} us later; after a wait, when told (rounded up to a whole us) plus {@code late} us.
     * {@code reports} are applied (recorded) at the first ask at or after their time.
     */
    private static List<Step> eager(LimiterState core, long fromMicros, long untilMicros, long afterGrantMicros,
            java.util.function.LongSupplier lateMicros, java.util.NavigableMap<Long, Feedback> reports) {
        List<Step> steps = new ArrayList<>();
        java.util.NavigableMap<Long, Feedback> pending = new java.util.TreeMap<>(reports);
        long now = fromMicros;
        while (now < untilMicros) {
            while (!pending.isEmpty() && pending.firstKey() <= now) {
                Feedback f = pending.pollFirstEntry().getValue();
                steps.add(new Step(now, f, null, core.record(toCoreTime(f), now * 1000L)));
                now++;
            }
            Acquisition a = core.tryAcquire(now * 1000L);
            steps.add(new Step(now, null, a, false));
            now += a.granted() ? afterGrantMicros : (a.waitNanos() + 999) / 1000 + lateMicros.getAsLong();
        }
        return steps;
    }

    /** Replays the core's steps on the scripts (pipelined, in order) and compares every answer; returns the grants. */
    private static List<Long> replay(String limiter, LimiterConfig config, List<Step> steps) {
        // load both scripts first: a NOSCRIPT retry inside the pipeline would reorder the steps
        store.evalAt(RedisLimiterScripts.ACQUIRE, limiter + "-load", config, 1).join();
        store.evalAt(RedisLimiterScripts.RECORD, limiter + "-load", config, 1,
                RedisLimiterScripts.recordArgs(Feedback.success(1, 200))).join();
        List<java.util.concurrent.CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (Step st : steps) {
            replies.add(st.feedback() == null
                    ? store.evalAt(RedisLimiterScripts.ACQUIRE, limiter, config, st.micros())
                    : store.evalAt(RedisLimiterScripts.RECORD, limiter, config, st.micros(),
                            RedisLimiterScripts.recordArgs(st.feedback())));
            if (replies.size() % 1000 == 0) {
                replies.get(replies.size() - 1).join(); // batches of 1000 keep each call within the timeout
            }
        }
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step st = steps.get(i);
            String at = "step " + i + " at " + st.micros() + " us";
            if (st.feedback() != null) {
                assertEquals(st.cut(), RedisLimiterScripts.parseRecord(replies.get(i).join()).value(), at + " cut");
                continue;
            }
            Acquisition expected = st.acquisition();
            Acquisition actual = RedisLimiterScripts.parseAcquire(replies.get(i).join()).value();
            assertEquals(expected.granted(), actual.granted(), at + " granted");
            assertEquals(expected.waitNanos(), actual.waitNanos(), at + " wait");
            assertEquals(expected.intervalNanos(), actual.intervalNanos(), at + " interval");
            assertEquals(expected.reason(), actual.reason(), at + " reason");
            if (actual.granted()) {
                assertEquals(st.micros(), actual.grantedAt(), at + " grantedAt");
                grants.add(st.micros() * 1000L);
            }
        }
        return grants;
    }

    /** No half-open window of {@code window} ns over the sorted grants holds more than {@code max}. */
    private static void assertMaxPerWindow(List<Long> sorted, int max, long window) {
        int lo = 0;
        for (int hi = 0; hi < sorted.size(); hi++) {
            while (sorted.get(hi) - sorted.get(lo) >= window) {
                lo++;
            }
            int count = hi - lo + 1;
            if (count > max) {
                throw new AssertionError(count + " grants within " + window + " ns ending at " + sorted.get(hi)
                        + " (max " + max + ")");
            }
        }
    }

    private static java.util.NavigableMap<Long, Feedback> noReports() {
        return new java.util.TreeMap<>();
    }

    @Test
    void lateWakeUpsAtAWholeRate() {
        LimiterConfig c = LimiterConfig.builder().maxRate(10).build();
        SplittableRandom late = new SplittableRandom(61);
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 31_000_000, 1, () -> late.nextLong(99_000), noReports());
        List<Long> grants = replay("eager-late", c, steps);
        assertTrue(grants.size() > 250, "grants " + grants.size());
        assertMaxPerWindow(grants, 10, 1_001_000_000L);
    }

    @Test
    void lateWakeUpsBelowOnePerSecond() {
        LimiterConfig c = LimiterConfig.builder().minRate(0.5).maxRate(0.5).build(); // 2 s, W' = 2.002 s
        SplittableRandom late = new SplittableRandom(62);
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 121_000_000, 1, () -> late.nextLong(1_900_000),
                noReports());
        List<Long> grants = replay("eager-slow", c, steps);
        assertTrue(grants.size() > 25, "grants " + grants.size());
        assertMaxPerWindow(grants, 1, 2_002_000_000L);
    }

    @Test
    void aProviderLimitFallsAndRises() {
        LimiterConfig c = LimiterConfig.builder().maxRate(10).quotaSafetyMargin(0).build();
        java.util.NavigableMap<Long, Feedback> reports = new java.util.TreeMap<>();
        reports.put(1_950_000L, Feedback.success(1_000_000L, 200).withProviderQuota(new ProviderQuota(5, -1, -1,
                1_000_000_000L))); // 5 per s
        reports.put(5_000_000L, Feedback.success(1_000_000L, 200).withProviderQuota(new ProviderQuota(20, -1, -1,
                1_000_000_000L))); // 20 per s, capped by maxRate 10
        reports.put(8_000_000L, Feedback.success(1_000_000L, 200).withProviderQuota(new ProviderQuota(1, -1, -1,
                2_000_000_000L))); // 0.5 per s: n = 1
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 16_000_000, 1, () -> 0L, reports);
        List<Long> grants = replay("eager-provider", c, steps);
        assertMaxPerWindow(grants, 10, 1_001_000_000L);
    }

    @Test
    void probesAboveAMeasuredCapacity() {
        // an eager caller at maxRate 100; an event measured at about 18/s (41 throttles of older calls in its 0.5 s)
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        java.util.NavigableMap<Long, Feedback> reports = new java.util.TreeMap<>();
        reports.put(1_500_000L, Feedback.throttled(1_490_000L, 429, -1L)); // opens the event
        for (int i = 0; i < 40; i++) {
            reports.put(1_600_000L + i * 10_000L, Feedback.throttled(1_000_000L, 429, -1L));
        }
        reports.put(2_000_000L, Feedback.throttled(1_600_000L, 429, -1L)); // cuts: Wmax is the measured 18/s
        reports.put(4_300_000L, Feedback.throttled(4_200_000L, 429, -1L)); // sent in the probe: cuts at once
        reports.put(4_500_000L, Feedback.throttled(4_450_000L, 429, -1L)); // on the new plateau: opens an event
        reports.put(4_700_000L, Feedback.throttled(4_600_000L, 429, -1L)); // too few calls accepted since it opened
        reports.put(5_100_000L, Feedback.throttled(5_000_000L, 429, -1L)); // 8 of them: cuts, measured anew
        reports.put(9_000_000L, Feedback.throttled(8_990_000L, 429, 1_000_000_000L)); // a probe again, paused 1 s
        reports.put(10_100_000L, Feedback.throttled(10_050_000L, 429, -1L)); // on the plateau: opens an event
        LimiterState core = new LimiterState(c);
        List<Step> steps = eager(core, 1_000_000, 12_000_000, 1, () -> 0L, reports);
        replay("eager-probe", c, steps);
        List<Boolean> cuts = new ArrayList<>();
        for (Step st : steps) {
            if (st.feedback() != null && st.feedback().grantedAt() != 1_000_000L) {
                cuts.add(st.cut());
            }
        }
        assertEquals(List.of(false, true, true, false, false, true, true, false), cuts);
        assertEquals(4, core.snapshot(12_000_000_000L).cuts());
    }

    @Test
    void anEventWithNothingAcceptedCutsAtItsSixteenthThrottle() {
        // every call granted is throttled before the next one: the event never sees 8 calls accepted, and cuts at
        // its 16th throttle, 320 ms after it opened (before its 1 s bound)
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        LimiterState core = new LimiterState(c);
        List<Step> steps = new ArrayList<>();
        long now = 1_000_000L;
        Acquisition a = core.tryAcquire(now * 1000L);
        steps.add(new Step(now, null, a, false));
        for (int i = 0; i <= LimiterState.MAX_EVENT_THROTTLES; i++) {
            assertTrue(a.granted(), "call " + i);
            now += 20_000L;
            Feedback f = Feedback.throttled(a.grantedAt() / 1000L, 429, -1L);
            steps.add(new Step(now, f, null, core.record(toCoreTime(f), now * 1000L)));
            now++;
            a = core.tryAcquire(now * 1000L);
            steps.add(new Step(now, null, a, false));
        }
        replay("sixteen", c, steps);
        List<Boolean> expected = new ArrayList<>(java.util.Collections.nCopies(LimiterState.MAX_EVENT_THROTTLES, false));
        expected.add(true);
        assertEquals(expected, cuts(steps));
    }

    @Test
    void aFastProbeAfterAQuietRecovery() {
        // an event measured at about 18/s cuts at 2 s with no Retry-After and a 10 ms round trip: C 1000, the
        // recovery turns into the fast probe at xP (1.99 s after the cut) unless a throttle comes first
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        java.util.NavigableMap<Long, Feedback> first = new java.util.TreeMap<>();
        first.put(1_500_000L, Feedback.throttled(1_490_000L, 429, -1L)); // opens the event
        for (int i = 0; i < 40; i++) {
            first.put(1_600_000L + i * 9_000L, Feedback.throttled(1_000_000L, 429, -1L));
        }
        first.put(2_000_000L, Feedback.throttled(1_990_000L, 429, -1L)); // cuts
        LimiterState core = new LimiterState(c);
        List<Step> steps = eager(core, 1_000_000, 4_150_000, 1, () -> 0L, first);
        replay("eager-fast", c, steps);
        double wMax = core.rate(2_000_000_000L) / 0.9;
        // 2.15 s after the cut the cubic would be at 1.23 Wmax, the fast probe is at 1.47 Wmax
        double rate = core.rate(4_150_000_000L);
        assertTrue(rate > 1.3 * wMax && rate < 1.6 * wMax, rate + " against Wmax " + wMax);
        LimiterSnapshot snap = RedisLimiterScripts.parseSnapshot(
                store.evalAt(RedisLimiterScripts.SNAPSHOT, "eager-fast", c, 4_150_000L).join(), c).value();
        assertEquals(core.snapshot(4_150_000_000L).rate(), snap.rate(), rate * 1e-12);
        // far up the fast probe, with the accepted rate since the cut under 1.25 Wmax: an overshoot, cut at once
        java.util.NavigableMap<Long, Feedback> then = new java.util.TreeMap<>();
        then.put(4_200_000L, Feedback.throttled(4_190_000L, 429, -1L));
        List<Step> more = eager(core, 4_150_001, 4_300_000, 1, () -> 0L, then);
        replay("eager-fast", c, more);
        long overshootCut = cutAt(more, true);
        // the next recovery's fast probe past 1.6 Wmax: a second overshoot in a row slows it and opens an event
        double wMax2 = core.rate(overshootCut * 1000L) / 0.9;
        long far = overshootCut;
        while (core.rate(far * 1000L) < 1.6 * wMax2) {
            far += 1_000L;
            assertTrue(far < overshootCut + 30_000_000L, "no fast probe past 1.6 Wmax");
        }
        java.util.NavigableMap<Long, Feedback> again = new java.util.TreeMap<>();
        again.put(far + 10_000L, Feedback.throttled(far, 429, -1L)); // opens the event
        again.put(far + 300_000L, Feedback.throttled(far + 290_000L, 429, -1L)); // cuts: fast again
        List<Step> event = eager(core, 4_300_000, far + 400_000L, 1, () -> 0L, again);
        replay("eager-fast", c, event);
        assertEquals(List.of(false, true), cuts(event));
        long eventCut = cutAt(event, true);
        // in the dips after the next cuts (each before its xP): Retry-After keeps the next recovery off the fast
        // probe, a throttle without it and a 10 ms round trip puts it back, a 550 ms round trip takes it away
        long t = eventCut;
        java.util.NavigableMap<Long, Feedback> later = new java.util.TreeMap<>();
        later.put(t + 300_000L, Feedback.throttled(t + 290_000L, 429, 0L)); // opens an event
        later.put(t + 500_000L, Feedback.throttled(t + 490_000L, 429, 0L)); // too few calls accepted yet
        later.put(t + 900_000L, Feedback.throttled(t + 890_000L, 429, 0L)); // cuts: Retry-After, no fast probe
        later.put(t + 2_300_000L, Feedback.throttled(t + 2_290_000L, 429, -1L)); // opens an event
        later.put(t + 3_300_000L, Feedback.throttled(t + 3_290_000L, 429, -1L)); // cuts (1 s): fast again
        later.put(t + 4_300_000L, Feedback.throttled(t + 4_290_000L, 429, -1L)); // opens an event
        later.put(t + 5_300_000L, Feedback.throttled(t + 4_750_000L, 429, -1L)); // cuts after a 550 ms round trip
        List<Step> rest = eager(core, far + 400_001L, t + 8_000_000L, 1, () -> 0L, later);
        replay("eager-fast", c, rest);
        assertEquals(List.of(false, false, true, false, true, false, true), cuts(rest));
    }

    /** An event measured at about 18/s that cuts at 2 s (C 1000, the fast probe past xP 1.99 s later). */
    private static java.util.NavigableMap<Long, Feedback> cutAt18() {
        java.util.NavigableMap<Long, Feedback> first = new java.util.TreeMap<>();
        first.put(1_500_000L, Feedback.throttled(1_490_000L, 429, -1L));
        for (int i = 0; i < 40; i++) {
            first.put(1_600_000L + i * 9_000L, Feedback.throttled(1_000_000L, 429, -1L));
        }
        first.put(2_000_000L, Feedback.throttled(1_990_000L, 429, -1L));
        return first;
    }

    @Test
    void anOvershootOpensAnEventWhenTheAcceptedRateRose() {
        // the eager caller takes the fast probe up to maxRate for 2 s: about 60/s accepted since the cut, well
        // over 1.25 Wmax (the capacity rose): its first throttle opens an event, the second measures it
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        java.util.NavigableMap<Long, Feedback> reports = cutAt18();
        reports.put(6_500_000L, Feedback.throttled(6_490_000L, 429, -1L));
        reports.put(6_700_000L, Feedback.throttled(6_690_000L, 429, -1L));
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 6_800_000, 1, () -> 0L, reports);
        replay("eager-rise", c, steps);
        List<Boolean> cuts = cuts(steps);
        assertEquals(List.of(false, true), cuts.subList(cuts.size() - 2, cuts.size()));
    }

    @Test
    void anOvershootOpensAnEventAfterAPause() {
        // a provider report of remaining 0, reset in 1 us, pauses the limiter after the cut (for no time, but A
        // would read low after a pause): the fast probe's overshoot then opens an event as well
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        LimiterState core = pausedAfterCutAt18("eager-paused", c, 1_000L, 2_300_000L);
        long far = firstPast(core, 2_300_000L, 1.6);
        java.util.NavigableMap<Long, Feedback> over = new java.util.TreeMap<>();
        over.put(far + 10_000L, Feedback.throttled(far, 429, -1L));
        List<Step> more = eager(core, 2_300_001L, far + 100_000L, 1, () -> 0L, over);
        replay("eager-paused", c, more);
        assertEquals(List.of(false), cuts(more), "opens an event");
    }

    @Test
    void aPausedProbeCutsAtOnce() {
        // after the cut at 2 s a provider report pauses the limiter for 0.5 s (remaining 0); the recovery's first
        // call above Wmax is throttled with Retry-After: the paused probe cuts at once, with the accepted rate
        // since the cut per second not paused, and opens no event; the next probe's throttle, without Retry-After,
        // cuts at once too (the probe rule: the paused probe's estimate is a measured Wmax)
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ZERO).build();
        LimiterState core = pausedAfterCutAt18("eager-paused-probe", c, 500_000_000L, 2_800_000L);
        long probe = firstPast(core, 2_800_000L, 1.05);
        java.util.NavigableMap<Long, Feedback> then = new java.util.TreeMap<>();
        then.put(probe + 10_000L, Feedback.throttled(probe, 429, 1_000_000_000L)); // cuts at once
        then.put(probe + 1_300_000L, Feedback.throttled(probe + 1_290_000L, 429, -1L)); // the next probe
        List<Step> more = eager(core, 2_800_001L, probe + 1_400_000L, 1, () -> 0L, then);
        replay("eager-paused-probe", c, more);
        assertEquals(List.of(true, true), cuts(more));
    }

    /**
     * {@link #cutAt18()} replayed by an eager caller up to {@code until} (us), with a provider report at 2.2 s of
     * remaining 0 that pauses the limiter for {@code resetNanos}; returns the core state.
     */
    private static LimiterState pausedAfterCutAt18(String key, LimiterConfig c, long resetNanos, long until) {
        java.util.NavigableMap<Long, Feedback> reports = cutAt18();
        reports.put(2_200_000L, Feedback.success(2_190_000L, 200)
                .withProviderQuota(new ProviderQuota(-1, 0, resetNanos, -1)));
        LimiterState core = new LimiterState(c);
        replay(key, c, eager(core, 1_000_000, until, 1, () -> 0L, reports));
        return core;
    }

    /** The first whole ms (in us) from {@code from} at which the rate of the cut at 2 s is past {@code times} Wmax. */
    private static long firstPast(LimiterState core, long from, double times) {
        double wMax = core.rate(2_000_000_000L) / 0.9;
        long t = from;
        while (core.rate(t * 1000L) <= times * wMax) {
            t += 1_000L;
            assertTrue(t < 30_000_000L, "the rate never passed " + times + " Wmax");
        }
        return t;
    }

    /** Whether each recorded feedback of {@code steps} cut, in order. */
    private static List<Boolean> cuts(List<Step> steps) {
        List<Boolean> cuts = new ArrayList<>();
        for (Step st : steps) {
            if (st.feedback() != null) {
                cuts.add(st.cut());
            }
        }
        return cuts;
    }

    /** The time (us) of the last feedback in {@code steps} that cut; fails when {@code mustCut} and none did. */
    private static long cutAt(List<Step> steps, boolean mustCut) {
        long at = -1L;
        for (Step st : steps) {
            if (st.feedback() != null && st.cut()) {
                at = st.micros();
            }
        }
        assertTrue(!mustCut || at >= 0, "no cut");
        return at;
    }

    @Test
    void aQuotaAndTheWindowGuardTogether() {
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).quota(700).quotaWindow(Duration.ofMillis(500))
                .build();
        SplittableRandom late = new SplittableRandom(63);
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 4_000_000, 1, () -> late.nextLong(50), noReports());
        List<Long> grants = replay("eager-quota", c, steps);
        assertMaxPerWindow(grants, 1000, 1_001_000_000L);
        assertMaxPerWindow(grants, 700, 500_500_000L);
    }

    @Test
    void aboveTheGuardsMemory() {
        LimiterConfig c = LimiterConfig.builder().maxRate(100_000).build(); // 10 us; 65,536 grants remembered
        List<Step> steps = eager(new LimiterState(c), 1_000_000, 1_700_000, 10, () -> 0L, noReports());
        List<Long> grants = replay("eager-memory", c, steps);
        assertTrue(grants.size() > 65_536 + 4_000, "grants " + grants.size());
        // the 65,537th waits for the first + 1.001 s * 65,536 / 100,000 (656,015,360 ns), asked at the next whole us
        assertEquals(1_000_000_000L + 656_016_000L, grants.get(65_536));
    }

    /** A random response: mostly throttles of a recent or older grant, Retry-After and quota reports in whole us. */
    private static Feedback feedback(SplittableRandom rnd, List<Long> grants, long now) {
        long grantedAt = grants.isEmpty() ? now : grants.get(Math.max(0, grants.size() - 1 - rnd.nextInt(4)));
        int kind = rnd.nextInt(10);
        Feedback f;
        if (kind < 6) {
            long retryAfter = rnd.nextInt(3) == 0 ? 1000L * rnd.nextLong(400_000) : -1L;
            f = Feedback.throttled(grantedAt, 429, retryAfter);
        } else if (kind < 8) {
            f = Feedback.success(grantedAt, 200);
        } else {
            f = new Feedback(Feedback.Outcome.OTHER, grantedAt, -1L, 500, null);
        }
        if (rnd.nextInt(5) == 0) {
            long limit = rnd.nextInt(3) == 0 ? -1 : 1 + rnd.nextInt(1000);
            // remaining 1 paces slower than the window resets: exercises the tat cap at the reset
            long remaining = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> 1;
                default -> 2 + rnd.nextInt(500);
            };
            long reset = rnd.nextInt(4) == 0 ? -1 : 1000L * (1 + rnd.nextLong(2_000_000));
            long window = rnd.nextInt(3) == 0 ? -1 : 1000L * (1 + rnd.nextLong(60_000_000));
            f = f.withProviderQuota(new ProviderQuota(limit, remaining, reset, window));
        }
        return f;
    }

    /** The same feedback with its grant time in the core's nanoseconds. */
    private static Feedback toCoreTime(Feedback f) {
        return new Feedback(f.outcome(), f.grantedAt() * 1000L, f.retryAfterNanos(), f.statusCode(),
                f.providerQuota());
    }
}
