package io.github.camelratelimit;

import java.util.Map;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The producer's per-message path: the exchange properties every message gets, and which responses are fed
 * back to the limiter (only what it can learn from).
 */
class RateLimitProducerTest extends RateLimitHttpTestSupport {

    @Test
    void aDelegateWithoutAnHttpResponseGetsEveryPropertyAndStatusMinusOne() throws Exception {
        route("direct:a", "ratelimit:mock:sink?limiter=plain&maxRate=100");
        Exchange bare = template.send("direct:a", e -> e.getMessage().setBody("x")); // no header at all
        assertEquals("plain", bare.getProperty(RateLimitConstants.LIMITER));
        assertEquals(0L, bare.getProperty(RateLimitConstants.WAITED_MILLIS));
        assertEquals(-1, bare.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertNull(bare.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS));
        Exchange withHeaders = template.send("direct:a", e -> e.getMessage().setHeader("foo", "bar"));
        assertEquals(-1, withHeaders.getProperty(RateLimitConstants.RESPONSE_STATUS));
        assertEquals(2, snapshot("plain").granted());
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
