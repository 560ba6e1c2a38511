package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.AdaptiveRateLimit;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three "JVMs" (three {@link Node}s: each its own store, connection, enforcer and callers) share one limiter
 * through one real redis-server and hammer it: the quota holds across them, the aggregate rate is the limit, a
 * throttle recorded by one node pauses all three, and a congestion event it opened, confirmed by a throttle on
 * another node, cuts the rate of all three.
 */
class RedisMultiNodeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long MS_US = 1000L;
    private static final long MS_NS = 1_000_000L;

    private static RedisStoreSettings settings(String prefix) {
        return RedisStoreSettings.builder().keyPrefix(prefix).fallback(RedisStoreSettings.Fallback.FAIL)
                .timeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void threeNodesShareOneQuotaAndOneRate() throws Exception {
        // pacing allows 300/s, the quota 100 per 500 ms: the quota binds, the limit is 200/s
        LimiterConfig c = LimiterConfig.builder().maxRate(300).quota(100).quotaWindow(Duration.ofMillis(500))
                .maxPending(1000).maxWait(Duration.ofSeconds(10)).build();
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(new Node("node" + i, REDIS.uri(), settings("multi"), "shared-api", c));
            }
            nodes.forEach(n -> n.start(6));
            Thread.sleep(2200);
            nodes.forEach(Node::stopAsking);
            for (Node n : nodes) {
                assertTrue(n.awaitAnswered(5000), n.name + ": every request answered");
            }
            List<Long> all = new ArrayList<>();
            long total = 0;
            for (Node n : nodes) {
                all.addAll(n.stamps);
                total += n.granted.get();
                assertEquals(0, n.rejected.get(), n.name + " rejected, first: " + (n.rejections.isEmpty() ? null : n.rejections.get(0)));
                assertEquals(n.issued.get(), n.granted.get(), n.name);
                assertTrue(n.store.redisCommands() > 0 && !n.store.isDegraded());
            }
            for (Node n : nodes) {
                assertTrue(n.granted.get() > total / 10, n.name + " got " + n.granted.get() + " of " + total);
            }
            Collections.sort(all);
            int worst = maxInWindow(all, 500 * MS_US);
            assertTrue(worst <= 100, "starts in a 500 ms window across three nodes: " + worst);
            assertEquals(all.size(), all.stream().distinct().count(), "no two grants at one server instant");
            // the aggregate rate, counted over whole quota windows from the first start: the quota per window when
            // every window is used in full, never more; each window loses what its late starts lost (wake-up and
            // round trip), a few ms of 500
            long first = all.get(0);
            int windows = (int) ((all.get(all.size() - 1) - first) / (500 * MS_US));
            long inWindows = all.stream().filter(t -> t < first + windows * 500 * MS_US).count();
            double rate = inWindows / (windows * 0.5);
            long lateP90 = nodes.stream().mapToLong(n -> n.wakeLateness(0.9)).max().orElse(0);
            System.out.printf("multi-node quota: %d starts in %d whole windows = %.1f/s, worst window %d,"
                    + " p90 wake-up lateness %.2f ms%n", inWindows, windows, rate, worst, lateP90 / 1e6);
            assertTrue(windows >= 4, "ran " + windows + " windows");
            assertTrue(inWindows <= 100L * windows, inWindows + " starts in " + windows + " windows of 100");
            // a start the scheduler woke late is late for good (the next window counts from it): on a machine
            // so busy that wake-ups ran more than 10 ms late, only 80 % is required, and the run says so
            boolean starved = lateP90 > 10_000_000L;
            if (starved) {
                System.out.println("!!! multi-node quota: this machine is starved (p90 wake-up lateness "
                        + lateP90 / 1_000_000 + " ms): the rate is held to 80 %, not 95 %");
            }
            assertTrue(inWindows >= (starved ? 0.80 : 0.95) * 100 * windows, "aggregate rate " + rate
                    + "/s for a limit of 200/s (" + inWindows + " starts in " + windows + " windows of 500 ms,"
                    + " p90 wake-up lateness " + lateP90 / 1e6 + " ms)");
            LimiterSnapshot s = nodes.get(2).store.snapshot("shared-api", c).toCompletableFuture().join();
            assertEquals(total, s.granted(), "Redis counted the grants of all nodes");
        } finally {
            nodes.forEach(Node::close);
        }
    }

    @Test
    void aThrottleSeenByOneNodePausesAllAndASecondOnAnotherCutsTheRateOfAll() throws Exception {
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ofSeconds(1)).maxPending(1000)
                .maxWait(Duration.ofSeconds(10)).build();
        String state = "{throttle:shared-api}:state";
        RedisClient inspector = RedisClient.create(REDIS.uri());
        List<Node> nodes = new ArrayList<>();
        try (StatefulRedisConnection<String, String> inspection = inspector.connect()) {
            RedisCommands<String, String> redis = inspection.sync();
            for (int i = 0; i < 3; i++) {
                nodes.add(new Node("node" + i, REDIS.uri(), settings("throttle"), "shared-api", c));
            }
            nodes.forEach(n -> n.start(4));
            Thread.sleep(1000);
            // node0 sees a 429 (Retry-After: 500 ms) for its latest call: it arms a congestion event and pauses
            // every node, but a lone throttle does not cut
            Node a = nodes.get(0);
            long lastBefore = a.stamps.get(a.stamps.size() - 1);
            assertFalse(a.limiter.record(Feedback.throttled(lastBefore, 429, 500 * MS_NS)).join(), "a lone throttle");
            long armedAt = Long.parseLong(redis.hget(state, "ar"));
            long pausedUntil = Long.parseLong(redis.hget(state, "pu"));
            assertEquals(armedAt + 500 * MS_US, pausedUntil);
            for (Node n : nodes) {
                LimiterSnapshot s = n.store.snapshot("shared-api", c).toCompletableFuture().join();
                assertEquals(0, s.cuts(), n.name);
                assertEquals(100.0, s.rate(), n.name);
                assertEquals(1000.0, s.scale(), n.name + ": the armed event doubled the scale the cut will use");
                assertTrue(s.pauseRemainingNanos() > 0, n.name + " is paused");
            }
            // node1 sees a 429 for one of its calls granted 150 ms after the pause: that confirms the event, and the
            // cut uses what all nodes were granted between the two throttles (the provider's capacity, as measured)
            Node b = nodes.get(1);
            long grantedAt = awaitStampAtOrAfter(b, pausedUntil + 150 * MS_US);
            assertTrue(b.limiter.record(Feedback.throttled(grantedAt, 429, -1)).join(), "the second throttle cuts");
            long cutAt = Long.parseLong(redis.hget(state, "lc"));
            assertNull(redis.hget(state, "ar"), "the event is answered");
            for (Node n : nodes) {
                LimiterSnapshot s = n.store.snapshot("shared-api", c).toCompletableFuture().join();
                assertEquals(1, s.cuts(), n.name + " sees the cut");
                assertTrue(s.rate() < 100.0, n.name + " sees rate " + s.rate());
            }
            Thread.sleep(1000);
            nodes.forEach(Node::stopAsking);
            for (Node n : nodes) {
                assertTrue(n.awaitAnswered(5000), n.name + ": every request answered");
            }
            List<Long> all = new ArrayList<>();
            for (Node n : nodes) {
                synchronized (n.stamps) {
                    all.addAll(n.stamps);
                }
            }
            Collections.sort(all);
            assertEquals(0, all.stream().filter(t -> t > armedAt && t < pausedUntil).count(),
                    "the pause held every node");
            // E = (grants - throttles between the two throttles) / elapsed, every node's grants counted
            long accepted = all.stream().filter(t -> t > armedAt && t < cutAt).count() - 1;
            double measured = accepted / (((cutAt - armedAt) * 1000) / 1e9);
            AdaptiveRateLimit expected = new AdaptiveRateLimit(c);
            expected.signal();
            // node0's Retry-After pause fell inside the measurement: the cut goes no deeper than decreaseFactor^3
            double beta = c.decreaseFactor();
            double estimate = Math.max(measured, beta * beta * beta * expected.rate(cutAt * 1000)
                    / AdaptiveRateLimit.ESTIMATE_FACTOR);
            expected.cut(cutAt * 1000, estimate);
            assertEquals(expected.lastMax(), Double.parseDouble(redis.hget(state, "wm")), 1e-9,
                    "the cut recovers towards the estimate " + estimate + "/s");
            // after the cut every node together follows the cut's curve: in (cut, cut + 900 ms] at most its
            // integral, plus the GCRA grid's one early start and the rounding of the curve's slow rise over a step
            long window = 900 * MS_US;
            double allowed = 0;
            for (long t = 0; t < window; t += MS_US) {
                allowed += expected.rate((cutAt + t) * 1000 + MS_NS / 2) / 1000;
            }
            long afterCut = all.stream().filter(t -> t > cutAt && t <= cutAt + window).count();
            assertTrue(afterCut <= allowed + 3, afterCut + " starts in 900 ms after the cut, the curve allows "
                    + allowed);
            List<Long> before = new ArrayList<>(all.stream().filter(t -> t <= armedAt).toList());
            List<Long> after = new ArrayList<>(all.stream()
                    .filter(t -> t > cutAt + 100 * MS_US && t <= cutAt + window).toList());
            double rateBefore = rate(before);
            double rateAfter = rate(after);
            System.out.printf("multi-node throttle: %.1f/s before the event, estimate %.1f/s, %.1f/s after the cut%n",
                    rateBefore, estimate, rateAfter);
            // never above the shared rate (the aggregate rate's accuracy is the quota test's business: here a
            // loaded machine may leave slots unused, which only lowers both figures)
            assertTrue(rateBefore <= 102, "before the event all nodes together: " + rateBefore + "/s");
            assertTrue(rateAfter < rateBefore * 0.85, "the cut slowed the three nodes: " + rateBefore + "/s, then "
                    + rateAfter + "/s");
        } finally {
            nodes.forEach(Node::close);
            inspector.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Waits (up to 5 s) for a grant of {@code node} at or after {@code micros} (server time); returns it. */
    private static long awaitStampAtOrAfter(Node node, long micros) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000 * MS_NS;
        while (System.nanoTime() < deadline) {
            synchronized (node.stamps) {
                for (long t : node.stamps) {
                    if (t >= micros) {
                        return t;
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(node.name + " got no permit after " + micros);
    }

    private static double rate(List<Long> stampsMicros) {
        Collections.sort(stampsMicros);
        double seconds = (stampsMicros.get(stampsMicros.size() - 1) - stampsMicros.get(0)) / 1e6;
        return (stampsMicros.size() - 1) / seconds;
    }

    /** The most stamps in any window [s, s + window) (same units). */
    static int maxInWindow(List<Long> sorted, long window) {
        int best = 0;
        int j = 0;
        for (int i = 0; i < sorted.size(); i++) {
            while (j < sorted.size() && sorted.get(j) < sorted.get(i) + window) {
                j++;
            }
            best = Math.max(best, j - i);
        }
        return best;
    }
}
