package io.github.camelratelimit;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The component against a JDK HttpServer on 127.0.0.1 answering scripted 429s. */
class RateLimitComponentTest extends RateLimitHttpTestSupport {

    @Test
    void unknownOptionsGoToTheDelegateUntouched() throws Exception {
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=t&maxRate=100&foo=bar&token=RAW(a+b&c)");
        template.sendBody("direct:a", null);
        TestHttpServer.Recorded r = server.requests().get(0);
        assertEquals("/items", r.path());
        String q = java.net.URLDecoder.decode(r.rawQuery(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(q.contains("foo=bar"), q);
        assertTrue(q.contains("token=a+b&c"), q);
        assertTrue(!q.contains("maxRate") && !q.contains("limiter"), q);
    }

    @Test
    void defaultLimiterNameIsSchemeHostPort() {
        assertEquals("https://api.example.com:443", RateLimitComponent.defaultLimiterName("https://API.example.com/items?x=1"));
        assertEquals("http://127.0.0.1:8080", RateLimitComponent.defaultLimiterName("http://127.0.0.1:8080/a/b"));
        assertEquals("http://localhost:80", RateLimitComponent.defaultLimiterName("http:localhost/a"));
        assertEquals("direct:foo", RateLimitComponent.defaultLimiterName("direct:foo"));
    }

    @Test
    void delegateUriOptionIsAccepted() throws Exception {
        route("direct:a", "ratelimit:named?delegateUri=RAW(" + server.base() + "/by-option?x=1&y=2)&maxRate=9");
        template.sendBody("direct:a", null);
        assertEquals("/by-option", server.requests().get(0).path());
        assertEquals("x=1&y=2", server.requests().get(0).rawQuery());
        assertEquals(9.0, component().getLimiter("named").config().maxRate());
    }

    @Test
    void badConfigFailsAtStartNamingOptionValueAndRule() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> route("direct:bad", "ratelimit:" + server.base() + "/x?minRate=5&maxRate=2"));
        String msg = allMessages(e);
        assertTrue(msg.contains("minRate=5.0") && msg.contains("must be <= maxRate (2.0)"), msg);
        assertTrue(server.requests().isEmpty());
    }

