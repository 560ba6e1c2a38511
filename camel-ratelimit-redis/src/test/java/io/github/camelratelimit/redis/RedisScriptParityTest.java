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
                        .signalCooldown(Duration.ofMillis(5)).build());
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
        int[] seen = new int[6]; // granted, pacing, quota, paused, cuts, snapshots
        for (int step = 0; step < 1500; step++) {
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
        String counts = "granted/pacing/quota/paused/cuts/snapshots: " + java.util.Arrays.toString(seen);
        assertTrue(seen[0] > 50 && seen[1] > 50 && seen[3] > 20 && seen[4] > 2 && seen[5] > 50, counts);
        assertTrue(!config.hasQuota() || seen[2] > 5, counts);
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
