package io.github.camelratelimit.benchmarks;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterState;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.RateLimiterListener;
import io.github.camelratelimit.core.Scheduler;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of taking one permit when the limiter is not throttling, for this project's core and for the usual
 * alternatives, in one JMH run. All limiters are shared by the benchmark's threads ({@link Scope#Benchmark}), so
 * the 2-thread runs measure contention on one limiter.
 *
 * <ul>
 *   <li>{@code oursLimiterState}: the bare algorithm ({@link LimiterState#tryAcquire}), single-threaded only
 *       (it is not thread-safe; stores serialise it).</li>
 *   <li>{@code oursInMemoryStore}: {@link InMemoryLimiterStore#tryAcquire}, the state under its monitor.</li>
 *   <li>{@code oursRateLimiter}: {@link RateLimiter#acquire}, what the Camel producer calls (queue check, store,
 *       permit).</li>
 *   <li>{@code resilience4j}: {@code AtomicRateLimiter.acquirePermission()} (timeout 0).</li>
 *   <li>{@code bucket4j}: a local (lock-free) bucket, {@code tryConsume(1)}.</li>
 *   <li>{@code guava}: {@code RateLimiter.tryAcquire()}.</li>
 * </ul>
 *
 * Every limiter allows 10<sup>9</sup> permits per second (ours: {@code maxRate}'s ceiling, a 1 ns interval) on
 * the system clock. {@link RunAll} checks before the run that every call is granted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class OverheadBenchmark {

    static final double HUGE = 1e9;

    private LimiterState state;
    private InMemoryLimiterStore store;
    private LimiterConfig config;
    private RateLimiter limiter;
    private ScheduledExecutorService ses;
    private AtomicRateLimiter r4j;
    private Bucket bucket;
    private com.google.common.util.concurrent.RateLimiter guava;
    private Clock clock;

    private static final RateLimiter.Waiter IGNORE = new RateLimiter.Waiter() {
        @Override
        public void onPermit(Permit permit) {
        }

        @Override
        public void onRejected(RateLimitExceededException reason) {
        }
    };

    @Setup(Level.Trial)
    public void setUp() {
        clock = Clock.system();
        config = LimiterConfig.builder().maxRate(HUGE).build();
        state = new LimiterState(config);
        store = new InMemoryLimiterStore(clock);
        ses = Executors.newSingleThreadScheduledExecutor();
        limiter = new RateLimiter("bench", config, new InMemoryLimiterStore(clock), clock, Scheduler.of(ses), ses,
                RateLimiterListener.NONE);
        r4j = new AtomicRateLimiter("bench", RateLimiterConfig.custom().limitForPeriod((int) HUGE)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
        bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity((long) HUGE).refillGreedy((long) HUGE, Duration.ofSeconds(1)))
                .build();
        guava = com.google.common.util.concurrent.RateLimiter.create(HUGE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        limiter.close();
        ses.shutdownNow();
    }

    @Benchmark
    public Acquisition oursLimiterState() {
        return state.tryAcquire(clock.nanoTime());
    }

    @Benchmark
    public Object oursInMemoryStore() {
        return store.tryAcquire("bench", config);
    }

    @Benchmark
    public Permit oursRateLimiter() {
        return limiter.acquire(IGNORE);
    }

    @Benchmark
    public boolean resilience4j() {
        return r4j.acquirePermission();
    }

    @Benchmark
    public boolean bucket4j() {
        return bucket.tryConsume(1);
    }

    @Benchmark
    public boolean guava() {
        return guava.tryAcquire();
    }

    /** Runs {@code body} on two new threads at once (each gets its index, 0 or 1) and waits for both. */
    private static void onTwoThreads(java.util.function.IntConsumer body) throws InterruptedException {
        onTwoThreads(body, false);
    }

    /**
     * As {@link #onTwoThreads(java.util.function.IntConsumer)}; with {@code sameParity} the two threads' ids are both
     * even or both odd (the lane's stripes are picked by that parity: the case where both start on one stripe).
     */
    private static void onTwoThreads(java.util.function.IntConsumer body, boolean sameParity)
            throws InterruptedException {
        Thread[] threads = new Thread[2];
        threads[0] = new Thread(() -> body.accept(0));
        threads[1] = new Thread(() -> body.accept(1));
        while (sameParity && ((threads[0].getId() ^ threads[1].getId()) & 1L) != 0) {
            threads[1] = new Thread(() -> body.accept(1)); // ids are given at construction
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * Two threads call our thread-safe entry points {@code calls} times each, at once, and count refusals (a call
     * told to wait, which then goes through the queue): the 2-thread figures are meant to be "not throttled" too.
     */
    static java.util.Map<String, Long> refusalsTwoThreads(int calls) throws InterruptedException {
        OverheadBenchmark b = new OverheadBenchmark();
        b.setUp();
        try {
            java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
            java.util.concurrent.atomic.AtomicLong store = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong limiter = new java.util.concurrent.atomic.AtomicLong();
            onTwoThreads(t -> {
                long n = 0;
                long m = 0;
                for (int i = 0; i < calls; i++) {
                    n += b.store.tryAcquire("bench", b.config).toCompletableFuture().join().granted() ? 0 : 1;
                    m += b.oursRateLimiter() != null ? 0 : 1;
                }
                store.addAndGet(n);
                limiter.addAndGet(m);
            });
            out.put("oursInMemoryStore", store.get());
            out.put("oursRateLimiter", limiter.get());
            return out;
        } finally {
            b.tearDown();
        }
    }

    /**
     * Calls each limiter {@code calls} times from one thread and counts refusals: every figure above is meant to
     * be "not throttled", so all counts must be 0.
     */
    static java.util.Map<String, Long> refusals(int calls) {
        OverheadBenchmark b = new OverheadBenchmark();
        b.setUp();
        try {
            java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
            long n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.oursLimiterState().granted() ? 0 : 1;
            }
            out.put("oursLimiterState", n);
            n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.store.tryAcquire("bench", b.config).toCompletableFuture().join().granted() ? 0 : 1;
            }
            out.put("oursInMemoryStore", n);
            n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.oursRateLimiter() != null ? 0 : 1;
            }
            out.put("oursRateLimiter", n);
            n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.resilience4j() ? 0 : 1;
            }
            out.put("resilience4j", n);
            n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.bucket4j() ? 0 : 1;
            }
            out.put("bucket4j", n);
            n = 0;
            for (int i = 0; i < calls; i++) {
                n += b.guava() ? 0 : 1;
            }
            out.put("guava", n);
            return out;
        } finally {
            b.tearDown();
        }
    }

    /**
     * Two threads call one limiter (or, as "oneWord", a bare compare-and-set loop on one {@code AtomicLong} after a
     * clock read: what any limiter with one shared word per permit cannot go below) for {@code millis} each, at
     * once; per name and round: nanoseconds per call seen by each thread (JMH's 2-thread figure) and the share of
     * the wall time the threads were on a CPU (thread CPU time / wall time, averaged over the two). Resilience4j
     * parks a thread for {@code LockSupport.parkNanos(1)} after a failed compare-and-set (some 50 us on Linux),
     * while the other runs alone; ours never parks. "oursOneParity" is ours with two threads whose ids have the same
     * parity (both try the lane's first stripe first). Rounds alternate the four, so each sees the same VM.
     */
    static java.util.Map<String, java.util.List<double[]>> cpuShareTwoThreads(long millis, int rounds)
            throws InterruptedException {
        java.util.Map<String, java.util.List<double[]>> out = new java.util.LinkedHashMap<>();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            for (String name : java.util.List.of("oursRateLimiter", "oursOneParity", "resilience4j", "oneWord")) {
                OverheadBenchmark b = new OverheadBenchmark();
                b.setUp();
                java.util.concurrent.atomic.AtomicLong word = new java.util.concurrent.atomic.AtomicLong();
                java.util.function.BooleanSupplier call = switch (name) {
                    case "oursRateLimiter", "oursOneParity" -> () -> b.oursRateLimiter() != null;
                    case "resilience4j" -> b::resilience4j;
                    default -> () -> {
                        long now = System.nanoTime();
                        for (int tries = 0; tries < 3; tries++) {
                            long w = word.get();
                            if (word.compareAndSet(w, Math.max(w, now) + 2)) {
                                return true;
                            }
                            now = System.nanoTime();
                        }
                        return false;
                    };
                };
                long start = System.nanoTime();
                long deadline = start + millis * 1_000_000L; // each thread stops itself: the main thread only joins
                long[] calls = new long[2];
                long[] cpu = new long[2];
                onTwoThreads(t -> {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        for (int i = 0; i < 1000; i++) {
                            call.getAsBoolean();
                        }
                        n += 1000;
                    }
                    cpu[t] = mx.getCurrentThreadCpuTime() - c0;
                    calls[t] = n;
                }, name.equals("oursOneParity"));
                double wall = System.nanoTime() - start;
                b.tearDown();
                out.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(new double[] {
                        2 * wall / (calls[0] + calls[1]), (cpu[0] + cpu[1]) / (2 * wall)});
            }
        }
        return out;
    }
}
