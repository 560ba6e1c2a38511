package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.core.LimiterStoreContract;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The store contract against a real redis-server, in real time: the store's clock is the server's, so
 * {@code advance} sleeps exactly the wait the store named and the contract asserts invariants. The fallback is
 * {@code fail}, so nothing here is quietly answered by the local limiter.
 */
class RedisLimiterStoreContractTest extends LimiterStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static int stores;

    @Override
    protected LimiterStore newStore() {
        RedisStoreSettings settings = RedisStoreSettings.builder()
                .keyPrefix("contract-" + (++stores))
                .fallback(RedisStoreSettings.Fallback.FAIL)
                .timeout(java.time.Duration.ofSeconds(2))
                .build();
        return RedisLimiterStore.create(RedisURI.create(REDIS.uri()), settings, Clock.system());
    }

    @AfterEach
    void neverDegraded() {
        RedisLimiterStore s = (RedisLimiterStore) store;
        assertFalse(s.isDegraded(), "Redis answered every call");
        assertEquals(0, s.fallbackAnswers());
    }

    @Override
    protected void advance(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

    @Override
    protected void tick() {
        // real time moves by itself
    }

    @Override
    protected long stampNanos(long grantedAt) {
        return grantedAt * 1000L; // server microseconds
    }

    @Override
    protected boolean exactTime() {
        return false;
    }
}
