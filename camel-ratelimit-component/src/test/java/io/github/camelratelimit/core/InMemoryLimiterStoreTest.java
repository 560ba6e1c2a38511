package io.github.camelratelimit.core;

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
}
