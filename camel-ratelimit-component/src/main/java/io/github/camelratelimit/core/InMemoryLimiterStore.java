package io.github.camelratelimit.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps each limiter's {@link LimiterState} in this JVM and answers synchronously (every returned stage is
 * already complete). Thread-safe: each state is guarded by its own monitor, and a permit is granted without it
 * while the state's lane is open ({@link LimiterState#grantFast}: after a grant, when nothing but the pacing and
 * the window guard can hold a caller back).
 *
 * <p>A limiter's state is found by name and kept while callers pass the same config (the same object is
 * recognised without comparing its fields); a different config starts the state afresh.
 */
public final class InMemoryLimiterStore implements LimiterStore {

    private final Clock clock;
    private final ConcurrentMap<String, LimiterState> states = new ConcurrentHashMap<>();
    /**
     * Changes whenever a limiter's state is replaced or removed: a caller that keeps a state it looked up
     * ({@link #stateFor}) looks again when this moved since.
     */
    private final AtomicInteger epoch = new AtomicInteger();

    public InMemoryLimiterStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
        return CompletableFuture.completedFuture(acquireNow(limiter, config));
    }

    /**
     * {@link #tryAcquire} without the future: through the state's lock-free lane when it is open
     * ({@link LimiterState#grantFast}), else under the state's monitor, reading the clock there. Either way grants are
     * stamped in the order they are made ({@link RateLimiter}'s fast path does the same with the state it keeps).
     */
    public Acquisition acquireNow(String limiter, LimiterConfig config) {
        LimiterState s = state(limiter, config);
        Acquisition fast = s.tryAcquireFast(clock);
        if (fast != null) {
            return fast;
        }
        synchronized (s) {
            fast = s.tryAcquireFast(clock); // another caller may have opened it again meanwhile
            if (fast != null) {
                return fast;
            }
            s.closeLane(); // the clock is read after the lane's last grant
            return s.tryAcquire(clock.nanoTime());
        }
    }

    /**
     * Tells the limiter's state that the call of the permit granted at {@code grantedAt} starts now (this store's
     * clock, read under the state's monitor): {@link LimiterState#started}. Callers report only calls that
     * started noticeably late; it takes the state's monitor.
     */
    public void started(String limiter, LimiterConfig config, long grantedAt) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            s.closeLane(); // the clock is read after the lane's last grant
            s.started(grantedAt, clock.nanoTime());
        }
    }

    /**
     * Hears that the whole JVM stood still for {@code pauseNanos} up to now (a stop-the-world GC pause): a call
     * granted before the pause and started after it was late by up to that much, so every limiter of this store
     * takes it as such a late start ({@link LimiterState#started}; the windows grow by at most 1/20). Takes each
     * state's monitor in turn. Nothing for 0 or less.
     */
    public void jvmPaused(long pauseNanos) {
        if (pauseNanos <= 0) {
            return;
        }
        for (LimiterState s : states.values()) {
            synchronized (s) {
                s.closeLane(); // the clock is read after the lane's last grant
                long now = clock.nanoTime();
                s.started(now - pauseNanos, now);
            }
        }
    }

    @Override
    public CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback) {
        LimiterState s = state(limiter, config);
        synchronized (s) {
            s.closeLane(); // the clock is read after the lane's last grant
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
        if (states.remove(limiter) != null) {
            epoch.incrementAndGet(); // after the map changed: whoever reads the new epoch finds the new mapping
        }
    }

    /** This store's clock (the one grants are stamped with). */
    Clock clock() {
        return clock;
    }

    /** The current {@link #epoch}: a state looked up before it moved may have been replaced. */
    int epoch() {
        return epoch.get();
    }

    /**
     * The state of {@code limiter} (created or replaced as by every other call), for a caller that keeps it while
     * {@link #epoch()} does not move and calls it under the state's monitor, reading {@link #clock()} there.
     */
    LimiterState stateFor(String limiter, LimiterConfig config) {
        return state(limiter, config);
    }

    private LimiterState state(String limiter, LimiterConfig config) {
        LimiterState s = states.get(limiter);
        if (s != null && (s.config() == config || s.config().equals(config))) {
            return s;
        }
        // first use, or the limiter was re-created with new settings: start afresh
        boolean[] replaced = {false};
        LimiterState fresh = states.compute(limiter, (n, old) -> {
            if (old != null && old.config().equals(config)) {
                return old;
            }
            replaced[0] = old != null;
            return new LimiterState(config, true);
        });
        if (replaced[0]) {
            epoch.incrementAndGet(); // after the map changed: whoever reads the new epoch finds the new mapping
        }
        return fresh;
    }
}
