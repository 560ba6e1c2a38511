package io.github.camelratelimit.retry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import io.github.camelratelimit.RateLimitConstants;
import io.github.camelratelimit.core.Backoff;
import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.ManualClock;
import io.github.camelratelimit.core.RetryBudget;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PropertyBindingSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decision alone, on hand-made exchanges as Camel's error handler leaves them (exception set, redelivery
 * counter incremented), with a manual clock and {@code new Random(42)}, whose first draws are
 * u1 = 0.7275636800328681, u2 = 0.6832234717598454, u3 = 0.30871945533265976.
 */
class RetryAfterRedeliveryTest {

    private static final String API = "http://api.example.com:8080/items";

    private final CamelContext context = new DefaultCamelContext();
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private RetryAfterRedelivery bean() {
        RetryAfterRedelivery b = new RetryAfterRedelivery();
        b.setClock(clock);
        b.setRandom(new Random(42));
        return b;
    }

    private Exchange exchange(String endpoint) {
        Exchange e = new DefaultExchange(context);
        e.setProperty(ExchangePropertyKey.TO_ENDPOINT, endpoint);
        return e;
    }

    /** What the error handler does on a failure: counter + 1, exception set; then onExceptionOccurred, retryWhile. */
    private static boolean fail(RetryAfterRedelivery bean, Exchange e, Exception failure) {
        Integer counter = e.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        e.getIn().setHeader(Exchange.REDELIVERY_COUNTER, counter == null ? 1 : counter + 1);
        e.setException(failure);
        e.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, failure);
        bean.process(e);
        return bean.matches(e);
    }

    private static HttpOperationFailedException http(int status, Map<String, String> headers) {
        return new HttpOperationFailedException(API, status, "status " + status, null, headers, "body");
    }

    private static Long delay(Exchange e) {
        return e.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class);
    }

    @Test
    void retryAfterSecondsIsAFloorWithPositiveJitter() {
        Exchange e = exchange(API);
        assertTrue(fail(bean(), e, http(429, Map.of("Retry-After", "1"))));
        // backoff draws u1 (FULL: 0.7275 * 500ms = 363.8ms), the floor draws u2: 1s * (1 + 0.1 * 0.68322347) =
        // 1068.322347ms, the larger wins, rounded up to whole ms
        assertEquals(1069L, delay(e));
        assertEquals(1, e.getProperty(RetryAfterRedelivery.ATTEMPTS));
        assertEquals(1069L, e.getProperty(RetryAfterRedelivery.DELAY));
        assertEquals(1069L, e.getProperty(RetryAfterRedelivery.TOTAL_WAIT));
    }

    @Test
    void headerNamesAreMatchedInAnyCase() {
        Map<String, String> headers = new HashMap<>();
        headers.put("retry-after", "2");
        Exchange e = exchange(API);
        assertTrue(fail(bean(), e, http(429, headers)));
        assertEquals(2137L, delay(e)); // 2s * (1 + 0.1 * u2) = 2136.64ms
    }

    @Test
    void httpDateIsMeasuredAgainstTheResponseDate() {
        clock.advance(Duration.ofHours(5)); // the local clock is far off; the server's Date header wins
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Date", "Thu, 01 Jan 2026 00:00:00 GMT");
        headers.put("Retry-After", "Thu, 01 Jan 2026 00:00:03 GMT");
        Exchange e = exchange(API);
        assertTrue(fail(bean(), e, http(503, headers)));
        assertEquals(3205L, delay(e)); // 3s * (1 + 0.1 * u2) = 3204.967ms
    }

    @Test
    void withoutRetryAfterFullJitterBackoff() {
        RetryAfterRedelivery b = bean();
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(503, Map.of())));
        assertEquals(364L, delay(e)); // u1 * 500ms = 363.78ms
        assertTrue(fail(b, e, http(503, Map.of())));
        assertEquals(684L, delay(e)); // u2 * 1000ms = 683.22ms
        assertTrue(fail(b, e, http(503, Map.of())));
        assertEquals(618L, delay(e)); // u3 * 2000ms = 617.44ms
        assertEquals(364L + 684L + 618L, e.getProperty(RetryAfterRedelivery.TOTAL_WAIT));
        assertEquals(3, e.getProperty(RetryAfterRedelivery.ATTEMPTS));
    }

    @Test
    void decorrelatedJitterFollowsThePreviousWait() {
        RetryAfterRedelivery b = bean();
        b.setBackoffJitter(Backoff.Jitter.DECORRELATED);
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(502, Map.of())));
        assertEquals(1228L, delay(e)); // 500ms + u1 * (3 * 500ms - 500ms) = 1227.56ms
        assertTrue(fail(b, e, http(502, Map.of())));
        assertEquals(2675L, delay(e)); // 500ms + u2 * (3 * 1227.56ms - 500ms) = 2674.49ms
    }

    @Test
    void behindARateLimiterThePauseIsNotWaitedTwice() {
        RetryAfterRedelivery b = bean();
        Exchange e = exchange("ratelimit:" + API + "?limiter=api");
        e.setProperty(RateLimitConstants.LIMITER, "api");
        e.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, 1000L);
        assertTrue(fail(b, e, http(429, Map.of("Retry-After", "1"))));
        // the limiter holds the retry for its 1000 ms pause; the redelivery adds only the jitter
        assertEquals(69L, delay(e)); // 1068.322347ms - 1000ms
        // the next failure: the limiter's wait before the retry counts into the total wait
        e.setProperty(RateLimitConstants.WAITED_MILLIS, 950L);
        e.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, 2000L);
        assertTrue(fail(b, e, http(429, Map.of("Retry-After", "2"))));
        assertEquals(69L + 950L + delay(e), e.getProperty(RetryAfterRedelivery.TOTAL_WAIT));
        assertTrue(delay(e) >= 0 && delay(e) <= 201, "only jitter: " + delay(e));
        // a pause longer than the wait: no redelivery delay at all
        e.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, 60_000L);
        assertTrue(fail(b, e, http(429, Map.of("Retry-After", "1"))));
        assertEquals(0L, delay(e));
    }

    @Test
    void thePauseOfAnotherStepIsIgnoredWithoutRateLimit() {
        Exchange e = exchange(API);
        e.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, 1000L); // left over from an earlier ratelimit: step
        assertTrue(fail(bean(), e, http(429, Map.of("Retry-After", "1"))));
        assertEquals(1069L, delay(e));
    }

    @Test
    void givesUpAfterMaxAttemptsNamingStatusAttemptsAndTotalWait() {
        RetryAfterRedelivery b = bean();
        b.setMaxAttempts(3);
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(429, Map.of())));
        assertTrue(fail(b, e, http(429, Map.of())));
        HttpOperationFailedException last = http(429, Map.of("Retry-After", "1"));
        assertFalse(fail(b, e, last));
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, e.getException());
        assertEquals("Gave up after 3 attempts (last HTTP status 429, waited 1048 ms in total): maxAttempts (3) "
                + "reached", x.getMessage());
        assertEquals(RetryExhaustedException.Reason.MAX_ATTEMPTS, x.getReason());
        assertEquals(429, x.getLastStatus());
        assertEquals(3, x.getAttempts());
        assertEquals(Duration.ofMillis(1048), x.getTotalWait());
        assertEquals("1", x.getRetryAfter());
        assertSame(last, x.getCause());
        assertSame(x, e.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT));
        assertNull(delay(e), "the redelivery header is removed");
        assertNull(e.getProperty(RetryAfterRedelivery.DELAY));
        // asked again (retryWhile after onExceptionOccurred): same answer, nothing recomputed
        assertFalse(b.matches(e));
        assertSame(x, e.getException());
    }

    @Test
    void hugeRetryAfterEndsRetriesAtOnceNamingTheWait() {
        RetryAfterRedelivery b = bean();
        Exchange e = exchange(API);
        assertFalse(fail(b, e, http(429, Map.of("Retry-After", "999999999"))));
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, e.getException());
        assertEquals(RetryExhaustedException.Reason.RETRY_AFTER_TOO_LONG, x.getReason());
        assertEquals("Gave up after 1 attempt (last HTTP status 429, waited 0 ms in total): the server asked to "
                + "wait longer than maxRetryAfter (300 s): Retry-After: 999999999", x.getMessage());
        assertNull(b.getRetryBudget("http://api.example.com:8080"), "no retry, no budget taken");
    }

    @Test
    void hugeRetryAfterIsClampedWhenConfigured() {
        RetryAfterRedelivery b = bean();
        b.setClampRetryAfter(true);
        b.setMaxRetryAfter(Duration.ofSeconds(10));
        b.setRetryDeadline(Duration.ofMinutes(1));
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(429, Map.of("Retry-After", "999999999"))));
        assertEquals(10_684L, delay(e)); // 10s * (1 + 0.1 * u2) = 10683.22ms
    }

    @Test
    void malformedRetryAfterFallsBackToTheBackoff() {
        for (String bad : new String[] {"soon", "-5", "", "1e9", "Thu, 32 Jan 2026 00:00:00 GMT", "  ,, "}) {
            Exchange e = exchange(API);
            assertTrue(fail(bean(), e, http(429, Map.of("Retry-After", bad))), bad);
            assertEquals(364L, delay(e), bad);
        }
    }

    @Test
    void retryDeadlineCountsFromTheFirstFailure() {
        RetryAfterRedelivery b = bean();
        b.setRetryDeadline(Duration.ofSeconds(2));
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(429, Map.of("Retry-After", "1"))));
        clock.advance(Duration.ofMillis(1500));
        assertFalse(fail(b, e, http(429, Map.of("Retry-After", "1"))));
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, e.getException());
        assertEquals(RetryExhaustedException.Reason.DEADLINE, x.getReason());
        assertTrue(x.getMessage().startsWith("Gave up after 2 attempts (last HTTP status 429, waited 1069 ms in "
                + "total): the next retry, in 1."), x.getMessage());
        assertTrue(x.getMessage().endsWith("would start more than retryDeadline (2 s) after the first failure"),
                x.getMessage());
    }

    @Test
    void spentBudgetFailsFastAndSuccessesRefillIt() {
        RetryAfterRedelivery b = bean();
        b.setRetryBudgetCapacity(10);
        b.setRetryBudgetRetryCost(10);
        b.setRetryBudgetThrottleCost(5);
        Exchange first = exchange(API);
        assertTrue(fail(b, first, http(500, Map.of())));
        RetryBudget budget = b.getRetryBudget("http://api.example.com:8080");
        assertEquals(0, budget.available());
        assertFalse(fail(b, first, http(500, Map.of())));
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, first.getException());
        assertEquals(RetryExhaustedException.Reason.BUDGET, x.getReason());
        assertTrue(x.getMessage().startsWith("Gave up after 2 attempts (last HTTP status 500, waited 364 ms in "
                + "total): the retry budget of 'http://api.example.com:8080' is spent (0 of 10 tokens left, a retry "
                + "costs 10)"), x.getMessage());
        // another exchange to the same API fails at its first failure, without waiting
        Exchange other = exchange(API + "/7");
        assertFalse(fail(b, other, http(429, Map.of("Retry-After", "1"))));
        assertEquals(RetryExhaustedException.Reason.BUDGET,
                assertInstanceOf(RetryExhaustedException.class, other.getException()).getReason());
        // another API has its own budget
        assertTrue(fail(b, exchange("https://other.example.com/x"), http(429, Map.of())));
        // five successful calls pay for one throttle retry
        for (int i = 0; i < 5; i++) {
            b.onSuccess("http://api.example.com:8080");
        }
        assertTrue(fail(b, exchange(API), http(429, Map.of("Retry-After", "1"))));
        assertEquals(0, budget.available());
    }

    @Test
    void decidesOncePerFailureWhicheverRoleAsksFirst() {
        RetryAfterRedelivery b = bean();
        Exchange e = exchange(API);
        e.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 1);
        e.setException(http(429, Map.of()));
        assertTrue(b.matches(e));
        b.process(e);
        assertTrue(b.matches(e));
        assertEquals(495, b.getRetryBudget("http://api.example.com:8080").available());
        assertEquals(364L, delay(e));
    }

    @Test
    void thePredicateOnACopyWithoutTheExceptionAnswersFromTheCaughtOne() {
        // retryWhileRef goes through the bean language, which calls the predicate on a copy with no exception
        RetryAfterRedelivery b = bean();
        b.setMaxAttempts(1);
        Exchange e = exchange(API);
        HttpOperationFailedException failure = http(429, Map.of());
        e.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 1);
        e.setException(failure);
        e.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, failure);
        b.process(e);
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, e.getException());
        Exchange copy = e.copy();
        copy.setException(null);
        assertFalse(b.matches(copy));
        // alone, on a copy: decides, but leaves the copy's (absent) exception alone
        RetryAfterRedelivery alone = bean();
        Exchange c2 = exchange(API);
        c2.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 1);
        c2.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, failure);
        assertTrue(alone.matches(c2));
        assertNull(c2.getException());
        assertSame(failure, c2.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT));
        assertEquals(1, x.getAttempts());
    }

    @Test
    void nonIdempotentRequestsAreRetriedOnlyOnThrottleUnlessOptedIn() {
        // GET (no body) and the idempotent methods: 5xx retried
        assertRetried(true, null, null, http(500, Map.of()), false);
        for (String m : new String[] {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "put"}) {
            assertRetried(true, m, "body", http(502, Map.of()), false);
        }
        // a body without a method header: camel-http sends a POST
        assertRetried(false, null, "order", http(500, Map.of()), false);
        assertRetried(false, "PATCH", null, http(504, Map.of()), false);
        assertRetried(true, "POST", "order", http(500, Map.of()), true);
        // 429 and 503 whatever the method
        assertRetried(true, "POST", "order", http(429, Map.of()), false);
        assertRetried(true, "POST", "order", http(503, Map.of()), false);
        // never: 4xx other than 429
        assertRetried(false, "GET", null, http(404, Map.of()), true);
        assertRetried(false, "GET", null, http(400, Map.of("Retry-After", "1")), true);
    }

    @Test
    void theEndpointsHttpMethodOptionCounts() {
        Exchange e = exchange(API + "?httpMethod=POST");
        assertFalse(fail(bean(), e, http(500, Map.of())));
        Exchange d = exchange(API + "?x=1&httpMethod=DELETE");
        d.getIn().setBody("payload");
        assertTrue(fail(bean(), d, http(500, Map.of())));
    }

    @Test
    void ioErrorsFollowTheIdempotencyRuleExceptRefusedConnections() {
        assertRetried(true, null, null, new SocketTimeoutException("Read timed out"), false);
        assertRetried(false, null, "order", new SocketTimeoutException("Read timed out"), false);
        assertRetried(true, null, "order", new SocketTimeoutException("Read timed out"), true);
        // wrapped, as Camel often does
        assertRetried(true, "GET", null, new org.apache.camel.RuntimeCamelException(new IOException("reset")), false);
        // the request never left: safe for a POST
        assertRetried(true, null, "order", new ConnectException("Connection refused"), false);
        // not an I/O or HTTP failure: never
        assertRetried(false, "GET", null, new IllegalArgumentException("bad input"), true);
    }

    private void assertRetried(boolean expected, String method, String body, Exception failure,
            boolean retryNonIdempotent) {
        RetryAfterRedelivery b = bean();
        b.setRetryNonIdempotent(retryNonIdempotent);
        Exchange e = exchange(API);
        if (method != null) {
            e.getIn().setHeader(Exchange.HTTP_METHOD, method);
        }
        e.getIn().setBody(body);
        boolean retried = fail(b, e, failure);
        String what = method + " " + body + " " + failure;
        assertEquals(expected, retried, what);
        if (!expected) {
            assertSame(failure, e.getException(), "a failure that is not retried keeps its exception: " + what);
            assertNull(delay(e), what);
        }
    }

    @Test
    void aStatusCheckInTheRetriedRouteIsLeftToTheCallingRoute() {
        RetryAfterRedelivery b = bean();
        RetryableHttpStatusException inner = new RetryableHttpStatusException(429, Map.of("retry-after", "1"), "GET",
                "call", "HTTP status 429");
        Exchange e = exchange(API);
        e.setProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, "call");
        assertFalse(fail(b, e, inner));
        assertSame(inner, e.getException());
        // the calling route's error handler: retried, Retry-After read from the exception (any case)
        Exchange outer = exchange(API);
        outer.setProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, "fetch");
        assertTrue(fail(b, outer, inner));
        assertEquals(1069L, delay(outer));
    }

    @Test
    void aNewFailureSequenceStartsFromScratch() {
        RetryAfterRedelivery b = bean();
        b.setMaxAttempts(2);
        Exchange e = exchange(API);
        assertTrue(fail(b, e, http(429, Map.of())));
        // the retry succeeded; the same exchange fails later at another endpoint, Camel's counter restarted
        e.getIn().removeHeader(Exchange.REDELIVERY_COUNTER);
        e.setProperty(ExchangePropertyKey.TO_ENDPOINT, "http://api.example.com:8080/other");
        assertTrue(fail(b, e, http(429, Map.of())));
        assertEquals(1, e.getProperty(RetryAfterRedelivery.ATTEMPTS));
        assertEquals(342L, e.getProperty(RetryAfterRedelivery.TOTAL_WAIT)); // only this sequence's wait: u2 * 500ms
    }

    @Test
    void serverWaitIsAFloorForManySeeds() {
        for (int seed = 0; seed < 2_000; seed++) {
            RetryAfterRedelivery b = new RetryAfterRedelivery();
            b.setClock(clock);
            b.setRandom(new Random(seed));
            int seconds = 1 + seed % 30;
            Exchange e = exchange(API);
            assertTrue(fail(b, e, http(429, Map.of("Retry-After", Integer.toString(seconds)))));
            long d = delay(e);
            assertTrue(d >= seconds * 1000L && d <= seconds * 1100L + 1, "seed " + seed + ": " + d);
        }
    }

    @Test
    void optionsBindFromPropertiesLikeCamelMainDoes() {
        RetryAfterRedelivery b = new RetryAfterRedelivery();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("maxAttempts", "3");
        props.put("retryDeadline", "90s");
        props.put("maxRetryAfter", "2m");
        props.put("clampRetryAfter", "true");
        props.put("retryNonIdempotent", "true");
        props.put("backoffBaseDelay", "250ms");
        props.put("backoffMultiplier", "3");
        props.put("backoffMaxDelay", "PT20S");
        props.put("backoffJitter", "EQUAL");
        props.put("retryAfterJitter", "0.2");
        props.put("retryBudgetEnabled", "false");
        props.put("retryBudgetCapacity", "100");
        props.put("retryBudgetThrottleCost", "2");
        props.put("retryBudgetRetryCost", "4");
        props.put("retryBudgetSuccessRefill", "3");
        PropertyBindingSupport.build().bind(context, b, props);
        assertTrue(props.isEmpty(), "all bound: " + props);
        RetryAfterOptions o = b.getOptions();
        assertEquals(new RetryAfterOptions(3, Duration.ofSeconds(90), Duration.ofMinutes(2), true, true,
                Backoff.builder().baseDelay(Duration.ofMillis(250)).multiplier(3).maxDelay(Duration.ofSeconds(20))
                        .jitter(Backoff.Jitter.EQUAL).retryAfterJitter(0.2).build(),
                false, new RetryBudget.Config(100, 2, 4, 3)), o);
    }

    @Test
    void invalidOptionsNameOptionValueAndRule() {
        RetryAfterRedelivery b = new RetryAfterRedelivery();
        b.setBackoffBaseDelay(Duration.ofMinutes(1));
        InvalidLimiterConfigException x = assertThrows(InvalidLimiterConfigException.class, b::validate);
        assertEquals("backoffBaseDelay", x.getOption());
        b.setBackoffBaseDelay(Duration.ofMillis(100));
        b.validate();
        b.setMaxAttempts(0);
        assertEquals("ratelimit option maxAttempts=0 is invalid: must be between 1 and 1000",
                assertThrows(InvalidLimiterConfigException.class, b::validate).getMessage());
        b.setMaxAttempts(2);
        b.setMaxRetryAfter(Duration.ZERO);
        assertEquals("maxRetryAfter", assertThrows(InvalidLimiterConfigException.class, b::validate).getOption());
        b.setMaxRetryAfter(Duration.ofSeconds(1));
        b.setRetryBudgetThrottleCost(600);
        assertEquals("retryBudgetThrottleCost",
                assertThrows(InvalidLimiterConfigException.class, b::validate).getOption());
    }

    @Test
    void budgetKeyIsTheLimiterOrSchemeHostPort() {
        Exchange e = exchange(API);
        assertEquals("http://api.example.com:8080", RetryAfterRedelivery.budgetKey(API + "?a=b", e));
        assertEquals("https://api.example.com", RetryAfterRedelivery.budgetKey("https://API.example.com/x", e));
        assertEquals("http://api.example.com:8080", RetryAfterRedelivery.budgetKey("ratelimit:" + API, e));
        e.setProperty(RateLimitConstants.LIMITER, "github");
        assertEquals("ratelimit:github", RetryAfterRedelivery.budgetKey("ratelimit:" + API, e));
        assertEquals("direct://call", RetryAfterRedelivery.budgetKey("direct://call?x=1", e));
        assertEquals("*", RetryAfterRedelivery.budgetKey(null, e));
    }
}
