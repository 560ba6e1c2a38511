package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real threads, the real clock and a real scheduler: only invariants are asserted, never times. The quota
 * (50 per 200 ms) is checked on the store's grant time stamps, which are taken under the limiter state's lock,
 * so the check is exact whatever the threads do. The timeouts only guard against a hang.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterConcurrencyTest {

    private static final int THREADS = 8;
    private static final int PER_THREAD = 200;
    private static final int QUOTA = 50;
    private static final long WINDOW = Duration.ofMillis(200).toNanos();

    private final ExecutorService callers = Executors.newFixedThreadPool(THREADS, daemon("caller"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("timer"));
    private final ExecutorService workers = Executors.newFixedThreadPool(2, daemon("worker"));

    @AfterEach
    void stop() {
        callers.shutdownNow();
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private static LimiterConfig quotaConfig(Duration maxWait) {
        return LimiterConfig.builder().maxRate(1_000_000).quota(QUOTA).quotaWindow(Duration.ofNanos(WINDOW))
                .maxWait(maxWait).build();
    }

    /**
     * Each thread fires its 200 acquires without waiting for the outcomes (as asynchronous exchanges do), then
     * collects them. With maxWait 1 s about five windows' worth of callers get permits and the rest are
     * rejected when the quota pushes them past maxWait, so the test runs about a second.
     */
    @Test
    void manyThreadsThroughOneRateLimiterNeverExceedTheQuota() throws Exception {
        LimiterConfig config = quotaConfig(Duration.ofSeconds(1));
        Outcomes o = throughOneRateLimiter(config);
        assertTrue(o.grantTimes.size() >= QUOTA, "the first window's quota is used: " + o.grantTimes.size());
        SlidingWindowQuotaTest.assertMaxPerWindow(o.grantTimes, QUOTA, WINDOW);
    }

    /**
     * The same without a quota, at a rate the callers exceed: permits granted at once come through the state's
     * lock-free lane (or its lock when the lane cannot), queued ones from the queue. Every grant, in time order,
     * must be one that a state without a lane grants at that time.
     */
    @Test
    void manyThreadsThroughTheLaneGrantNothingTheRulesWouldNot() throws Exception {
        LimiterConfig config = LimiterConfig.builder().maxRate(5_000).maxWait(Duration.ofMillis(200)).build();
        Outcomes o = throughOneRateLimiter(config);
        LimiterState rules = new LimiterState(config);
        for (int i = 0; i < o.grantTimes.size(); i++) {
            Acquisition same = rules.tryAcquire(o.grantTimes.get(i));
            assertTrue(same.granted(), "grant " + i + " of " + o.grantTimes.size() + " at " + o.grantTimes.get(i)
                    + ": the rules alone say " + same);
        }
    }

    /** Grant times in order. */
    private record Outcomes(List<Long> grantTimes) {
    }

    /**
     * Each thread fires its acquires without waiting for the outcomes, then collects them; asserts that each had
     * exactly one outcome, that the counters agree and that only maxWait refused (with a plausible wait).
     */
    private Outcomes throughOneRateLimiter(LimiterConfig config) throws Exception {
        InMemoryLimiterStore store = new InMemoryLimiterStore(Clock.system());
        RateLimiter limiter = new RateLimiter("shared", config, store, Clock.system(), Scheduler.of(timer), workers,
                null);
        ConcurrentLinkedQueue<Long> grantTimes = new ConcurrentLinkedQueue<>();
        Map<RateLimitExceededException.Reason, LongAdder> rejections = new ConcurrentHashMap<>();
        AtomicInteger duplicateOutcomes = new AtomicInteger();
        ConcurrentLinkedQueue<String> implausible = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            running.add(callers.submit(() -> {
                start.await();
                List<CompletableFuture<Permit>> outcomes = new ArrayList<>();
                for (int i = 0; i < PER_THREAD; i++) {
                    CompletableFuture<Permit> outcome = new CompletableFuture<>();
                    outcomes.add(outcome);
                    AtomicInteger calls = new AtomicInteger();
                    Permit inline = limiter.acquire(new RateLimiter.Waiter() {
                        @Override
                        public void onPermit(Permit permit) {
                            if (calls.incrementAndGet() > 1) {
                                duplicateOutcomes.incrementAndGet();
                            }
                            outcome.complete(permit);
                        }

                        @Override
                        public void onRejected(RateLimitExceededException reason) {
                            if (calls.incrementAndGet() > 1) {
                                duplicateOutcomes.incrementAndGet();
                            }
                            outcome.completeExceptionally(reason);
                        }
                    });
                    if (inline != null) {
                        if (calls.get() != 0) {
                            duplicateOutcomes.incrementAndGet();
                        }
                        outcome.complete(inline);
                    }
                }
                for (CompletableFuture<Permit> outcome : outcomes) {
                    try {
                        grantTimes.add(outcome.get(10, TimeUnit.SECONDS).grantedAt());
                    } catch (ExecutionException e) {
                        RateLimitExceededException r = (RateLimitExceededException) e.getCause();
                        rejections.computeIfAbsent(r.getReason(), k -> new LongAdder()).increment();
                        Duration needed = r.getWaitNeeded();
                        if (needed == null || needed.compareTo(config.maxWait()) <= 0
                                || needed.compareTo(Duration.ofMinutes(1)) > 0) {
                            implausible.add(r.getMessage());
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : running) {
            f.get(20, TimeUnit.SECONDS);
        }
        long rejected = rejections.values().stream().mapToLong(LongAdder::sum).sum();

        assertEquals(0, duplicateOutcomes.get(), "a caller got more than one outcome");
        assertEquals(THREADS * PER_THREAD, grantTimes.size() + rejected, "every acquire has one outcome");
        assertEquals(grantTimes.size(), limiter.granted());
        assertEquals(rejected, limiter.rejected());
        assertEquals(List.of(), List.copyOf(implausible), "a maxWait rejection names a wait above maxWait");
        if (rejected > 0) {
            assertEquals(Map.of(RateLimitExceededException.Reason.MAX_WAIT, rejected),
                    Map.copyOf(sums(rejections)), "only maxWait may refuse here");
        }
        List<Long> sorted = new ArrayList<>(grantTimes);
        sorted.sort(null);
        assertEquals(0, limiter.pending());
        limiter.close();
        return new Outcomes(sorted);
    }

    @Test
    void manyThreadsOnOneStoreNeverExceedTheQuota() throws Exception {
        LimiterConfig config = quotaConfig(Duration.ofSeconds(1));
        InMemoryLimiterStore store = new InMemoryLimiterStore(Clock.system());
        Hammered result = hammer(store, config);
        assertEquals(THREADS * PER_THREAD, result.grants.size() + result.waits.sum());
        assertTrue(result.grants.size() >= QUOTA, "the first window's quota is used: " + result.grants.size());
        assertEquals(0, result.malformed.get(), "a grant with a wait or a wait without one");
        SlidingWindowQuotaTest.assertMaxPerWindow(result.sortedGrants(), QUOTA, WINDOW);
        LimiterSnapshot snap = store.snapshot("shared", config).toCompletableFuture().join();
        assertEquals(result.grants.size(), snap.granted());
        assertTrue(snap.quotaUsed() <= QUOTA);
    }

    /** Without a quota the GCRA grid bounds any window W to ceil(rate W) + 1 starts, whatever the threads do. */
    @Test
    void manyThreadsOnOneStoreKeepTheGridBound() throws Exception {
        LimiterConfig config = LimiterConfig.builder().maxRate(2_000).build(); // 0.5 ms
        InMemoryLimiterStore store = new InMemoryLimiterStore(Clock.system());
        Hammered result = hammer(store, config);
        assertEquals(THREADS * PER_THREAD, result.grants.size() + result.waits.sum());
        assertEquals(0, result.malformed.get());
        List<Long> sorted = result.sortedGrants();
        SlidingWindowQuotaTest.assertMaxPerWindow(sorted, 21, Duration.ofMillis(10).toNanos()); // ceil(20) + 1
        SlidingWindowQuotaTest.assertMaxPerWindow(sorted, 2, LimiterState.intervalNanos(2_000)); // ceil(1) + 1
    }

    private record Hammered(ConcurrentLinkedQueue<Long> grants, LongAdder waits, AtomicInteger malformed) {
        List<Long> sortedGrants() {
            List<Long> sorted = new ArrayList<>(grants);
            sorted.sort(null);
            return sorted;
        }
    }

    /** THREADS threads each ask the store PER_THREAD times; told to wait, they wait a little (at most 1 ms). */
    private Hammered hammer(LimiterStore store, LimiterConfig config) throws Exception {
        Hammered result = new Hammered(new ConcurrentLinkedQueue<>(), new LongAdder(), new AtomicInteger());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            running.add(callers.submit(() -> {
                start.await();
                for (int i = 0; i < PER_THREAD; i++) {
                    Acquisition a = store.tryAcquire("shared", config).toCompletableFuture().join();
                    if (a.granted()) {
                        if (a.waitNanos() != 0 || a.reason() != Acquisition.WaitReason.NONE) {
                            result.malformed.incrementAndGet();
                        }
                        result.grants.add(a.grantedAt());
                    } else {
                        if (a.waitNanos() <= 0 || a.reason() == Acquisition.WaitReason.NONE) {
                            result.malformed.incrementAndGet();
                        }
                        result.waits.increment();
                        LockSupport.parkNanos(Math.min(a.waitNanos(), 1_000_000L));
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : running) {
            f.get(20, TimeUnit.SECONDS);
        }
        return result;
    }

    private static Map<RateLimitExceededException.Reason, Long> sums(
            Map<RateLimitExceededException.Reason, LongAdder> adders) {
        Map<RateLimitExceededException.Reason, Long> out = new ConcurrentHashMap<>();
        adders.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "concurrency-test-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
