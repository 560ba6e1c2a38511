package io.github.camelratelimit.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Keeps each limiter's {@link LimiterState} in this JVM and answers synchronously (every returned stage is
 * already complete). Thread-safe: each state is guarded by its own monitor.
 */
public final class InMemoryLimiterStore implements LimiterStore {

    private final Clock clock;
    private final ConcurrentMap<String, LimiterState> states = new ConcurrentHashMap<>();

    public InMemoryLimiterStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            return CompletableFuture.completedFuture(s.tryAcquire(clock.nanoTime()));
        }
    }

    @Override
    public CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            return CompletableFuture.completedFuture(s.record(feedback, clock.nanoTime()));
        }
    }

    @Override
    public CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            return CompletableFuture.completedFuture(s.snapshot(clock.nanoTime()));
        }
    }

    @Override
    public CompletionStage<Void> reset(String limiter, LimiterConfig config) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            s.reset();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean completesSynchronously() {
        return true;
    }

    @Override
    public String kind() {
        return "memory";
    }

    /** Drops a limiter's state (when no endpoint uses it any more). */
    public void remove(String limiter) {
        states.remove(limiter);
    }

    private LimiterState state(String limiter, LimiterConfig config) {
        LimiterState s = states.get(limiter);
        if (s != null && s.config().equals(config)) {
            return s;
        }
        // first use, or the limiter was re-created with new settings: start afresh
        return states.compute(limiter, (n, old) -> old != null && old.config().equals(config) ? old : new LimiterState(config));
    }
}
