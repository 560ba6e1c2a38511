package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The store contract for {@link InMemoryLimiterStore} on a {@link ManualClock}: time moves only when the test
 * says, so every wait and every start time is asserted exactly.
 */
class InMemoryLimiterStoreTest extends LimiterStoreContract {

    private final ManualClock clock = new ManualClock();

    @Override
    protected LimiterStore newStore() {
        return new InMemoryLimiterStore(clock);
    }

    @Override
    protected void advance(long nanos) {
        clock.advance(nanos);
    }

    @Override
    protected void tick() {
        clock.advance(100_000L);
    }

    @Override
    protected long stampNanos(long grantedAt) {
        return grantedAt;
    }

    @Override
    protected boolean exactTime() {
        return true;
    }

    @Test
    void aJvmPauseIsALateStartForEveryLimiter() {
        InMemoryLimiterStore store = new InMemoryLimiterStore(clock);
        LimiterConfig one = LimiterConfig.builder().maxRate(1).build(); // 1 per 1.001 s
        assertTrue(store.acquireNow("a", one).granted());
        assertTrue(store.acquireNow("b", one).granted());
        clock.advance(20 * 1_000_000L);
        store.jvmPaused(12 * 1_000_000L); // a 12 ms GC pause ended now: the windows grow by 12 ms - the 1 ms guard
        clock.advance(981 * 1_000_000L); // 1.001 s after the grants
        assertEquals(11 * 1_000_000L, store.acquireNow("a", one).waitNanos());
        assertEquals(11 * 1_000_000L, store.acquireNow("b", one).waitNanos());
        store.jvmPaused(0L); // nothing
        store.jvmPaused(-5L);
    }

    @Test
    void acquireNowAnswersLikeTryAcquireWithoutAFuture() {
        InMemoryLimiterStore store = new InMemoryLimiterStore(clock);
        LimiterConfig config = LimiterConfig.builder().maxRate(10).build();
        assertEquals(Acquisition.granted(0L, 100_000_000L), store.acquireNow("a", config));
        assertEquals(Acquisition.wait(100_000_000L, 100_000_000L, Acquisition.WaitReason.PACING),
                store.tryAcquire("a", config).toCompletableFuture().join());
        clock.advance(100_000_000L);
        assertTrue(store.acquireNow("a", config).granted());
    }

    @Test
    void anEqualConfigKeepsTheStateAndADifferentOneStartsAfresh() {
        InMemoryLimiterStore store = new InMemoryLimiterStore(clock);
        assertTrue(store.acquireNow("a", LimiterConfig.builder().maxRate(10).build()).granted());
        assertFalse(store.acquireNow("a", LimiterConfig.builder().maxRate(10).build()).granted(), "same state");
        assertTrue(store.acquireNow("a", LimiterConfig.builder().maxRate(20).build()).granted(), "new state");
    }
}
