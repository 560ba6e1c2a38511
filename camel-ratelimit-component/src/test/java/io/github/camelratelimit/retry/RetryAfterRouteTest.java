package io.github.camelratelimit.retry;

import java.net.ServerSocket;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.simulator.ProviderSimulator;
import io.github.camelratelimit.simulator.ProviderSimulator.Reply;
import io.github.camelratelimit.simulator.RecordedRequest;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routes with the Java DSL one-liner against the provider simulator on 127.0.0.1, which answers scripted replies
 * first and then 200. Real time: lower bounds exact, upper bounds generous.
 */
class RetryAfterRouteTest extends CamelTestSupport {

    private ProviderSimulator sim;

    @BeforeEach
    void startProvider() throws Exception {
        sim = ProviderSimulator.builder().capacity(1000).build();
        sim.start();
        // camel-http's HttpClient would otherwise retry a 429/503 itself, sleeping a thread (see the docs)
        context.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
    }

    @AfterEach
    void stopProvider() {
        sim.stop();
    }

    private RetryAfterRedelivery bean() {
        RetryAfterRedelivery b = new RetryAfterRedelivery();
        context.getRegistry().bind("retryAfter", b);
        return b;
    }

    /** The documented Java one-liner in front of a route that calls {@code uri}. */
    private void route(RetryAfterRedelivery retryAfter, String uri) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();

