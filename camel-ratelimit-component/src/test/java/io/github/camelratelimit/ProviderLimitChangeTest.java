package io.github.camelratelimit;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A provider that lowers its reported limit is noticed: a provider_limit_changed event, and a lower ceiling. */
class ProviderLimitChangeTest {

    @Test
    void limitChangeIsLoggedAsAnEventAndLowersTheRate() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ProviderQuotaSupport.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (TestHttpServer server = new TestHttpServer(); CamelContext ctx = new DefaultCamelContext()) {
            server.then(new TestHttpServer.Reply(200, Map.of("RateLimit-Policy", "\"default\";q=6000;w=60"), "{}"))
                    .then(new TestHttpServer.Reply(200, Map.of("RateLimit-Policy", "\"default\";q=600;w=60"), "{}"));
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:a").to("ratelimit:" + server.base() + "/x?limiter=plc&maxRate=50");
                }
            });
            ctx.start();
            ctx.createProducerTemplate().sendBody("direct:a", null);
            ctx.createProducerTemplate().sendBody("direct:a", null);
            RateLimitComponent c = ctx.getComponent("ratelimit", RateLimitComponent.class);
            double rate = c.getLimiter("plc").store().snapshot("plc", c.getLimiter("plc").config())
                    .toCompletableFuture().get().rate();
            assertEquals(9.0, rate, 1e-9, "600 per 60 s less the 10 % margin");
        } finally {
            logger.detachAppender(events);
        }
        List<ILoggingEvent> changed = events.list.stream()
                .filter(e -> kv(e).getOrDefault("event", "").equals("provider_limit_changed")).toList();
        assertEquals(1, changed.size());
        Map<String, Object> kv = kv(changed.get(0));
        assertEquals(6000L, kv.get("old"));
        assertEquals(600L, kv.get("new"));
        assertEquals("plc", kv.get("limiter"));
        assertTrue(kv.containsKey("windowMs"));
    }

    private static Map<String, Object> kv(ILoggingEvent e) {
        List<KeyValuePair> pairs = e.getKeyValuePairs();
        return pairs == null ? Map.of()
                : pairs.stream().filter(p -> p.value != null).collect(Collectors.toMap(p -> p.key, p -> p.value, (a, b) -> b));
    }
}
