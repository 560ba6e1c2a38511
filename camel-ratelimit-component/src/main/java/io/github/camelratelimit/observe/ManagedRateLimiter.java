package io.github.camelratelimit.observe;

import java.util.concurrent.TimeUnit;

/** The {@link RateLimiterMXBean} of one limiter; reads its {@link LimiterWatch}. Thread-safe. */
final class ManagedRateLimiter implements RateLimiterMXBean {

    private final LimiterWatch watch;
    private final RateLimitObserver observer;
    private final RateLimitObserver.LimiterControl control;

    ManagedRateLimiter(LimiterWatch watch, RateLimitObserver observer) {
        this.watch = watch;
        this.observer = observer;
        this.control = observer.control();
    }

    @Override
    public String getName() {
        return watch.name();
    }

    @Override
    public String getStore() {
        return watch.limiter().store().kind();
    }

    @Override
    public String getState() {
        watch.sample();
        return watch.health(observer.clock().nanoTime(), observer.getHealthDownAfter()).state();
    }

    @Override
    public double getRate() {
        return watch.snapshot().rate();
    }

    @Override
    public double getMinRate() {
        return watch.config().minRate();
    }

    @Override
    public void setMinRate(double minRate) {
        updateRates(minRate, getMaxRate());
    }

    @Override
    public double getMaxRate() {
        return watch.config().maxRate();
    }

    @Override
    public void setMaxRate(double maxRate) {
        updateRates(getMinRate(), maxRate);
    }

    @Override
    public long getPauseRemainingMillis() {
        return TimeUnit.NANOSECONDS.toMillis(watch.snapshot().pauseRemainingNanos());
    }

    @Override
    public int getPending() {
        return watch.pending();
    }

    @Override
    public long getGranted() {
        return watch.granted();
    }

    @Override
    public long getRejected() {
        return watch.rejected();
    }

    @Override
    public long getThrottled() {
        return watch.throttled();
    }

    @Override
    public long getCuts() {
        return watch.cutsObserved();
    }

    @Override
    public long getRetriesScheduled() {
        return watch.retriesScheduled();
    }

    @Override
    public long getRetriesExhausted() {
        return watch.retriesExhausted();
    }

    @Override
    public void updateRates(double minRate, double maxRate) {
        if (control == null) {
            throw new UnsupportedOperationException("this limiter cannot be reconfigured");
        }
        try {
            control.reconfigure(watch.name(), minRate, maxRate);
        } catch (RuntimeException e) {
            // JMX clients may not have our exception classes: pass the message only
            throw new IllegalArgumentException(Masking.maskText(e.getMessage()));
        }
    }

    @Override
    public void reset() {
        if (control == null) {
            throw new UnsupportedOperationException("this limiter cannot be reset");
        }
        control.reset(watch.name());
    }
}
