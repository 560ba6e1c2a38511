package io.github.camelratelimit.redis;

import ch.qos.logback.classic.Level;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.RateLimitExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis dies in the middle of a run (SIGKILL) and comes back on the same port. Two nodes keep hammering one
 * shared limiter throughout. Every request must end granted or rejected (none lost, none stuck), the outage and
 * the recovery must be noticed and logged once per node, and in between pacing goes on locally at the fallback
 * share.
 */
class RedisFaultTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long MS = 1_000_000L;

    private static RedisStoreSettings settings(RedisStoreSettings.Fallback fallback) {
        return RedisStoreSettings.builder().keyPrefix("fault-" + fallback).fallback(fallback)
                .timeout(Duration.ofMillis(200)).probeInterval(Duration.ofMillis(200)).fallbackShare(0.5).build();
    }

    private static LimiterConfig config() {
        return LimiterConfig.builder().maxRate(100).maxWait(Duration.ofSeconds(5)).maxPending(1000).build();
    }

    @Test
    void pacingGoesOnLocallyDuringAnOutageAndRecoveryIsDetected() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try (LogCapture log = new LogCapture(RedisLimiterStore.class)) {
            for (int i = 0; i < 2; i++) {
                nodes.add(new Node("node" + i, REDIS.uri(), settings(RedisStoreSettings.Fallback.LOCAL), "api", config()));
            }
            nodes.forEach(n -> n.start(4));
            Thread.sleep(700);
            nodes.forEach(n -> assertFalse(n.store.isDegraded(), n.name));

            REDIS.stop();
            long stoppedAt = System.nanoTime();
            for (Node n : nodes) {
                awaitTrue(() -> n.store.isDegraded(), 3000, n.name + " notices the outage");
            }
            Thread.sleep(800);
            long restartAt = System.nanoTime();
            REDIS.start();
            for (Node n : nodes) {
                awaitTrue(() -> !n.store.isDegraded(), 5000, n.name + " notices Redis is back");
            }
            long recoveredAt = System.nanoTime();
            Thread.sleep(600);
            long endAt = System.nanoTime();
            nodes.forEach(Node::stopAsking);
            for (Node n : nodes) {
                assertTrue(n.awaitAnswered(5000), n.name + ": issued " + n.issued + ", granted " + n.granted
                        + ", rejected " + n.rejected + ": some request was lost or is stuck");
                assertEquals(0, n.rejected.get(), n.name + " rejected " + first(n.rejections));
                assertTrue(n.store.fallbackAnswers() > 0, n.name + " answered locally during the outage");
            }
            // during the outage each node paces alone at half the limit: 50/s (the grid allows ceil(r * W) + 1)
            long from = stoppedAt + 300 * MS;
            for (Node n : nodes) {
                long inOutage = n.grantedBetween(from, restartAt);
                double seconds = (restartAt - from) / 1e9;
                assertTrue(inOutage > 0, n.name + ": pacing went on during the outage");
                assertTrue(inOutage <= Math.ceil(50 * seconds) + 2, n.name + ": " + inOutage + " grants in "
                        + seconds + " s of outage, more than 50/s");
            }
            // back on Redis: both nodes share 100/s again
            long afterFrom = recoveredAt + 100 * MS;
            long shared = nodes.stream().mapToLong(n -> n.grantedBetween(afterFrom, endAt)).sum();
            double seconds = (endAt - afterFrom) / 1e9;
            assertTrue(shared > 0, "grants after the recovery");
            assertTrue(shared <= Math.ceil(100 * seconds) + 3, shared + " grants in " + seconds
                    + " s after the recovery, more than the shared 100/s");

            assertEquals(2, log.withEvent("redis_fallback").size(), "one WARN per node and outage");
            assertTrue(log.withEvent("redis_fallback").stream().allMatch(e -> e.getLevel() == Level.WARN));
            assertEquals(2, log.withEvent("redis_recovered").size(), "one recovery per node");
        } finally {
            nodes.forEach(Node::close);
            REDIS.start();
        }
    }

    @Test
    void withFallbackFailEveryRequestIsGrantedOrRejectedWithTheStoreFailure() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try {
            nodes.add(new Node("node0", REDIS.uri(), settings(RedisStoreSettings.Fallback.FAIL), "api", config()));
            Node n = nodes.get(0);
            n.start(4);
            Thread.sleep(300);
            REDIS.stop();
            awaitTrue(() -> n.store.isDegraded(), 3000, "the outage is noticed");
            awaitTrue(() -> n.rejected.get() > 5, 3000, "requests are rejected while Redis is down");
            REDIS.start();
            awaitTrue(() -> !n.store.isDegraded(), 5000, "recovery is noticed");
            long grantedAtRecovery = n.granted.get();
            awaitTrue(() -> n.granted.get() > grantedAtRecovery + 5, 3000, "permits again after the recovery");
            n.stopAsking();
            assertTrue(n.awaitAnswered(5000), "issued " + n.issued + ", granted " + n.granted + ", rejected "
                    + n.rejected + ": some request was lost or is stuck");
            synchronized (n.rejections) {
                for (RateLimitExceededException e : n.rejections) {
                    assertEquals(RateLimitExceededException.Reason.STORE_FAILED, e.getReason(), e.getMessage());
                }
            }
            assertEquals(0, n.store.fallbackAnswers());
        } finally {
            nodes.forEach(Node::close);
            REDIS.start();
        }
    }

    /** Polls {@code condition} every 5 ms until true; fails after {@code millis}. */
    private static void awaitTrue(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * MS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + millis + " ms");
            }
            Thread.sleep(5);
        }
    }

    private static Object first(List<?> list) {
        synchronized (list) {
            return list.isEmpty() ? null : list.get(0);
        }
    }
}