                from("direct:call").routeId("call").to(uri).to("mock:done");
            }
        });
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private long gapMillis(int from, int to) {
        List<RecordedRequest> r = sim.requests();
        return millis(r.get(to).arrivalNanos() - r.get(from).arrivalNanos());
    }

    @Test
    void throttledCallIsDeliveredOnceAfterRetryAfter() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "1"));
        route(bean(), sim.url("/items/1"));
        MockEndpoint done = getMockEndpoint("mock:done");
        done.expectedMessageCount(1);

        long start = System.nanoTime();
        Exchange out = template.send("direct:call", e -> { });
        long elapsed = millis(System.nanoTime() - start);

        assertNull(out.getException());
        done.assertIsSatisfied();
        assertEquals(2, sim.requests().size());
        long gap = gapMillis(0, 1);
        assertTrue(gap >= 1000 && gap < 2000, "retried " + gap + " ms after the 429");
        assertTrue(elapsed >= 1000 && elapsed < 3000, "took " + elapsed + " ms");
        assertEquals(1, out.getProperty(RetryAfterRedelivery.ATTEMPTS, Integer.class));
        long delay = out.getProperty(RetryAfterRedelivery.DELAY, Long.class);
        assertTrue(delay >= 1000 && delay <= 1100, "delay " + delay);
    }

    @Test
    void httpDateRetryAfterIsHonoured() throws Exception {
        // two seconds ahead of now, whole seconds: 1 to 2 s after the reply's own Date header
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).withNano(0).plusSeconds(2));
        sim.script(Reply.of(503).header("Retry-After", at));
        route(bean(), sim.url("/items/2"));

        Exchange out = template.send("direct:call", e -> { });

        assertNull(out.getException());
        assertEquals(2, sim.requests().size());
        long gap = gapMillis(0, 1);
        assertTrue(gap >= 1000 && gap < 3500, "retried " + gap + " ms after the 503 (Retry-After: " + at + ")");
    }

    @Test
    void serviceUnavailableWithoutRetryAfterBacksOff() throws Exception {
        sim.script(Reply.of(503));
        route(bean(), sim.url("/items/3"));

        Exchange out = template.send("direct:call", e -> { });

        assertNull(out.getException());
        assertEquals(2, sim.requests().size());
        assertTrue(out.getProperty(RetryAfterRedelivery.DELAY, Long.class) <= 500, "FULL jitter of 500 ms");
    }

    @Test
    void postThatGot500IsNotRetriedByDefault() throws Exception {
        sim.script(Reply.of(500));
        route(bean(), sim.url("/orders"));

        Exchange out = template.send("direct:call", e -> e.getIn().setBody("{\"order\":1}"));

        HttpOperationFailedException hofe = assertInstanceOf(HttpOperationFailedException.class, out.getException());
        assertEquals(500, hofe.getStatusCode());
        assertEquals(1, sim.requests().size());
        assertEquals("POST", sim.requests().get(0).method());
    }

    @Test
    void postThatGot500IsRetriedWhenOptedIn() throws Exception {
        sim.script(Reply.of(500));
        RetryAfterRedelivery b = bean();
        b.setRetryNonIdempotent(true);
        route(b, sim.url("/orders"));

        Exchange out = template.send("direct:call", e -> e.getIn().setBody("{\"order\":1}"));

        assertNull(out.getException());
        assertEquals(2, sim.requests().size());
    }

    @Test
    void bodyAndHeadersReachTheServerUnchangedOnEveryAttempt() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "0"), Reply.of(503).header("Retry-After", "0"));
        RetryAfterRedelivery b = bean();
        b.setBackoffBaseDelay(java.time.Duration.ofMillis(20));
        route(b, sim.url("/orders"));

        Exchange out = template.send("direct:call", e -> {
            e.getIn().setBody("{\"order\":42,\"note\":\"\u00e9t\u00e9\"}");
            e.getIn().setHeader("X-Trace", "abc-123");
            e.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
        });

        assertNull(out.getException());
        List<RecordedRequest> r = sim.requests();
        assertEquals(3, r.size());
        for (RecordedRequest req : r) {
            assertEquals("POST", req.method());
            assertEquals("/orders", req.path());
            assertEquals("{\"order\":42,\"note\":\"\u00e9t\u00e9\"}", req.body());
            assertEquals("abc-123", req.header("X-Trace"));
            assertEquals("application/json; charset=UTF-8", req.header("Content-Type"));
            assertNull(req.header("CamelRedeliveryDelay"), "the redelivery header is not sent");
        }
    }

    @Test
    void hugeRetryAfterEndsTheRetriesAtOnce() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "999999999"));
        route(bean(), sim.url("/items/4"));

        long start = System.nanoTime();
        Exchange out = template.send("direct:call", e -> { });
        long elapsed = millis(System.nanoTime() - start);

        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, out.getException());
        assertEquals("Gave up after 1 attempt (last HTTP status 429, waited 0 ms in total): the server asked to "
                + "wait longer than maxRetryAfter (300 s): Retry-After: 999999999", x.getMessage());
        assertInstanceOf(HttpOperationFailedException.class, x.getCause());
        assertEquals(1, sim.requests().size());
        assertTrue(elapsed < 1000, "failed after " + elapsed + " ms");
    }

    @Test
    void maxAttemptsEndsWithStatusAttemptsAndTotalWait() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "0"), Reply.of(429).header("Retry-After", "0"),
                Reply.of(429).header("Retry-After", "0"));
        RetryAfterRedelivery b = bean();
        b.setMaxAttempts(3);
        b.setBackoffBaseDelay(java.time.Duration.ofMillis(20));
        route(b, sim.url("/items/5"));

        Exchange out = template.send("direct:call", e -> { });

        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, out.getException());
        assertEquals(3, x.getAttempts());
        assertEquals(3, sim.requests().size());
        assertTrue(x.getMessage().matches("Gave up after 3 attempts \\(last HTTP status 429, waited \\d+ ms in "
                + "total\\): maxAttempts \\(3\\) reached"), x.getMessage());
        assertEquals(0, getMockEndpoint("mock:done").getReceivedCounter());
    }

    @Test
    void spentBudgetFailsFast() throws Exception {
        sim.script(Reply.of(502), Reply.of(502), Reply.of(429).header("Retry-After", "1"));
        RetryAfterRedelivery b = bean();
        b.setRetryBudgetCapacity(10);
        b.setRetryBudgetRetryCost(10);
        b.setBackoffBaseDelay(java.time.Duration.ofMillis(20));
        route(b, sim.url("/items/6"));

        long start = System.nanoTime();
        Exchange first = template.send("direct:call", e -> { });
        Exchange second = template.send("direct:call", e -> { });
        long elapsed = millis(System.nanoTime() - start);

        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, first.getException());
        assertEquals(RetryExhaustedException.Reason.BUDGET, x.getReason());
        assertTrue(x.getMessage().startsWith("Gave up after 2 attempts (last HTTP status 502"), x.getMessage());
        assertTrue(x.getMessage().contains("the retry budget of 'http://127.0.0.1:" + sim.port() + "' is spent"),
                x.getMessage());
        // the next exchange does not even wait for its Retry-After
        RetryExhaustedException y = assertInstanceOf(RetryExhaustedException.class, second.getException());
        assertEquals(1, y.getAttempts());
        assertEquals(3, sim.requests().size());
        assertTrue(elapsed < 1000, "took " + elapsed + " ms");
    }

    @Test
    void successfulCallsRefillTheBudget() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "0"));
        RetryAfterRedelivery b = bean();
        b.setRetryBudgetCapacity(10);
        b.setRetryBudgetSuccessRefill(2);
        b.setBackoffBaseDelay(java.time.Duration.ofMillis(20));
        route(b, sim.url("/items/7"));

        template.send("direct:call", e -> { });
        // the retry took 5 tokens, its success gave 2 back
        String key = "http://127.0.0.1:" + sim.port();
        assertEquals(7, b.getRetryBudget(key).available());
        template.send("direct:call", e -> { });
        assertEquals(9, b.getRetryBudget(key).available());
    }

    @Test
    void refusedConnectionIsRetriedThenReportedAsTheLastError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        RetryAfterRedelivery b = bean();
        b.setMaxAttempts(2);
        b.setBackoffBaseDelay(java.time.Duration.ofMillis(20));
        route(b, "http://127.0.0.1:" + closedPort + "/orders");

        Exchange out = template.send("direct:call", e -> e.getIn().setBody("order"));

        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, out.getException());
        assertEquals(2, x.getAttempts());
        assertEquals(-1, x.getLastStatus());
        assertTrue(x.getMessage().startsWith("Gave up after 2 attempts (last error "), x.getMessage());
        assertInstanceOf(java.net.ConnectException.class, x.getCause());
    }

    @Test
    void behindRateLimitTheExchangeDoesNotWaitTwice() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "1"));
        route(bean(), "ratelimit:" + sim.url("/items/8") + "?limiter=retry-test&maxRate=100");

        long start = System.nanoTime();
        Exchange out = template.send("direct:call", e -> { });
        long elapsed = millis(System.nanoTime() - start);

        assertNull(out.getException());
        assertEquals(2, sim.requests().size());
        // the limiter paused 1 s; the redelivery added only the jitter (at most 10 % of 1 s)
        long delay = out.getProperty(RetryAfterRedelivery.DELAY, Long.class);
        assertTrue(delay >= 0 && delay <= 101, "redelivery delay " + delay + " ms on top of the limiter's pause");
        long gap = gapMillis(0, 1);
        assertTrue(gap >= 1000 && gap < 1900, "retried " + gap + " ms after the 429, not twice the Retry-After");
        assertTrue(elapsed < 1900, "took " + elapsed + " ms");
        // the wait the exchange spent in the limiter counts into the total
        assertTrue(out.getProperty(RetryAfterRedelivery.TOTAL_WAIT, Long.class) >= delay);
    }

    @Test
    void throwExceptionOnFailureFalseWithTheStatusCheckInASubRoute() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "1"));
        RetryAfterRedelivery retryAfter = bean();
        RetryableHttpStatusCheck check = new RetryableHttpStatusCheck();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();

                from("direct:fetch").routeId("fetch").to("direct:call-api").to("mock:done");
                // no error handler here: the failure must reach the calling route, which repeats call and check
                from("direct:call-api").routeId("call-api").errorHandler(noErrorHandler())
                        .to(sim.url("/items/9") + "?throwExceptionOnFailure=false").process(check);
            }
        });
        MockEndpoint done = getMockEndpoint("mock:done");
        done.expectedMessageCount(2);

        Exchange out = template.send("direct:fetch", e -> { });
        sim.script(Reply.of(404));
        Exchange notFound = template.send("direct:fetch", e -> { });

        assertNull(out.getException());
        assertEquals(200, out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertTrue(gapMillis(0, 1) >= 1000, "gap " + gapMillis(0, 1));
        // a status that is not retried flows on as a message, as throwExceptionOnFailure=false promises
        assertNull(notFound.getException());
        assertEquals(404, notFound.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals(3, sim.requests().size());
        done.assertIsSatisfied();
    }

    @Test
    void statusCheckInTheRetriedRouteFailsInsteadOfRepeatingOnlyTheCheck() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "1"));
        RetryAfterRedelivery retryAfter = bean();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();

                from("direct:misplaced").routeId("misplaced")
                        .to(sim.url("/items/11") + "?throwExceptionOnFailure=false")
                        .process(new RetryableHttpStatusCheck());
            }
        });

        Exchange out = template.send("direct:misplaced", e -> { });

        RetryableHttpStatusException x = assertInstanceOf(RetryableHttpStatusException.class, out.getException());
        assertEquals(429, x.getStatusCode());
        assertEquals(1, sim.requests().size());
    }

    @Test
    void errorHandlerFormWithBeanReferences() throws Exception {
        sim.script(Reply.of(429).header("Retry-After", "1"));
        bean();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // retryWhileRef goes through the bean language (camel-bean): name the predicate's method
                errorHandler(defaultErrorHandler().onExceptionOccurredRef("retryAfter")
                        .retryWhileRef("retryAfter?method=matches").asyncDelayedRedelivery());

                from("direct:call").to(sim.url("/items/10"));
            }
        });

        Exchange out = template.send("direct:call", e -> { });

        assertNull(out.getException());
        assertTrue(gapMillis(0, 1) >= 1000, "gap " + gapMillis(0, 1));
    }

    @Test
    void statusCheckThrowsOnlyForItsStatuses() throws Exception {
        RetryableHttpStatusCheck check = new RetryableHttpStatusCheck();
        Exchange e = new org.apache.camel.support.DefaultExchange(context);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        check.process(e);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        check.process(e);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 502);
        e.getMessage().setHeader("retry-after", "7");
        e.getMessage().setHeader("Authorization", "secret");
        RetryableHttpStatusException x = org.junit.jupiter.api.Assertions.assertThrows(
                RetryableHttpStatusException.class, () -> check.process(e));
        assertEquals(502, x.getStatusCode());
        assertEquals(Map.of("Retry-After", "7"), Map.copyOf(x.getResponseHeaders()));
        check.setStatusCodes("429, 503");
        check.process(e);
        assertEquals("statusCodes", org.junit.jupiter.api.Assertions.assertThrows(
                io.github.camelratelimit.core.InvalidLimiterConfigException.class,
                () -> check.setStatusCodes("429,5xx")).getOption());
    }
}
