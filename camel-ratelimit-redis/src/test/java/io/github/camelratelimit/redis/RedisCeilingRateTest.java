package io.github.camelratelimit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterState;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scripts at the highest {@code maxRate} (10<sup>9</sup>/s, a 1 ns interval): the script's microsecond
 * clock plus nanosecond tat offset keeps the grid, so every call at a later microsecond is granted, and the
 * answers equal {@link LimiterState}'s at the same instants, before and after a cut.
 */
class RedisCeilingRateTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void atTheCeilingEveryCallIsGrantedWithAOneNanosecondInterval() {
        LimiterConfig config = LimiterConfig.builder().maxRate(1_000_000_000).build();
        LimiterState core = new LimiterState(config);
        try (RedisLimiterStore store = RedisLimiterStore.create(RedisURI.create(REDIS.uri()),
                RedisStoreSettings.builder().keyPrefix("ceiling").timeout(Duration.ofSeconds(5))
                        .fallback(RedisStoreSettings.Fallback.FAIL).build(),
                Clock.system())) {
            long now = 7_000_000L; // microseconds
            for (int i = 0; i < 200; i++) {
                now += 1 + (i % 3);
                Acquisition expected = core.tryAcquire(now * 1000L);
                Acquisition actual = RedisLimiterScripts.parseAcquire(
                        store.evalAt(RedisLimiterScripts.ACQUIRE, "top", config, now).join()).value();
                assertTrue(actual.granted(), "call " + i);
                assertEquals(expected, new Acquisition(actual.granted(), actual.waitNanos(), actual.intervalNanos(),
                        actual.grantedAt() * 1000L, actual.reason()), "call " + i);
                assertEquals(1L, actual.intervalNanos());
            }
            // two throttles 1 s apart make a congestion event: the first opens it, the second cuts (nothing
            // accepted between them: the event measures at its 1 s bound)
            boolean cut = false;
            for (int t = 0; t < 2; t++) {
                if (t == 1) {
                    now += 1_000_000L;
                    assertTrue(core.tryAcquire(now * 1000L).granted());
                    assertTrue(RedisLimiterScripts.parseAcquire(
                            store.evalAt(RedisLimiterScripts.ACQUIRE, "top", config, now).join()).value().granted());
                }
                Feedback throttle = Feedback.throttled(now, 429, -1L);
                cut = RedisLimiterScripts.parseRecord(store.evalAt(RedisLimiterScripts.RECORD, "top", config, now,
                        RedisLimiterScripts.recordArgs(throttle)).join()).value();
                assertEquals(core.record(new Feedback(throttle.outcome(), now * 1000L, -1L, 429, null), now * 1000L),
                        cut);
                assertEquals(t == 1, cut);
            }
            now += 1;
            Acquisition actual = RedisLimiterScripts.parseAcquire(
                    store.evalAt(RedisLimiterScripts.ACQUIRE, "top", config, now).join()).value();
            assertEquals(core.tryAcquire(now * 1000L).intervalNanos(), actual.intervalNanos(), "0.7e9/s: still 1 ns");
            assertTrue(actual.granted());
        }
    }
}
