package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.Scheduler;
import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated JVM for the multi-node and fault tests: its own Redis store (own client and connection), its own
 * {@link RateLimiter}, scheduler and workers, and {@code callers} virtual callers that ask for a permit again as
 * soon as they got one (or were rejected). Every request is counted as issued and, once answered, as granted or
 * rejected, so a lost or stuck request shows as {@code issued != granted + rejected}.
 */
final class Node implements AutoCloseable {

    final String name;
    final RedisLimiterStore store;
    final RateLimiter limiter;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final AtomicBoolean running = new AtomicBoolean();
    final AtomicLong issued = new AtomicLong();
    final AtomicLong granted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    /** Grant time stamps (server microseconds; estimated server time while degraded). */
    final List<Long> stamps = Collections.synchronizedList(new ArrayList<>());
    /** The local nanoTime of each grant: for per-phase counting. */
    final List<Long> localTimes = Collections.synchronizedList(new ArrayList<>());
    final List<RateLimitExceededException> rejections = Collections.synchronizedList(new ArrayList<>());
    /** Lateness (ns) of every wake-up the limiter scheduled. */
    final List<Long> wakeLateness = Collections.synchronizedList(new ArrayList<>());

    Node(String name, String redisUri, RedisStoreSettings settings, String limiterName, LimiterConfig config) {
        this.name = name;
        this.store = RedisLimiterStore.create(RedisURI.create(redisUri), settings, Clock.system());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, name + "-timer"));
        this.workers = Executors.newFixedThreadPool(2, r -> new Thread(r, name + "-worker"));
        Scheduler base = Scheduler.of(timer);
        Scheduler measured = (task, delayNanos) -> {
            long due = System.nanoTime() + Math.max(0L, delayNanos);
            return base.schedule(() -> {
                wakeLateness.add(System.nanoTime() - due);
                task.run();
            }, delayNanos);
        };
        this.limiter = new RateLimiter(limiterName, config, store, Clock.system(), measured, workers, null);
    }

    /** How late the limiter's wake-ups ran (ns), at the given quantile: how starved this machine is. */
    long wakeLateness(double quantile) {
        long[] l;
        synchronized (wakeLateness) {
            l = wakeLateness.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        return l.length == 0 ? 0 : l[(int) Math.min(l.length - 1, Math.floor(quantile * l.length))];
    }

    /** Starts {@code callers} virtual callers. */
    void start(int callers) {
        running.set(true);
        for (int i = 0; i < callers; i++) {
            workers.execute(this::ask);
        }
    }

    /** Callers stop asking (requests in flight still get their answer). */
    void stopAsking() {
        running.set(false);
    }

    /** Waits until every issued request was answered; false when some are still open after {@code millis}. */
    boolean awaitAnswered(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (issued.get() != granted.get() + rejected.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void ask() {
        if (!running.get()) {
            return;
        }
        issued.incrementAndGet();
        Permit p = limiter.acquire(new RateLimiter.Waiter() {
            @Override
            public void onPermit(Permit permit) {
                got(permit);
                workers.execute(Node.this::ask);
            }

            @Override
            public void onRejected(RateLimitExceededException reason) {
                rejected.incrementAndGet();
                rejections.add(reason);
                workers.execute(Node.this::ask);
            }
        });
        if (p != null) {
            got(p);
            workers.execute(this::ask);
        }
    }

    private void got(Permit p) {
        stamps.add(p.grantedAt());
        localTimes.add(System.nanoTime());
        granted.incrementAndGet();
    }

    /** Grants whose local time lies in [from, to). */
    long grantedBetween(long fromNanos, long toNanos) {
        synchronized (localTimes) {
            return localTimes.stream().filter(t -> t >= fromNanos && t < toNanos).count();
        }
    }

    @Override
    public void close() {
        running.set(false);
        limiter.close();
        timer.shutdownNow();
        workers.shutdownNow();
        store.close();
    }
}
