package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three "JVMs" (three {@link Node}s: each its own store, connection, enforcer and callers) share one limiter
 * through one real redis-server and hammer it: the quota holds across them, the aggregate rate is the limit, and
 * a throttle recorded by one node slows all three.
 */
class RedisMultiNodeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long MS_US = 1000L;

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
    void aThrottleSeenByOneNodeSlowsAll() throws Exception {
        LimiterConfig c = LimiterConfig.builder().maxRate(100).signalCooldown(Duration.ofSeconds(1)).maxPending(1000)
                .maxWait(Duration.ofSeconds(10)).build();
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(new Node("node" + i, REDIS.uri(), settings("throttle"), "shared-api", c));
            }
            nodes.forEach(n -> n.start(4));
            Thread.sleep(1000);
            // node0 sees a 429 for its latest call and records it: one cut, for everyone
            Node a = nodes.get(0);
            long grantedAt = a.stamps.get(a.stamps.size() - 1);
            assertTrue(a.limiter.record(Feedback.throttled(grantedAt, 429, -1)).join(), "the throttle cut the rate");
            long cutAt = grantedAt;
            Thread.sleep(1000);
            nodes.forEach(Node::stopAsking);
            for (Node n : nodes) {
                assertTrue(n.awaitAnswered(5000), n.name + ": every request answered");
            }
            for (Node n : nodes.subList(1, 3)) {
                LimiterSnapshot s = n.store.snapshot("shared-api", c).toCompletableFuture().join();
                assertEquals(1, s.cuts(), n.name + " sees the cut");
                // 0.7 x 100 = 70 at the cut; cubic recovery with C = 500, K = cbrt(100 x 0.3 x 500) = 24.7 s:
                // 100 + (1 - 24.7)^3 / 500 = 73.5/s one second later
                assertTrue(s.rate() > 69.9 && s.rate() < 76, n.name + " sees rate " + s.rate());
            }
            List<Long> before = new ArrayList<>();
            List<Long> after = new ArrayList<>();
            for (Node n : nodes) {
                synchronized (n.stamps) {
                    for (long st : n.stamps) {
                        if (st <= cutAt) {
                            before.add(st);
                        } else if (st > cutAt + 100 * MS_US) {
                            after.add(st);
                        }
                    }
                }
            }
            double rateBefore = rate(before);
            double rateAfter = rate(after);
            System.out.printf("multi-node throttle: %.1f/s before the cut, %.1f/s after%n", rateBefore, rateAfter);
            // never above the shared rate (the aggregate rate's accuracy is the quota test's business: here a
            // loaded machine may leave slots unused, which only lowers both figures)
            assertTrue(rateBefore <= 102, "before the cut all nodes together: " + rateBefore + "/s");
            assertTrue(rateAfter <= 76, "after the cut all nodes together: " + rateAfter + "/s");
            assertTrue(rateAfter < rateBefore * 0.85, "the cut slowed the three nodes: " + rateBefore + "/s, then "
                    + rateAfter + "/s");
        } finally {
            nodes.forEach(Node::close);
        }
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
