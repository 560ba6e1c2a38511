package io.github.camelratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three CamelContexts (three "nodes") route through {@code ratelimit:...?store=redis} to one provider that
 * records arrival times: together they never exceed the shared quota in any window, a 429 seen by one node
 * pauses every node, and a second 429 seen by another node confirms the congestion event and slows every node.
 */
class RedisCamelNodesTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    private static final int NODES = 3;

    @Test
    void threeNodesShareOneQuotaThroughRedis() throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(10_000).burst(10_000).build()) {
            sim.start();
            String uri = "ratelimit:" + sim.baseUrl() + "/items?limiter=shared-quota&store=redis&redisUri="
                    + redis.uri() + "&maxRate=1000&quota=20&quotaWindow=500ms&maxWait=1m&redisKeyPrefix=nodes-test"
                    // a generous timeout: on a loaded machine a slow reply must not send a node to its local
                    // fallback (which paces at a share of the limits per node, not shared)
                    + "&redisTimeout=5s";
            List<CamelContext> nodes = start(NODES);
            try {
                // warm every node's http client (connection set-up would delay its first calls into a later
                // window), let the window pass, then measure from a clean record
                for (CamelContext node : nodes) {
                    node.createProducerTemplate().send(uri, e -> { });
                }
                long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
                while (System.nanoTime() < settle) {
                    Thread.onSpinWait();
                }
                sim.reset();
                int perNode = 30;
                CountDownLatch done = new CountDownLatch(NODES * perNode);
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                for (CamelContext node : nodes) {
                    fire(node, uri, perNode, done, ok, failed);
                }
                assertTrue(done.await(60, TimeUnit.SECONDS), "all exchanges completed");
                assertEquals(NODES * perNode, ok.get() + failed.get(), "none lost");
                assertEquals(NODES * perNode, ok.get());
                // 90 calls at 20 per 500 ms: the shared quota holds across the three nodes. The quota bounds call
                // starts (permits, in Redis server time); between a permit and the request reaching the server lie
                // a Redis reply, a worker hand-off and the http client, whose jitter (under 100 ms here, even on a
                // loaded 2-core machine) can bring arrivals closer. So: never more than the quota in any window
                // shorter by that jitter, and three nodes together far below three private quotas (60): a 500 ms
                // window of arrivals overlaps two of the quota's windows at most, 40 (a loaded run measured 30: the
                // jitter brought the next window's first calls in).
                assertTrue(sim.maxInWindow(Duration.ofMillis(400)) <= 20,
                        "max in any 400 ms window: " + sim.maxInWindow(Duration.ofMillis(400)));
                assertTrue(sim.maxInWindow(Duration.ofMillis(500)) <= 40,
                        "max in any 500 ms window: " + sim.maxInWindow(Duration.ofMillis(500)));
            } finally {
                nodes.forEach(CamelContext::stop);
            }
        }
    }

    @Test
    void a429OnOneNodePausesEveryNodeAndASecondOnAnotherCutsTheRateOfEveryNode() throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(10_000).burst(10_000).build()) {
            sim.start();
            String uri = "ratelimit:" + sim.baseUrl() + "/items?limiter=shared-cut&store=redis&redisUri="
                    + redis.uri() + "&maxRate=50&redisKeyPrefix=cut-test&throwExceptionOnFailure=false"
                    // a slow reply on a loaded machine must not send a node to its local fallback (a private limiter
                    // at half the rate: it would show neither the shared pause nor the shared cut)
                    + "&redisTimeout=5s";
            List<CamelContext> nodes = start(NODES);
            try {
                for (CamelContext node : nodes) {
                    node.createProducerTemplate().send(uri, e -> { }); // each node uses the limiter
                }
                // a lone 429 on node0: its Retry-After pauses every node, the rate is not cut (the event is armed)
                sim.script(ProviderSimulator.Reply.of(429).header("Retry-After", "1"));
                nodes.get(0).createProducerTemplate().send(uri, e -> { });
                for (LimiterSnapshot s : snapshots(nodes)) {
                    assertEquals(0, s.cuts(), "a lone 429 does not cut: " + s);
                    assertEquals(50.0, s.rate());
                    assertTrue(s.pauseRemainingNanos() > 0, "every node is paused: " + s);
                }
                // a second 429 on node1, for a call sent after the first came back (the pause makes it at least
                // 1 s later): the congestion event is confirmed, the shared rate is cut
                sim.script(ProviderSimulator.Reply.of(429).header("Retry-After", "1"));
                Exchange second = nodes.get(1).createProducerTemplate().send(uri, e -> { });
                assertEquals(429, second.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
                for (LimiterSnapshot s : snapshots(nodes)) {
                    assertEquals(1, s.cuts(), "every node sees the cut");
                    assertTrue(s.rate() < 50.0 && s.pauseRemainingNanos() > 0,
                            "every node is slowed and paused: " + s);
                }
            } finally {
                nodes.forEach(CamelContext::stop);
            }
        }
    }

    /** Every node's view of the shared limiter, asked through its own store. */
    private static List<LimiterSnapshot> snapshots(List<CamelContext> nodes) throws Exception {
        List<LimiterSnapshot> all = new ArrayList<>();
        for (CamelContext node : nodes) {
            RateLimiter l = node.getComponent("ratelimit", RateLimitComponent.class).getLimiter("shared-cut");
            all.add(l.store().snapshot(l.name(), l.config()).toCompletableFuture().get(5, TimeUnit.SECONDS));
        }
        return all;
    }

    private static List<CamelContext> start(int n) throws Exception {
        List<CamelContext> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CamelContext c = new DefaultCamelContext();
            c.start();
            nodes.add(c);
        }
        return nodes;
    }

    private static void fire(CamelContext node, String uri, int n, CountDownLatch done, AtomicInteger ok,
            AtomicInteger failed) throws Exception {
        Endpoint ep = node.getEndpoint(uri);
        AsyncProducer p = ep.createAsyncProducer();
        p.start();
        for (int i = 0; i < n; i++) {
            Exchange ex = ep.createExchange();
            p.process(ex, sync -> {
                (ex.getException() == null ? ok : failed).incrementAndGet();
                done.countDown();
            });
        }
    }
}
