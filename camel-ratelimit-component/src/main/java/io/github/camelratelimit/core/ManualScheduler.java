package io.github.camelratelimit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a {@link ManualClock}: tasks run, in time order, on the thread that calls
 * {@link #advance(long)} or {@link #runDue()}, when the clock reaches their time. For tests and simulations
 * that must be exact. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {

    private final ManualClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long seq;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(clock.nanoTime() + Math.max(0L, delayNanos), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                tasks.remove(t);
            }
        };
    }

    /**
     * Moves the clock forward by {@code deltaNanos}, stopping at each task's time to run it (tasks scheduled
     * while running are honoured if they fall inside the step).
     */
    public void advance(long deltaNanos) {
        long end = clock.nanoTime() + deltaNanos;
        for (;;) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at > end) {
                    break;
                }
                tasks.poll();
            }
            if (next.at > clock.nanoTime()) {
                clock.setNanos(next.at);
            }
            next.task.run();
        }
        if (end > clock.nanoTime()) {
            clock.setNanos(end);
        }
    }

    /** Runs every task that is due now. */
    public void runDue() {
        advance(0);
    }

    /** Time of the next task, or -1 when none is scheduled. */
    public synchronized long nextAt() {
        Task t = tasks.peek();
        return t == null ? -1 : t.at;
    }

    public synchronized int size() {
        return tasks.size();
    }

    /** Delays of the scheduled tasks from now, in time order (for assertions). */
    public synchronized List<Long> pendingDelays() {
        List<Task> copy = new ArrayList<>(tasks);
        copy.sort(null);
        List<Long> out = new ArrayList<>();
        for (Task t : copy) {
            out.add(t.at - clock.nanoTime());
        }
        return out;
    }

    private record Task(long at, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
