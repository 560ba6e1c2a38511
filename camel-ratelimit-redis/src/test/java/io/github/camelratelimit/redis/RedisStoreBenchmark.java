package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.LimiterConfig;
import io.lettuce.core.RedisURI;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (a main, not a test): permits per second, acquire latency (p50/p99/max) and Redis round trips per
 * permit of {@link RedisLimiterStore#tryAcquire} on one hot limiter, first with one call in flight, then with
 * several concurrent async callers. Goal on loopback: at least 5,000 permits/s and p99 under 2 ms.
 *
 * <pre>
 * mvn -B -q -pl camel-ratelimit-redis -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp camel-ratelimit-redis/target/test-classes:camel-ratelimit-redis/target/classes:$(cat camel-ratelimit-redis/target/cp.txt) \
 *     io.github.camelratelimit.redis.RedisStoreBenchmark [redisUri|-] [seconds] [callers,...]
 * </pre>
 *
 * Arguments: Redis URI ({@code -} or none: start a throw-away redis-server on a free loopback port), seconds per
 * phase (default 5), and the numbers of concurrent async callers of the concurrent phases (default {@code 4,16}).
 * Each caller issues its next call when the previous one completes; latency is from the call to its completion.
 */
public final class RedisStoreBenchmark {

    private RedisStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 && !"-".equals(args[0]) ? args[0] : null;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String callerList = args.length > 2 ? args[2] : "4,16";
        RedisServer server = null;
        if (uri == null) {
            server = RedisServer.startNew();
            uri = server.uri();
        }
        // maxRate at the core's ceiling, so the limiter never paces: every answer is a permit
        LimiterConfig config = LimiterConfig.builder().maxRate(1_000_000).build();
        try (RedisLimiterStore store = RedisLimiterStore.create(RedisURI.create(uri),
                RedisStoreSettings.builder().keyPrefix("bench-" + System.nanoTime()).build(), Clock.system())) {
            System.out.printf(Locale.ROOT, "RedisStoreBenchmark: %s, one hot limiter, %d s per phase, %d cores, %s%n",
                    RedisLimiterStore.describe(RedisURI.create(uri)), seconds,
                    Runtime.getRuntime().availableProcessors(), Runtime.version());
            run(store, config, 2, 4, "warm-up");
            run(store, config, seconds, 1, "sequential (1 in flight)");
            for (String c : callerList.split(",")) {
                int callers = Integer.parseInt(c.trim());
                run(store, config, seconds, callers, "concurrent (" + callers + " in flight)");
            }
            if (store.isDegraded() || store.fallbackAnswers() > 0) {
                System.out.println("WARNING: the store fell back locally during the run; figures are not Redis'");
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static void run(RedisLimiterStore store, LimiterConfig config, int seconds, int callers, String label)
            throws InterruptedException {
        String limiter = "bench";
        long[] latencies = new long[4_000_000];
        AtomicInteger n = new AtomicInteger();
        AtomicLong permits = new AtomicLong();
        long commandsBefore = store.redisCommands();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(callers);
        long start = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            next(store, config, limiter, end, latencies, n, permits, done);
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long commands = store.redisCommands() - commandsBefore;
        int count = Math.min(n.get(), latencies.length);
        long[] l = Arrays.copyOf(latencies, count);
        Arrays.sort(l);
        if ("warm-up".equals(label)) {
            return;
        }
        System.out.printf(Locale.ROOT, "%-28s %,10.0f permits/s  p50 %6.3f ms  p99 %6.3f ms  max %6.3f ms  "
                        + "%.3f round trips/permit  (%,d calls)%n",
                label, permits.get() / elapsed, pct(l, 0.50), pct(l, 0.99), l.length == 0 ? 0 : l[l.length - 1] / 1e6,
                permits.get() == 0 ? 0.0 : (double) commands / permits.get(), n.get());
    }

    /** One caller's loop, asynchronous: the next call starts from the previous one's completion. */
    private static void next(RedisLimiterStore store, LimiterConfig config, String limiter, long end, long[] lat,
            AtomicInteger n, AtomicLong permits, CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long t0 = System.nanoTime();
        store.tryAcquire(limiter, config).whenComplete((Acquisition a, Throwable ex) -> {
            long t = System.nanoTime() - t0;
            int i = n.getAndIncrement();
            if (i < lat.length) {
                lat[i] = t;
            }
            if (ex == null && a.granted()) {
                permits.incrementAndGet();
            }
            next(store, config, limiter, end, lat, n, permits, done);
        });
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
