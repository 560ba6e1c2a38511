package io.github.camelratelimit;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.core.RateLimitExceededException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** limiterKey: one limiter per tenant, bounded in number, idle ones evicted. */
class PerKeyLimiterTest {

    private TestHttpServer server;
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void setUp() throws Exception {
        server = new TestHttpServer();
        context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").to("ratelimit:" + server.base() + "/t?limiter=api&limiterKey=${header.tenant}"
                        + "&maxRate=2&maxLimiters=2&limiterIdleTimeout=300ms");
            }
        });
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void tearDown() {
        context.stop();
        server.close();
    }

    private RateLimitComponent component() {
        return context.getComponent("ratelimit", RateLimitComponent.class);
    }

    private CompletableFuture<Exchange> send(String tenant) {
        return template.asyncSend("direct:a", e -> e.getMessage().setHeader("tenant", tenant));
    }

    @Test
    void eachTenantIsPacedByItsOwnLimiter() throws Exception {
        // one shared limiter at 2/s would make globex's first call wait behind acme's; per tenant it does not
        Exchange acme = send("acme").get(10, TimeUnit.SECONDS);
        Exchange globex = send("globex").get(10, TimeUnit.SECONDS);
        assertNull(acme.getProperty(RateLimitConstants.WAITED_MILLIS, Long.class), "granted at once");
        assertNull(globex.getProperty(RateLimitConstants.WAITED_MILLIS, Long.class), "granted at once");
        assertEquals("api[globex]", globex.getProperty(RateLimitConstants.LIMITER, String.class));
        List<CompletableFuture<Exchange>> sent = List.of(send("acme"), send("globex"));
        for (CompletableFuture<Exchange> f : sent) {
            Exchange e = f.get(10, TimeUnit.SECONDS);
            assertNull(e.getException());
            assertTrue(e.getProperty(RateLimitConstants.LIMITER, String.class).startsWith("api["));
        }
        assertEquals(java.util.Set.of("api[acme]", "api[globex]"), component().getKeyedLimiterNames());
        assertEquals(2, component().getKeyedLimiter("api[acme]").granted());
        assertEquals(2, component().getKeyedLimiter("api[globex]").granted());
    }

    @Test
    void boundedInNumberAndIdleOnesAreEvicted() throws Exception {
        assertNull(send("a").get(5, TimeUnit.SECONDS).getException());
        assertNull(send("b").get(5, TimeUnit.SECONDS).getException());
        // two busy tenants: queue one more exchange on each, so neither is idle, then ask for a third tenant
        CompletableFuture<Exchange> waitingA = send("a");
        CompletableFuture<Exchange> waitingB = send("b");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((component().getKeyedLimiter("api[a]").pending() == 0
                || component().getKeyedLimiter("api[b]").pending() == 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Exchange c = send("c").get(5, TimeUnit.SECONDS);
        RateLimitExceededException ex = assertInstanceOf(RateLimitExceededException.class, c.getException());
        assertEquals(RateLimitExceededException.Reason.MAX_LIMITERS, ex.getReason());
        assertTrue(ex.getMessage().contains("maxLimiters=2"), ex.getMessage());
        assertNull(waitingA.get(5, TimeUnit.SECONDS).getException());
        assertNull(waitingB.get(5, TimeUnit.SECONDS).getException());
        // once idle for limiterIdleTimeout (300 ms), they make room: a new tenant gets a limiter
        long idle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(350);
        while (System.nanoTime() < idle) {
            Thread.onSpinWait();
        }
        assertNull(send("d").get(5, TimeUnit.SECONDS).getException());
        assertEquals(java.util.Set.of("api[d]"), component().getKeyedLimiterNames(), "idle tenants evicted");
    }

    @Test
    void emptyKeyUsesTheEndpointsOwnLimiter() throws Exception {
        Exchange e = template.send("direct:a", x -> { });
        assertNull(e.getException());
        assertEquals("api", e.getProperty(RateLimitConstants.LIMITER));
        assertTrue(component().getKeyedLimiterNames().isEmpty());
    }

    @Test
    void longOrOddKeysAreBounded() {
        String k = RateLimitComponent.boundedKey("x".repeat(500));
        assertTrue(k.length() <= 64, k);
        assertEquals("a_b_c", RateLimitComponent.boundedKey("a[b]c"));
    }
}
