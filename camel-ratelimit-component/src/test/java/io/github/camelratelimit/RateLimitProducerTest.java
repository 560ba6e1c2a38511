package io.github.camelratelimit;

import java.util.Map;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer's per-message path: the exchange properties a message gets, and which responses are fed
 * back to the limiter (only what it can learn from).
 */
class RateLimitProducerTest extends RateLimitHttpTestSupport {

    @Test
    void aCallGrantedAtOnceWithoutAnHttpResponseGetsNoProperty() throws Exception {
        // a rate no call waits for (one per microsecond)
        route("direct:a", "ratelimit:mock:sink?limiter=plain&maxRate=1000000");
        Exchange bare = template.send("direct:a", e -> e.getMessage().setBody("x")); // no header at all
        assertFalse(bare.hasProperties(), "nothing to say: " + bare.getProperties());
        Exchange withHeaders = template.send("direct:a", e -> e.getMessage().setHeader("foo", "bar"));
        assertFalse(withHeaders.hasProperties(), "no HTTP status: " + withHeaders.getProperties());
        assertEquals(2, snapshot("plain").granted());
    }

    @Test
    void aCallThatFailedIsNamedEvenWithoutAStatus() throws Exception {
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:fail").to("ratelimit:direct:boom?limiter=boom&maxRate=100");
                from("direct:boom").throwException(new IllegalStateException("down"));
            }
        });
        Exchange failed = template.send("direct:fail", e -> { });
        assertInstanceOf(IllegalStateException.class, failed.getException());
        assertEquals("boom", failed.getProperty(RateLimitConstants.LIMITER));
        assertNull(failed.getProperty(RateLimitConstants.RESPONSE_STATUS));
    }

    @Test
    void aSynchronousDelegateIsCalledDirectlyAndWhatItLeavesIsReadAsThroughCamelsBridge() throws Exception {
        java.util.List<StackTraceElement[]> stacks = new java.util.ArrayList<>();
        context.addComponent("sync", new org.apache.camel.support.DefaultComponent() {
            @Override
            protected org.apache.camel.Endpoint createEndpoint(String uri, String remaining, Map<String, Object> p) {
                return new org.apache.camel.support.DefaultEndpoint(uri, this) {
                    @Override
                    public org.apache.camel.Producer createProducer() {
                        return new org.apache.camel.support.DefaultProducer(this) {
                            @Override
                            public void process(Exchange exchange) {
                                stacks.add(Thread.currentThread().getStackTrace());
                                String body = exchange.getMessage().getBody(String.class);
                                if ("fail".equals(body)) {
                                    throw new IllegalStateException("down");
                                }
                                if ("header".equals(body)) {
                                    exchange.getMessage().setHeader("foo", "bar");
                                }
                            }
                        };
                    }

                    @Override
                    public org.apache.camel.Consumer createConsumer(org.apache.camel.Processor processor) {
                        throw new UnsupportedOperationException();
                    }
                };
            }
        });
        route("direct:a", "ratelimit:sync:sink?limiter=sync&maxRate=1000000");
        Exchange bare = template.send("direct:a", e -> e.getMessage().setBody("plain"));
        assertNull(bare.getException());
        assertFalse(bare.hasProperties(), "nothing to say: " + bare.getProperties());
        Exchange withHeader = template.send("direct:a", e -> e.getMessage().setBody("header"));
        assertNull(withHeader.getException());
        assertFalse(withHeader.hasProperties(), "no HTTP status: " + withHeader.getProperties());
        Exchange failed = template.send("direct:a", e -> e.getMessage().setBody("fail"));
        assertInstanceOf(IllegalStateException.class, failed.getException());
        assertEquals("sync", failed.getProperty(RateLimitConstants.LIMITER), "a failed call is named");
        assertEquals(3, snapshot("sync").granted());
        assertEquals(3, stacks.size());
        for (StackTraceElement[] stack : stacks) {
            assertTrue(java.util.Arrays.stream(stack).noneMatch(f -> f.getClassName().startsWith(org.apache.camel.support.AsyncProcessorConverterHelper.class.getName())),
                    "called directly, not through Camel's bridge");
            assertTrue(java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().equals(
                    RateLimitProducer.class.getName())), "called from the ratelimit producer, in the caller's thread");
        }
    }

    @Test
    void anHttpCallGetsTheLimitersNameAndTheStatus() throws Exception {
        server.then(TestHttpServer.Reply.ok());
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=svc&maxRate=50");
        Exchange ok = template.send("direct:a", e -> { });
        assertEquals("svc", ok.getProperty(RateLimitConstants.LIMITER));
        assertEquals(200, ok.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertNull(ok.getProperty(RateLimitConstants.WAITED_MILLIS), "granted at once");
    }

    @Test
    void anExchangeThatWentThroughALimiterBeforeLosesThatCallsStaleProperties() throws Exception {
        route("direct:a", "ratelimit:mock:sink?limiter=plain&maxRate=100");
        Exchange again = template.send("direct:a", e -> {
            // what a first ratelimit call left (a redelivery, or a second ratelimit endpoint in the route)
            e.setProperty(RateLimitConstants.LIMITER, "earlier");
            e.setProperty(RateLimitConstants.WAITED_MILLIS, 250L);
            e.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, 1000L);
            e.setProperty(RateLimitConstants.RESPONSE_STATUS, 429);
        });
        assertEquals("plain", again.getProperty(RateLimitConstants.LIMITER));
        assertNull(again.getProperty(RateLimitConstants.WAITED_MILLIS));
        assertNull(again.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS));
        assertNull(again.getProperty(RateLimitConstants.RESPONSE_STATUS));
    }

    @Test
    void aCallThatWaitedForItsPermitSaysHowLong() throws Exception {
        // one call per 2 s: the next call (sent right after) waits for the window unless 2 s went by in between
        route("direct:a", "ratelimit:mock:sink?limiter=slow&quota=1&quotaWindow=2s&maxWait=10s");
        template.send("direct:a", e -> { });
        Exchange second = template.send("direct:a", e -> { });
        Long waited = second.getProperty(RateLimitConstants.WAITED_MILLIS, Long.class);
        assertNotNull(waited, "a queued call reports its wait");
        assertTrue(waited > 0, "waited " + waited + " ms");
    }

    @Test
    void a503WithoutRetryAfterIsNoRateLimitSignalButWithItIs() throws Exception {
        server.then(TestHttpServer.Reply.status(503, Map.of()));
        server.then(TestHttpServer.Reply.status(503, Map.of("Retry-After", "1")));
        route("direct:a", "ratelimit:" + server.base()
                + "/items?limiter=svc&maxRate=50&throwExceptionOnFailure=false&maxWait=10s");
        Exchange first = template.send("direct:a", e -> { });
        assertEquals(503, first.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertNull(first.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS));
        assertEquals(0, snapshot("svc").cuts(), "a 503 alone says nothing about the rate");
        Exchange second = template.send("direct:a", e -> { });
        assertEquals(503, second.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertEquals(1000L, second.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS));
        // with Retry-After it is a rate-limit signal: it pauses the limiter and opens a congestion event (the scale
        // doubles); a lone signal does not cut
        assertEquals(1, snapshot("svc").throttled());
        assertEquals(1000.0, snapshot("svc").scale());
        assertEquals(0, snapshot("svc").cuts());
    }

    @Test
    void aSuccessCarryingQuotaHeadersIsLearnedFromAndOneWithoutIsNot() throws Exception {
        server.then(TestHttpServer.Reply.ok());
        server.then(TestHttpServer.Reply.status(200, Map.of("RateLimit-Limit", "10", "RateLimit-Remaining", "0",
                "RateLimit-Reset", "30")));
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=quota&maxRate=50&maxPause=1m");
        Exchange plain = template.send("direct:a", e -> { });
        assertEquals(200, plain.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertEquals(0L, snapshot("quota").pauseRemainingNanos());
        template.send("direct:a", e -> { });
        // remaining 0 with a reset: the provider's quota is used up, the limiter pauses until the reset
        long pause = snapshot("quota").pauseRemainingNanos();
        assertEquals(30.0, pause / 1e9, 1.0);
    }
}
