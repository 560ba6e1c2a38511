package io.github.camelratelimit.recipes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per recipe in docs/recipes.adoc: the recipe's route, as written there, against the simulator. Not in the
 * examples package: the demo's camel-main scans that package for RouteBuilder classes and would find these.
 */
class RecipesTest {

    private ProviderSimulator sim;
    private CamelContext camel;
    private Main main;

    @AfterEach
    void tearDown() {
        if (camel != null) {
            camel.stop();
        }
        if (main != null) {
            main.stop();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    private void start(ProviderSimulator.Builder b) throws Exception {
        sim = b.build();
        sim.start();
    }

    // ---- recipe: circuit breaker ----

    @Test
    void circuitBreakerFailsFastUnderSustainedDegradation() throws Exception {
        start(ProviderSimulator.builder().capacity(1000));
        ProviderSimulator.Reply[] outage = new ProviderSimulator.Reply[20];
        java.util.Arrays.fill(outage, ProviderSimulator.Reply.of(503).body("{\"error\":\"maintenance\"}"));
        sim.script(outage);
        String url = sim.baseUrl();
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // tag::circuit-breaker[]
                from("direct:quote")
                    .circuitBreaker()
                        .resilience4jConfiguration()
                            .slidingWindowSize(10).minimumNumberOfCalls(4).failureRateThreshold(50)
                            .waitDurationInOpenState(30)                // seconds before trying again
                        .end()
                        .to("ratelimit:" + url + "/quotes?limiter=quotes&maxWait=5s")
                    .onFallback()
                        .setBody(constant("{\"quote\":null,\"stale\":true}"))
                    .end();
                // end::circuit-breaker[]
            }
        });
        camel.start();
        ProducerTemplate producer = camel.createProducerTemplate();
        for (int i = 0; i < 10; i++) {
            Exchange e = producer.send("direct:quote", x -> { });
            assertNull(e.getException(), "the fallback answers");
            assertEquals("{\"quote\":null,\"stale\":true}", e.getMessage().getBody(String.class));
        }
        assertEquals(4, sim.stats().requests(), "after 4 failures the breaker opened: 6 calls never left");
        assertEquals(16, sim.pendingScript());
    }

    // ---- recipe: per-tenant limiters ----

    @Test
    void perTenantLimitersAreBoundedByTheToDCacheAndEvictedOnesAreReleased() throws Exception {
        start(ProviderSimulator.builder().capacity(1000));
        String url = sim.baseUrl();
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // tag::tenant[]
                from("direct:tenant-call")
                    .toD("ratelimit:" + url + "/orders?limiter=tenant-${header.tenant}&maxRate=5", 2);
                // end::tenant[]
            }
        });
        camel.start();
        RateLimitComponent rl = camel.getComponent("ratelimit", RateLimitComponent.class);
        ProducerTemplate producer = camel.createProducerTemplate();
        call(producer, "acme");
        call(producer, "globex");
        assertEquals(Set.of("tenant-acme", "tenant-globex"), rl.getLimiterNames());
        call(producer, "acme");
        call(producer, "initech");
        // the third tenant evicts the endpoint created first; a cache hit does not renew it (Camel 4.18)
        assertEquals(Set.of("tenant-globex", "tenant-initech"), rl.getLimiterNames(),
                "acme's endpoint was evicted and stopped, which released (closed) its limiter");
        assertEquals(2, tenantEndpoints(camel), "and it left the endpoint registry");
        call(producer, "acme");
        assertEquals(Set.of("tenant-initech", "tenant-acme"), rl.getLimiterNames(), "acme starts a fresh limiter");
        assertEquals(2, tenantEndpoints(camel));
        assertEquals(5, sim.stats().ok());
    }

    @Test
    void perTenantLimitersInYaml() throws Exception {
        start(ProviderSimulator.builder().capacity(1000));
        camel = new DefaultCamelContext();
        camel.getPropertiesComponent().addInitialProperty("provider.url", sim.baseUrl());
        String yaml = """
                - route:
                    from:
                      uri: direct:tenant-call
                      steps:
                        - toD:
                            uri: "ratelimit:{{provider.url}}/orders?limiter=tenant-${header.tenant}"
                            cacheSize: 2
                """;
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("tenants.camel.yaml", yaml));
        camel.start();
        ProducerTemplate producer = camel.createProducerTemplate();
        call(producer, "acme");
        call(producer, "globex");
        call(producer, "initech");
        assertEquals(Set.of("tenant-globex", "tenant-initech"),
                camel.getComponent("ratelimit", RateLimitComponent.class).getLimiterNames());
        assertEquals(3, sim.stats().ok());
    }

    private static long tenantEndpoints(CamelContext camel) {
        return camel.getEndpoints().stream().filter(e -> e.getEndpointUri().startsWith("ratelimit:")).count();
    }

    private static void call(ProducerTemplate producer, String tenant) {
        Exchange e = producer.send("direct:tenant-call", x -> x.getMessage().setHeader("tenant", tenant));
        assertNull(e.getException(), tenant);
    }

    // ---- recipe: strict provider quota ----

    @Test
    void strictQuotaOnTheUri() throws Exception {
        start(ProviderSimulator.builder().capacity(1000));
        String url = sim.baseUrl();
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // tag::quota[]
                from("direct:geocode")
                    .to("ratelimit:" + url + "/geocode?limiter=geocoder&quota=100&quotaWindow=1h&maxWait=30s");
                // end::quota[]
            }
        });
        camel.start();
        ProducerTemplate producer = camel.createProducerTemplate();
        for (int i = 0; i < 100; i++) {
            assertNull(producer.send("direct:geocode", x -> { }).getException());
        }
        Exchange over = producer.send("direct:geocode", x -> { });
        RateLimitExceededException e = assertInstanceOf(RateLimitExceededException.class, over.getException());
        assertEquals(RateLimitExceededException.Reason.MAX_WAIT, e.getReason());
        assertTrue(e.getWaitNeeded().compareTo(Duration.ofMinutes(59)) > 0, "room again in about an hour: " + e);
        assertEquals(100, sim.stats().requests(), "the 101st call never reached the provider");
    }

    // ---- recipe: http connection pool ----

    @Test
    void connectionPoolBoundsTheCallsInFlight() throws Exception {
        Duration latency = Duration.ofMillis(100);
        start(ProviderSimulator.builder().capacity(1000).latency(latency));
        main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false");
        // tag::pool[]
        main.addInitialProperty("camel.component.http.max-total-connections", "8");
        main.addInitialProperty("camel.component.http.connections-per-route", "4");
        main.addInitialProperty("camel.component.ratelimit.worker-pool-size", "4");
        // end::pool[]
        main.addInitialProperty("provider.url", sim.baseUrl());
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:pooled").to("ratelimit:{{provider.url}}/items?limiter=pooled&maxRate=200");
            }
        });
        main.start();
        CamelContext ctx = main.getCamelContext();
        HttpComponent http = ctx.getComponent("http", HttpComponent.class);
        assertEquals(4, http.getConnectionsPerRoute());
        assertEquals(8, http.getMaxTotalConnections());
        assertEquals(4, ctx.getComponent("ratelimit", RateLimitComponent.class).getWorkerPoolSize());

        ProducerTemplate producer = ctx.createProducerTemplate();
        List<CompletableFuture<Exchange>> calls = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            calls.add(producer.asyncSend("direct:pooled", x -> { }));
        }
        for (CompletableFuture<Exchange> c : calls) {
            assertNull(c.get().getException());
        }
        assertEquals(24, sim.stats().ok());
        // a connection is reused only after its reply came back, which takes the latency: so no window of that
        // length holds more arrivals than there are connections
        assertTrue(sim.maxInWindow(latency) <= 4, "at most 4 calls in flight, saw " + sim.maxInWindow(latency));
    }
}