    @Test
    void unknownDurationOrNumberFailsAtStart() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> route("direct:bad2", "ratelimit:" + server.base() + "/x?quota=10&quotaWindow=0"));
        assertTrue(allMessages(e).contains("quotaWindow=PT0S is invalid: must be > 0 when quota is set"), allMessages(e));
    }

    @Test
    void endpointsSharingALimiterMustAgree() throws Exception {
        route("direct:one", "ratelimit:" + server.base() + "/one?limiter=shared&maxRate=10");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> route("direct:two", "ratelimit:" + server.base() + "/two?limiter=shared&maxRate=20"));
        String msg = allMessages(e);
        assertTrue(msg.contains("limiter 'shared'") && msg.contains("maxRate=10.0") && msg.contains("maxRate=20.0"), msg);
    }

    @Test
    void endpointsNamingOneLimiterShareIt() throws Exception {
        route("direct:one", "ratelimit:" + server.base() + "/one?limiter=shared2&maxRate=10");
        route("direct:two", "ratelimit:" + server.base() + "/two?limiter=shared2&maxRate=10");
        template.sendBody("direct:one", null);
        template.sendBody("direct:two", null);
        RateLimiter l = component().getLimiter("shared2");
        assertEquals(2, l.granted());
        // one limiter object and one state behind both endpoints (pacing itself is pinned by the core's tests)
        assertTrue(rateLimitEndpoint("/one").limiter() == l && rateLimitEndpoint("/two").limiter() == l,
                "both endpoints use the one limiter");
        assertEquals(2, l.store().snapshot("shared2", l.config()).toCompletableFuture().get().granted());
    }

    @Test
    void retryAfterSecondsPausesTheWholeLimiterAndASecond429CutsTheRate() throws Exception {
        server.then(TestHttpServer.Reply.status(429, Map.of("Retry-After", "1")));
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=ra&maxRate=50");
        Exchange first = template.send("direct:a", e -> { });
        HttpOperationFailedException hofe = assertInstanceOf(HttpOperationFailedException.class, first.getException());
        assertEquals(429, hofe.getStatusCode());
        assertEquals(1000L, first.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, Long.class));
        // every other exchange sharing the limiter is held back by the pause
        List<CompletableFuture<Exchange>> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            next.add(template.asyncSend("direct:a", e -> { }));
        }
        for (CompletableFuture<Exchange> f : next) {
            assertNull(f.get(10, TimeUnit.SECONDS).getException());
        }
        List<TestHttpServer.Recorded> r = server.requests();
        assertEquals(4, r.size(), "camel-http must not retry the 429 by itself");
        for (int i = 1; i < 4; i++) {
            long gap = r.get(i).arrivalNanos() - r.get(0).arrivalNanos();
            assertTrue(gap >= TimeUnit.SECONDS.toNanos(1), "request " + i + " came " + gap / 1_000_000 + " ms after the 429");
        }
        RateLimiter l = component().getLimiter("ra");
        LimiterSnapshot s = l.store().snapshot("ra", l.config()).toCompletableFuture().get();
        assertEquals(0, s.cuts(), "a lone 429 is waited out: it arms a congestion event but does not cut");
        assertEquals(50.0, s.rate());
        assertEquals(1000.0, s.scale(), "the armed event doubled the scale the next cut uses (500)");

        // a second 429, for a call sent after the first one came back (here: at least the 1 s pause later), cuts
        server.then(TestHttpServer.Reply.status(429, Map.of("Retry-After", "1")));
        Exchange second = template.send("direct:a", e -> { });
        assertEquals(429, assertInstanceOf(HttpOperationFailedException.class, second.getException()).getStatusCode());
        assertEquals(1000L, second.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, Long.class));
        s = l.store().snapshot("ra", l.config()).toCompletableFuture().get();
        assertEquals(1, s.cuts());
        assertEquals(1000.0, s.scale(), "the cut runs its recovery with the doubled scale");
        // the provider accepted 3 calls in at least 1 s between the two 429s, but the first 429's pause fell inside
        // that measurement, so the cut goes no deeper than decreaseFactor^3: 0.343 x 50 = 17.15/s, then recovers
        // towards 17.15 / 0.9 = 19.06/s (reached 0.93 s after the cut with scale 1000)
        assertTrue(s.rate() >= 17.15 && s.rate() <= 19.06, "rate after the second 429: " + s.rate());
    }

    @Test
    void retryAfterHttpDateIsMeasuredAgainstTheResponseDate() throws Exception {
        ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        server.then(TestHttpServer.Reply.status(503, Map.of(
                "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(date),
                "retry-after", DateTimeFormatter.RFC_1123_DATE_TIME.format(date.plusSeconds(2)))));
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=date&maxRate=50");
        Exchange first = template.send("direct:a", e -> { });
        assertEquals(503, first.getException(HttpOperationFailedException.class).getStatusCode());
        assertEquals(2000L, first.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, Long.class));
        template.send("direct:a", e -> { });
        List<TestHttpServer.Recorded> r = server.requests();
        assertTrue(r.get(1).arrivalNanos() - r.get(0).arrivalNanos() >= TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void worksWithThrowExceptionOnFailureFalse() throws Exception {
        server.then(TestHttpServer.Reply.status(429, Map.of("RETRY-AFTER", "1")));
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=noex&maxRate=50&throwExceptionOnFailure=false");
        Exchange first = template.send("direct:a", e -> { });
        assertNull(first.getException());
        assertEquals(429, first.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals(1000L, first.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, Long.class));
        template.send("direct:a", e -> { });
        List<TestHttpServer.Recorded> r = server.requests();
        assertTrue(r.get(1).arrivalNanos() - r.get(0).arrivalNanos() >= TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void garbageRetryAfterIsIgnoredNotFatal() throws Exception {
        server.then(TestHttpServer.Reply.status(429, Map.of("Retry-After", "soon-ish")));
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=garbage&maxRate=50");
        Exchange first = template.send("direct:a", e -> { });
        assertEquals(429, first.getException(HttpOperationFailedException.class).getStatusCode());
        assertNull(first.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS));
        assertNull(template.send("direct:a", e -> { }).getException());
    }

    @Test
    void maxWaitRejectsAtOnceWithAClearMessage() throws Exception {
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=mw&maxRate=1&maxWait=100ms");
        assertNull(template.send("direct:a", e -> { }).getException());
        Exchange second = template.send("direct:a", e -> { });
        RateLimitExceededException ex = assertInstanceOf(RateLimitExceededException.class, second.getException());
        assertEquals(RateLimitExceededException.Reason.MAX_WAIT, ex.getReason());
        assertTrue(ex.getMessage().contains("'mw'") && ex.getMessage().contains("maxWait=100ms"), ex.getMessage());
        assertEquals(995, ex.getWaitNeeded().toMillis(), 100, "the wait it would have needed, not waited");
        assertEquals(1, server.requests().size());
    }

    @Test
    void maxPendingRejectsClearly() throws Exception {
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=mp&maxRate=2&maxPending=1");
        CompletableFuture<Exchange> f1 = template.asyncSend("direct:a", e -> { });
        f1.get(5, TimeUnit.SECONDS);
        CompletableFuture<Exchange> f2 = template.asyncSend("direct:a", e -> { });
        // wait until f2 is queued, then a third must be refused
        RateLimiter l = component().getLimiter("mp");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (l.pending() < 1 && !f2.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Exchange third = template.send("direct:a", e -> { });
        if (!f2.isDone()) {
            RateLimitExceededException ex = assertInstanceOf(RateLimitExceededException.class, third.getException());
            assertEquals(RateLimitExceededException.Reason.MAX_PENDING, ex.getReason());
            assertTrue(ex.getMessage().contains("maxPending=1"), ex.getMessage());
        }
        assertNull(f2.get(5, TimeUnit.SECONDS).getException());
    }

    @Test
    void optionsComeFromPlaceholdersAndPerLimiterProperties() throws Exception {
        context.getPropertiesComponent().addInitialProperty("provider.max-rate", "7");
        context.getPropertiesComponent().addInitialProperty("ratelimit.limiter.github.quota", "5");
        context.getPropertiesComponent().addInitialProperty("ratelimit.limiter.github.quota-window", "1h");
        context.getPropertiesComponent().addInitialProperty("ratelimit.limiter.github.max-rate", "3");
        route("direct:a", "ratelimit:" + server.base() + "/items?limiter=github&maxRate={{provider.max-rate}}");
        template.sendBody("direct:a", null);
        RateLimiter l = component().getLimiter("github");
        assertEquals(7.0, l.config().maxRate(), "the URI wins over the per-limiter property");
        assertEquals(5, l.config().quota());
        assertEquals(Duration.ofHours(1), l.config().quotaWindow());
    }

    private RateLimitEndpoint rateLimitEndpoint(String delegatePathSuffix) {
        return (RateLimitEndpoint) context.getEndpoints().stream()
                .filter(e -> e instanceof RateLimitEndpoint r && r.getDelegateUri().endsWith(delegatePathSuffix))
                .findFirst().orElseThrow();
    }

    static String allMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
