package io.github.camelratelimit.redis;

import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.observe.RateLimitHealthCheck;
import io.github.camelratelimit.simulator.ProviderSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * While Redis is down the store paces on its local fallback, and that shows: the health check's details say
 * {@code storeDegraded} (status stays UP: the route still works) and the {@code camel.ratelimit.store.degraded}
 * gauge is 1; both clear when Redis answers again.
 */
class RedisDegradedVisibilityTest {

    @RegisterExtension
    static RedisServerExtension redis = new RedisServerExtension();

    @Test
    void degradedStoreShowsInHealthAndMetrics() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(1000).burst(1000).build();
                CamelContext ctx = new DefaultCamelContext()) {
            sim.start();
            ctx.getRegistry().bind("metricsRegistry", meters);
            ctx.start();
            // a stopped redis-server refuses at once, so the timeout only needs to outlast a slow reply: with 300 ms
            // a loaded machine timed out the first call (script load) and the store started degraded
            String uri = "ratelimit:" + sim.baseUrl() + "/items?limiter=vis&store=redis&redisUri=" + redis.uri()
                    + "&redisKeyPrefix=vis-test&redisTimeout=2s&redisProbeInterval=100ms&maxRate=100";
            assertNull(ctx.createProducerTemplate().send(uri, e -> { }).getException());
            HealthCheck check = HealthCheckRegistry.get(ctx).getCheck(RateLimitHealthCheck.ID).orElseThrow();
            assertEquals(0.0, meters.get("camel.ratelimit.store.degraded").tag("limiter", "vis").gauge().value());
            assertTrue(!check.call().getDetails().containsKey("vis.storeDegraded"));

            redis.stop();
            Exchange during = ctx.createProducerTemplate().send(uri, e -> { });
            assertNull(during.getException(), "paced on the local fallback");
            assertEquals(1.0, meters.get("camel.ratelimit.store.degraded").tag("limiter", "vis").gauge().value());
            HealthCheck.Result r = check.call();
            assertEquals(HealthCheck.State.UP, r.getState());
            assertEquals(Boolean.TRUE, r.getDetails().get("vis.storeDegraded"));
            assertEquals("redis", r.getDetails().get("vis.store"));

            redis.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (meters.get("camel.ratelimit.store.degraded").tag("limiter", "vis").gauge().value() != 0.0
                    && System.nanoTime() < deadline) {
                ctx.createProducerTemplate().send(uri, e -> { }); // calls let the store notice Redis is back
                Thread.onSpinWait();
            }
            assertEquals(0.0, meters.get("camel.ratelimit.store.degraded").tag("limiter", "vis").gauge().value());
            assertTrue(!check.call().getDetails().containsKey("vis.storeDegraded"));
        }
    }
}
