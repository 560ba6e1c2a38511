package io.github.camelratelimit.redis;

import ch.qos.logback.classic.Level;
import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.core.LimiterStoreFactory;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.Scheduler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is particular to the Redis store: keys, expiry, round trips, server time, options, failures. */
class RedisLimiterStoreTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;
    private static RedisCommands<String, String> redis;

    @BeforeAll
    static void connect() {
        inspector = RedisClient.create(REDIS.uri());
        inspection = inspector.connect();
        redis = inspection.sync();
    }

    @AfterAll
    static void disconnect() {
        if (inspector != null) {
            inspector.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static RedisLimiterStore store(RedisStoreSettings.Builder settings) {
        return RedisLimiterStore.create(RedisURI.create(REDIS.uri()), settings.build(), Clock.system());
    }

    private static RedisStoreSettings.Builder failing() {
        return RedisStoreSettings.builder().fallback(RedisStoreSettings.Fallback.FAIL).timeout(Duration.ofSeconds(2));
    }

    @Test
    void keysShareOneClusterSlotAndExpire() {
        LimiterConfig c = LimiterConfig.builder().maxRate(100).quota(10).quotaWindow(Duration.ofSeconds(5)).build();
        try (RedisLimiterStore s = store(failing().keyPrefix("layout").idleExpiry(Duration.ofSeconds(2)))) {
            assertTrue(s.tryAcquire("orders", c).toCompletableFuture().join().granted());
        }
        String state = "{layout:orders}:state";
        String starts = "{layout:orders}:starts";
        assertEquals(1, redis.exists(state));
        assertEquals(1L, redis.zcard(starts));
        assertEquals(SlotHash.getSlot(state), SlotHash.getSlot(starts), "one slot: the script may touch both");
        long ttlState = redis.pttl(state);
        long ttlStarts = redis.pttl(starts);
        assertTrue(ttlState > 2000 && ttlState <= 5000, "kept for the quota window (5 s), longer than the idle 2 s: "
                + ttlState);
        assertTrue(ttlStarts > 2000 && ttlStarts <= 5000, "pttl " + ttlStarts);
        assertFalse(redis.hkeys(state).contains("maxRate"), "no config is stored");

        try (RedisLimiterStore s = store(failing().keyPrefix("idle").idleExpiry(Duration.ofSeconds(3)))) {
            s.tryAcquire("quiet", LimiterConfig.builder().maxRate(10).build()).toCompletableFuture().join();
        }
        long ttl = redis.pttl("{idle:quiet}:state");
        assertTrue(ttl > 1000 && ttl <= 3000, "idle expiry 3 s: " + ttl);
    }

    @Test
    void onePermitIsOneRoundTripAndNoscriptIsHealed() {
        LimiterConfig c = LimiterConfig.builder().maxRate(1_000_000).build();
        try (RedisLimiterStore s = store(failing().keyPrefix("trips"))) {
            s.tryAcquire("l", c).toCompletableFuture().join(); // loads the script (EVALSHA, NOSCRIPT, EVAL) if needed
            long before = s.redisCommands();
            int granted = 0;
            for (int i = 0; i < 200; i++) {
                granted += s.tryAcquire("l", c).toCompletableFuture().join().granted() ? 1 : 0;
            }
            assertEquals(200, s.redisCommands() - before, "one EVALSHA per permit");
            assertTrue(granted > 0);

            redis.scriptFlush(); // as after a restart or failover
            before = s.redisCommands();
            s.tryAcquire("l", c).toCompletableFuture().join();
            assertEquals(2, s.redisCommands() - before, "NOSCRIPT, then EVAL (which caches the script again)");
            before = s.redisCommands();
            s.tryAcquire("l", c).toCompletableFuture().join();
            assertEquals(1, s.redisCommands() - before);
            assertFalse(s.isDegraded());
        }
    }

    @Test
    void grantTimesAreServerMicroseconds() {
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).build();
        try (RedisLimiterStore s = store(failing().keyPrefix("time"))) {
            List<String> t0 = redis.time();
            Acquisition a = s.tryAcquire("l", c).toCompletableFuture().join();
            List<String> t1 = redis.time();
            long before = Long.parseLong(t0.get(0)) * 1_000_000L + Long.parseLong(t0.get(1));
            long after = Long.parseLong(t1.get(0)) * 1_000_000L + Long.parseLong(t1.get(1));
            assertTrue(a.grantedAt() >= before && a.grantedAt() <= after,
                    before + " <= " + a.grantedAt() + " <= " + after);
        }
    }

    @Test
    void eachNodeSendsItsOwnConfig() {
        try (RedisLimiterStore s = store(failing().keyPrefix("config"))) {
            Acquisition slow = s.tryAcquire("shared", LimiterConfig.builder().maxRate(10).build())
                    .toCompletableFuture().join();
            Acquisition fast = s.tryAcquire("shared", LimiterConfig.builder().maxRate(1000).build())
                    .toCompletableFuture().join();
            assertEquals(100_000_000L, slow.intervalNanos());
            assertEquals(1_000_000L, fast.intervalNanos(), "the config comes with the call, not from Redis");
        }
    }

    @Test
    void hostileStateIsReadAsAbsent() {
        LimiterConfig c = LimiterConfig.builder().minRate(0.5).maxRate(1).build();
        redis.hset("{hostile:l}:state", Map.ofEntries(Map.entry("tu", "abc"), Map.entry("tn", "nan"),
                Map.entry("pu", "inf"), Map.entry("wm", "-inf"), Map.entry("ca", "1e999"), Map.entry("k", ""),
                Map.entry("c", "0"), Map.entry("ce", "x"), Map.entry("cu", "99999999999999999999999"),
                Map.entry("g", "lots"), Map.entry("ar", "soon"), Map.entry("ga", "nan"), Map.entry("ta", "-inf")));
        try (RedisLimiterStore s = store(failing().keyPrefix("hostile"))) {
            Acquisition a = s.tryAcquire("l", c).toCompletableFuture().join();
            assertTrue(a.granted(), "garbage is no pause and no tat");
            assertEquals(1_000_000_000L, a.intervalNanos(), "no cut, no ceiling: maxRate");
            Acquisition b = s.tryAcquire("l", c).toCompletableFuture().join();
            if (b.granted()) {
                assertTrue(b.grantedAt() - a.grantedAt() >= 1_000_000L, "paced one interval apart");
            } else {
                assertEquals(Acquisition.WaitReason.PACING, b.reason());
            }
            LimiterSnapshot snap = s.snapshot("l", c).toCompletableFuture().join();
            assertEquals(1.0, snap.rate(), 1e-9);
            assertFalse(s.record("l", c, Feedback.throttled(a.grantedAt(), 429, -1)).toCompletableFuture().join(),
                    "a garbage congestion event is no open event: this throttle opens one, it does not cut");
            assertEquals(0, s.snapshot("l", c).toCompletableFuture().join().cuts());
            assertTrue(redis.pttl("{hostile:l}:state") > 0, "a hostile time never makes PEXPIRE delete the keys");
        }
    }

    @Test
    void aLastCutOrAnOpenEventInTheFutureIsReadAsAbsent() {
        LimiterConfig c = LimiterConfig.builder().maxRate(1000).signalCooldown(Duration.ZERO).build();
        // finite but far in the future: would block every cut for good if believed
        redis.hset("{future:l}:state", Map.of("lc", "9000000000000000", "ar", "9000000000000000", "ga", "0",
                "ta", "0"));
        try (RedisLimiterStore s = store(failing().keyPrefix("future"))) {
            long t = 5_000_000L; // server time in us, set per call (as the parity test does)
            Acquisition a = RedisLimiterScripts.parseAcquire(
                    s.evalAt(RedisLimiterScripts.ACQUIRE, "l", c, t).join()).value();
            assertTrue(a.granted());
            assertFalse(record(s, c, a.grantedAt(), t + 1_000), "opens a new event");
            Acquisition b = RedisLimiterScripts.parseAcquire(
                    s.evalAt(RedisLimiterScripts.ACQUIRE, "l", c, t + 2_000).join()).value();
            assertTrue(b.granted());
            // nothing accepted between the two: the event measures at its 1 s bound
            assertTrue(record(s, c, b.grantedAt(), t + 1_001_000), "the second throttle, 1 s later, cuts");
            assertEquals(1, s.snapshot("l", c).toCompletableFuture().join().cuts());
        }
    }

    private static boolean record(RedisLimiterStore s, LimiterConfig c, long grantedAtMicros, long nowMicros) {
        return RedisLimiterScripts.parseRecord(s.evalAt(RedisLimiterScripts.RECORD, "l", c, nowMicros,
                RedisLimiterScripts.recordArgs(Feedback.throttled(grantedAtMicros, 429, -1))).join()).value();
    }

    @Test
    void failModeFailsTheCallAndTheEnforcerRejectsClearly() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (LogCapture log = new LogCapture(RedisLimiterStore.class);
                RedisLimiterStore s = RedisLimiterStore.create(RedisURI.create("redis://127.0.0.1:" + deadPort()),
                        RedisStoreSettings.builder().fallback(RedisStoreSettings.Fallback.FAIL).build(),
                        Clock.system())) {
            LimiterConfig c = LimiterConfig.defaults();
            CompletableFuture<Acquisition> f = s.tryAcquire("l", c).toCompletableFuture();
            CompletionException e = assertThrows(CompletionException.class, f::join);
            assertInstanceOf(RedisLimiterStoreException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("127.0.0.1"), e.getCause().getMessage());
            assertTrue(s.isDegraded());
            assertEquals(0, s.fallbackAnswers());

            RateLimiter limiter = new RateLimiter("l", c, s, Clock.system(), Scheduler.of(timer), Runnable::run, null);
            CompletableFuture<RateLimitExceededException> rejected = new CompletableFuture<>();
            Permit p = limiter.acquire(new RateLimiter.Waiter() {
                @Override
                public void onPermit(Permit permit) {
                    rejected.completeExceptionally(new AssertionError("granted without Redis"));
                }

                @Override
                public void onRejected(RateLimitExceededException reason) {
                    rejected.complete(reason);
                }
            });
            assertNull(p);
            RateLimitExceededException r = rejected.get(5, TimeUnit.SECONDS);
            assertEquals(RateLimitExceededException.Reason.STORE_FAILED, r.getReason());
            assertTrue(r.getMessage().contains("redis store"), r.getMessage());
            assertEquals(1, log.withEvent("redis_fallback").size(), "one WARN per outage");
            assertEquals(Level.WARN, log.withEvent("redis_fallback").get(0).getLevel());
            assertEquals("fail", LogCapture.kv(log.withEvent("redis_fallback").get(0), "fallback"));
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void localFallbackPacesAtTheShareAndSaysSoOnce() throws Exception {
        LimiterConfig c = LimiterConfig.builder().minRate(2).maxRate(100).quota(9).quotaWindow(Duration.ofSeconds(10))
                .build();
        try (LogCapture log = new LogCapture(RedisLimiterStore.class);
                RedisLimiterStore s = RedisLimiterStore.create(RedisURI.create("redis://127.0.0.1:" + deadPort()),
                        RedisStoreSettings.builder().fallbackShare(0.5).build(), Clock.system())) {
            Acquisition first = s.tryAcquire("l", c).toCompletableFuture().join();
            assertTrue(first.granted(), "answered locally");
            assertEquals(20_000_000L, first.intervalNanos(), "half of 100/s");
            assertTrue(s.isDegraded());
            for (int i = 0; i < 20; i++) {
                s.tryAcquire("l", c).toCompletableFuture().join();
            }
            LimiterSnapshot snap = s.snapshot("l", c).toCompletableFuture().join();
            assertEquals(50.0, snap.maxRate(), 1e-9);
            assertEquals(1.0, snap.minRate(), 1e-9);
            assertEquals(LimiterConfig.builder().minRate(1).maxRate(50).quota(4).quotaWindow(Duration.ofSeconds(10))
                    .build(), s.fallbackConfig(c), "quota 9 x 0.5 floored");
            assertTrue(s.fallbackAnswers() >= 22);
            List<?> warnings = log.withEvent("redis_fallback");
            assertEquals(1, warnings.size(), "one WARN per outage, not per call");
            assertEquals("local", LogCapture.kv(log.withEvent("redis_fallback").get(0), "fallback"));
        }
    }

    @Test
    void worksOnAProvidedClientOrConnectionAndLeavesThemOpen() {
        LimiterConfig c = LimiterConfig.builder().maxRate(100).build();
        RedisClient client = RedisClient.create();
        try {
            try (RedisLimiterStore s = new RedisLimiterStore(client, RedisURI.create(REDIS.uri()),
                    RedisStoreSettings.builder().keyPrefix("bean").build(), Clock.system())) {
                assertTrue(s.tryAcquire("a", c).toCompletableFuture().join().granted());
                assertFalse(s.isDegraded());
            }
            StatefulRedisConnection<String, String> conn = client.connect(RedisURI.create(REDIS.uri()));
            try (RedisLimiterStore s = new RedisLimiterStore(conn, RedisStoreSettings.builder().keyPrefix("conn").build(),
                    Clock.system())) {
                assertTrue(s.tryAcquire("a", c).toCompletableFuture().join().granted());
                assertEquals(Duration.ofMillis(10).toNanos(), s.tryAcquire("a", c).toCompletableFuture().join()
                        .intervalNanos());
                assertFalse(s.isDegraded());
            }
            assertTrue(conn.isOpen(), "a provided connection stays the caller's");
            assertEquals("PONG", conn.sync().ping());
            conn.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void factoryIsFoundByKindAndReadsItsOptions() {
        LimiterStoreFactory factory = ServiceLoader.load(LimiterStoreFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.kind().equals("redis")).findFirst().orElse(null);
        assertNotNull(factory, "META-INF/services registers the redis kind");
        try (LimiterStore s = factory.create(Map.of("redisUri", REDIS.uri(), "redisTimeout", "500ms",
                "redisKeyPrefix", "factory", "redisIdleExpiry", "PT10M", "redisFallback", "fail",
                "redisFallbackShare", "0.25"), Clock.system())) {
            assertEquals("redis", s.kind());
            RedisStoreSettings settings = ((RedisLimiterStore) s).settings();
            assertEquals(Duration.ofMillis(500), settings.timeout());
            assertEquals("factory", settings.keyPrefix());
            assertEquals(Duration.ofMinutes(10), settings.idleExpiry());
            assertEquals(RedisStoreSettings.Fallback.FAIL, settings.fallback());
            assertEquals(0.25, settings.fallbackShare());
            assertTrue(s.tryAcquire("f", LimiterConfig.defaults()).toCompletableFuture().join().granted());
        }
        assertEquals(RedisStoreSettings.defaults(), RedisStoreSettings.fromOptions(Map.of("redisUri", "x")));
    }

    @Test
    void badOptionsAreNamed() {
        RedisLimiterStoreFactory f = new RedisLimiterStoreFactory();
        assertOption("redisUri", () -> f.create(Map.of(), Clock.system()));
        InvalidLimiterConfigException scheme = assertOption("redisUri",
                () -> f.create(Map.of("redisUri", "http://:s3cret@host:6379"), Clock.system()));
        assertFalse(scheme.getMessage().contains("s3cret"), "never repeats a password: " + scheme.getMessage());
        assertOption("redisTimeout", () -> RedisStoreSettings.fromOptions(Map.of("redisTimeout", "abc")));
        assertOption("redisTimeout", () -> RedisStoreSettings.fromOptions(Map.of("redisTimeout", "0")));
        assertOption("redisTimeout", () -> RedisStoreSettings.fromOptions(Map.of("redisTimeout", "5m")));
        assertOption("redisIdleExpiry", () -> RedisStoreSettings.fromOptions(Map.of("redisIdleExpiry", "-1s")));
        assertOption("redisIdleExpiry", () -> RedisStoreSettings.fromOptions(Map.of("redisIdleExpiry", "PTxS")));
        assertOption("redisIdleExpiry", () -> RedisStoreSettings.fromOptions(Map.of("redisIdleExpiry", "999999999999d")));
        assertOption("redisProbeInterval", () -> RedisStoreSettings.fromOptions(Map.of("redisProbeInterval", "2h")));
        assertEquals("redis-sentinel://10.0.0.1:26379#mymaster",
                RedisLimiterStore.describe(RedisLimiterStoreFactory.parseUri("redis-sentinel://:pw@10.0.0.1:26379/0#mymaster")));
        assertEquals("rediss://cache:6380/2", RedisLimiterStore.describe(RedisLimiterStoreFactory.parseUri(
                "rediss://:pw@cache:6380/2")));
        assertOption("redisFallback", () -> RedisStoreSettings.fromOptions(Map.of("redisFallback", "maybe")));
        assertOption("redisFallbackShare", () -> RedisStoreSettings.fromOptions(Map.of("redisFallbackShare", "0")));
        assertOption("redisFallbackShare", () -> RedisStoreSettings.fromOptions(Map.of("redisFallbackShare", "1.5")));
        assertOption("redisFallbackShare", () -> RedisStoreSettings.fromOptions(Map.of("redisFallbackShare", "half")));
        assertOption("redisKeyPrefix", () -> RedisStoreSettings.fromOptions(Map.of("redisKeyPrefix", "a{b}")));
        assertEquals(Duration.ofMillis(250), RedisStoreSettings.parseDuration("x", "250"));
        assertEquals(Duration.ofHours(1), RedisStoreSettings.parseDuration("x", "1h"));
        assertEquals(Duration.ofMillis(1500), RedisStoreSettings.parseDuration("x", "PT1.5S"));
    }

    private static InvalidLimiterConfigException assertOption(String option, Runnable r) {
        InvalidLimiterConfigException e = assertThrows(InvalidLimiterConfigException.class, r::run);
        assertEquals(option, e.getOption(), e.getMessage());
        return e;
    }

    /** A loopback port nobody listens on (connections are refused at once). */
    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
