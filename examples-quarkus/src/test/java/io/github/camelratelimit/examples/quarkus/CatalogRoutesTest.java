package io.github.camelratelimit.examples.quarkus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.LimiterConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The Quarkus example (JVM mode) as it ships, against the simulator: camel.component.ratelimit.* and
 * ratelimit.limiter.catalog.* from application.properties reach the limiter; every call is delivered despite 429s.
 */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class CatalogRoutesTest {

    @Inject
    CamelContext camel;

    @Inject
    ProducerTemplate producer;

    @Test
    void applicationPropertiesReachTheLimiterAndEveryCallIsDelivered() throws Exception {
        RateLimitComponent ratelimit = camel.getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(40.0, ratelimit.getConfiguration().getMaxRate(), "camel.component.ratelimit.max-rate");

        List<CompletableFuture<Exchange>> calls = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            int id = i;
            calls.add(producer.asyncSend("direct:catalog-item", e -> e.getMessage().setHeader("itemId", id)));
        }
        for (int i = 0; i < calls.size(); i++) {
            Exchange e = calls.get(i).get();
            assertNull(e.getException(), "call " + (i + 1));
            assertEquals("{\"id\":\"" + (i + 1) + "\",\"ok\":true}", e.getMessage().getBody(String.class));
        }

        LimiterConfig catalog = ratelimit.getLimiter("catalog").config();
        assertEquals(30.0, catalog.maxRate(), "ratelimit.limiter.catalog.max-rate");
        assertEquals(2.0, catalog.minRate(), "camel.component.ratelimit.min-rate");
        assertEquals(Duration.ofMinutes(2), catalog.maxWait(), "camel.component.ratelimit.max-wait");
        assertEquals(5000, catalog.quota());
        assertEquals(Duration.ofHours(1), catalog.quotaWindow());
        assertEquals(40, SimulatorResource.sim.stats().ok(), "each call reached the provider once successfully");
        assertEquals(SimulatorResource.sim.stats().requests(), 40 + SimulatorResource.sim.stats().throttled(),
                "every 429 was retried");
    }
}
