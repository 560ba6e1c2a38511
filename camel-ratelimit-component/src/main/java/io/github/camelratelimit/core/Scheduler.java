package io.github.camelratelimit.core;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay without holding a thread while it waits. Production code adapts a
 * {@link ScheduledExecutorService}; tests use {@link ManualScheduler}, which runs tasks when a
 * {@link ManualClock} is advanced. Implementations are thread-safe.
 */
public interface Scheduler {

    /** Runs {@code task} once, {@code delayNanos} (>= 0) from now. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that can be called off. */
    interface Cancellable {
        void cancel();
    }

    /** Adapts an executor service; the service's threads run the tasks. */
    static Scheduler of(ScheduledExecutorService executor) {
        return (task, delayNanos) -> {
            ScheduledFuture<?> f = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }
}
