package io.github.camelratelimit.simulator;

import static io.github.camelratelimit.simulator.Http.get;
import static io.github.camelratelimit.simulator.Http.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderSimulatorTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong nanos = new AtomicLong(1_000 * MS);
    private ProviderSimulator sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.stop();
        }
    }

    private ProviderSimulator start(ProviderSimulator.Builder builder) throws Exception {
        sim = builder.build();
        sim.start();
        return sim;
    }

    private List<Integer> statuses(String path, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(get(sim.url(path)).statusCode());
        }
        return out;
    }

    @Test
    void tokenBucketGivesExactThrottleCountsOnAnInjectedClock() throws Exception {
        start(ProviderSimulator.builder().capacity(20).burst(5).clock(nanos::get));
        assertEquals(List.of(200, 200, 200, 200, 200, 429, 429, 429), statuses("/items/1", 8));
        nanos.addAndGet(100 * MS); // two tokens
        assertEquals(List.of(200, 200, 429), statuses("/items/2", 3));
        nanos.addAndGet(10 * 1_000 * MS); // full again, capped at the burst
        assertEquals(List.of(200, 200, 200, 200, 200, 429), statuses("/items/3", 6));

        SimulatorStats s = sim.stats();
        assertEquals(17, s.requests());
        assertEquals(12, s.ok());
        assertEquals(5, s.throttled());
        assertEquals(0, s.other());
        assertEquals(Map.of("/items/1", 8L, "/items/2", 3L, "/items/3", 6L), s.pathCounts());
        assertEquals(Map.of("GET", 17L), s.methodCounts());
        assertEquals(Map.of(200, 12L, 429, 5L), s.statusCounts());
        assertEquals(3, s.count("/items/2"));
    }

    @Test
    void throttledReplyCarriesRetryAfterSecondsRoundedUp() throws Exception {
        start(ProviderSimulator.builder().capacity(0.25).burst(1).clock(nanos::get));
        assertEquals(200, get(sim.url("/a")).statusCode());
        HttpResponse<String> r = get(sim.url("/a"));
        assertEquals(429, r.statusCode());
        assertEquals("4", header(r, "Retry-After"));
        assertEquals("{\"error\":\"rate limited\",\"status\":429}", r.body());
        nanos.addAndGet(1_500 * MS);
        assertEquals("3", header(get(sim.url("/a")), "Retry-After")); // 2.5 s -> 3
        nanos.addAndGet(2_499 * MS);
        assertEquals("1", header(get(sim.url("/a")), "Retry-After")); // 1 ms -> at least 1
        nanos.addAndGet(MS);
        assertEquals(200, get(sim.url("/a")).statusCode());
    }

    @Test
    void retryAfterIsClampedToAnHourWhenCapacityIsZero() throws Exception {
        start(ProviderSimulator.builder().capacity(0).burst(1).clock(nanos::get).throttleStatus(503));
        assertEquals(200, get(sim.url("/a")).statusCode());
        HttpResponse<String> r = get(sim.url("/a"));
        assertEquals(503, r.statusCode());
        assertEquals(String.valueOf(ProviderSimulator.MAX_RETRY_AFTER_SECONDS), header(r, "Retry-After"));
        assertEquals(1, sim.stats().throttled());
    }

    @Test
    void httpDateRetryAfterParsesBackToTheInjectedInstantRoundedUp() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-01-05T10:00:00.300Z"));
        start(ProviderSimulator.builder().capacity(0.5).burst(1).clock(clock)
                .retryAfter(ProviderSimulator.RetryAfterMode.HTTP_DATE));
        assertEquals(200, get(sim.url("/a")).statusCode());
        clock.advance(Duration.ofMillis(100));
        HttpResponse<String> r = get(sim.url("/a"));
        assertEquals(429, r.statusCode());
        // next token at 10:00:02.300, rounded up to the next second; days 1-9 keep two digits
        assertEquals("Mon, 05 Jan 2026 10:00:03 GMT", header(r, "Retry-After"));
        ZonedDateTime parsed = ZonedDateTime.parse(header(r, "Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME);
        assertEquals(Instant.parse("2026-01-05T10:00:03Z"), parsed.toInstant());
    }

    @Test
    void httpDateRetryAfterAgreesWithTheDateHeaderOnTheSystemClock() throws Exception {
        start(ProviderSimulator.builder().capacity(0.5).burst(1)
                .retryAfter(ProviderSimulator.RetryAfterMode.HTTP_DATE));
        assertEquals(200, get(sim.url("/a")).statusCode());
        HttpResponse<String> r = get(sim.url("/a"));
        assertEquals(429, r.statusCode());
        Instant retry = ZonedDateTime.parse(header(r, "Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Instant date = ZonedDateTime.parse(header(r, "Date"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        long delay = Duration.between(date, retry).toSeconds();
        // the wait is at most 2 s; the date is rounded up and Date down, so 1 to 3 whole seconds
        assertTrue(delay >= 1 && delay <= 3, "Retry-After - Date = " + delay + " s");
    }

    @Test
    void noRetryAfterInModeNone() throws Exception {
        start(ProviderSimulator.builder().capacity(1).burst(1).clock(nanos::get)
                .retryAfter(ProviderSimulator.RetryAfterMode.NONE));
        get(sim.url("/a"));
        HttpResponse<String> r = get(sim.url("/a"));
        assertEquals(429, r.statusCode());
        assertNull(header(r, "Retry-After"));
    }

    @Test
    void xRateLimitHeadersCountDownWithinAFixedWindow() throws Exception {
        TestClock clock = new TestClock(Instant.ofEpochSecond(1_700_000_000L));
        start(ProviderSimulator.builder().fixedWindow(3, Duration.ofSeconds(10)).clock(clock)
                .quotaHeaders(ProviderSimulator.QuotaHeaders.X_RATELIMIT));
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(sim.url("/q"));
            assertEquals(200, r.statusCode());
            assertEquals("3", header(r, "X-RateLimit-Limit"));
            assertEquals("1700000010", header(r, "X-RateLimit-Reset"));
            remaining.add(header(r, "X-RateLimit-Remaining"));
        }
        assertEquals(List.of("2", "1", "0"), remaining);

        clock.advance(Duration.ofMillis(4_500));
        HttpResponse<String> throttled = get(sim.url("/q"));
        assertEquals(429, throttled.statusCode());
        assertEquals("0", header(throttled, "X-RateLimit-Remaining"));
        assertEquals("1700000010", header(throttled, "X-RateLimit-Reset"));
        assertEquals("6", header(throttled, "Retry-After")); // 5.5 s rounded up

        clock.advance(Duration.ofMillis(5_500)); // the boundary
        HttpResponse<String> next = get(sim.url("/q"));
        assertEquals(200, next.statusCode());
        assertEquals("2", header(next, "X-RateLimit-Remaining"));
        assertEquals("1700000020", header(next, "X-RateLimit-Reset"));
    }

    @Test
    void ietfHeadersDescribeTheFixedWindow() throws Exception {
        TestClock clock = new TestClock(Instant.ofEpochSecond(1_700_000_000L));
        start(ProviderSimulator.builder().fixedWindow(3, Duration.ofSeconds(10)).clock(clock)
                .quotaHeaders(ProviderSimulator.QuotaHeaders.IETF));
        HttpResponse<String> first = get(sim.url("/q"));
        assertEquals("\"default\";q=3;w=10", header(first, "RateLimit-Policy"));
        assertEquals("\"default\";r=2;t=10", header(first, "RateLimit"));
        clock.advance(Duration.ofMillis(2_500));
        assertEquals("\"default\";r=1;t=8", header(get(sim.url("/q")), "RateLimit"));
        assertEquals("\"default\";r=0;t=8", header(get(sim.url("/q")), "RateLimit"));
        HttpResponse<String> throttled = get(sim.url("/q"));
        assertEquals(429, throttled.statusCode());
        assertEquals("\"default\";r=0;t=8", header(throttled, "RateLimit"));
        assertNull(header(throttled, "X-RateLimit-Remaining"));
    }

    @Test
    void quotaHeadersDescribeATokenBucket() throws Exception {
        TestClock clock = new TestClock(Instant.ofEpochSecond(1_700_000_000L));
        start(ProviderSimulator.builder().capacity(20).burst(5).clock(clock)
                .quotaHeaders(ProviderSimulator.QuotaHeaders.X_RATELIMIT));
        HttpResponse<String> r = get(sim.url("/q"));
        assertEquals("20", header(r, "X-RateLimit-Limit"));
        assertEquals("4", header(r, "X-RateLimit-Remaining"));
        assertEquals("1700000001", header(r, "X-RateLimit-Reset")); // full again in 50 ms, rounded up
    }

    @Test
    void scriptedRepliesComeFirstInOrderAndLeaveTheBucketAlone() throws Exception {
        start(ProviderSimulator.builder().capacity(1).burst(1).clock(nanos::get));
        sim.script(ProviderSimulator.Reply.of(503).header("Retry-After", "7").body("busy"),
                ProviderSimulator.Reply.of(200).header("X-Trace", "abc").body("{\"x\":1}"));
        assertEquals(2, sim.pendingScript());

        HttpResponse<String> first = get(sim.url("/s"));
        assertEquals(503, first.statusCode());
        assertEquals("7", header(first, "Retry-After"));
        assertEquals("busy", first.body());
        assertEquals("text/plain; charset=utf-8", header(first, "Content-Type"));

        HttpResponse<String> second = get(sim.url("/s"));
        assertEquals(200, second.statusCode());
        assertEquals("abc", header(second, "X-Trace"));
        assertEquals("{\"x\":1}", second.body());
        assertEquals("application/json", header(second, "Content-Type"));

        assertEquals(List.of(200, 429), statuses("/s", 2)); // the one token was still there
        SimulatorStats s = sim.stats();
        assertEquals(4, s.requests());
        assertEquals(2, s.ok());
        assertEquals(2, s.throttled());
        assertEquals(0, sim.pendingScript());
    }

    @Test
    void scriptedReplyWithoutBodyAndOtherStatus() throws Exception {
        start(ProviderSimulator.builder().clock(nanos::get));
        sim.script(ProviderSimulator.Reply.of(500));
        HttpResponse<String> r = get(sim.url("/x"));
        assertEquals(500, r.statusCode());
        assertEquals("", r.body());
        assertEquals(1, sim.stats().other());
    }

    @Test
    void healthIsNeverLimitedNorRecorded() throws Exception {
        start(ProviderSimulator.builder().capacity(0).burst(1).clock(nanos::get));
        sim.script(ProviderSimulator.Reply.of(500));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = get(sim.url("/health"));
            assertEquals(200, r.statusCode());
            assertEquals("{\"status\":\"UP\"}", r.body());
        }
        assertEquals(0, sim.stats().requests());
        assertTrue(sim.arrivalNanos().isEmpty());
        assertEquals(1, sim.pendingScript());
    }

    @Test
    void bodiesAndRecordedRequests() throws Exception {
        start(ProviderSimulator.builder().clock(nanos::get));
        HttpResponse<String> got = Http.send(HttpRequest.newBuilder(URI.create(sim.url("/orders/42?expand=all&x=1")))
                .header("X-Api-Key", "k1").GET().build());
        assertEquals("{\"id\":\"42\",\"ok\":true}", got.body());
        assertEquals("application/json", header(got, "Content-Type"));

        HttpResponse<String> posted = Http.send(HttpRequest.newBuilder(URI.create(sim.url("/orders/")))
                .POST(HttpRequest.BodyPublishers.ofString("héllo")).build());
        assertEquals("{\"received\":6,\"ok\":true}", posted.body());

        HttpResponse<String> head = Http.send(HttpRequest.newBuilder(URI.create(sim.url("/orders/7")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        HttpResponse<String> odd = get(sim.url("/a/%22q%5C%0A"));
        assertEquals("{\"id\":\"\\\"q\\\\\\n\",\"ok\":true}", odd.body());

        List<RecordedRequest> reqs = sim.requests();
        assertEquals(4, reqs.size());
        RecordedRequest r0 = reqs.get(0);
        assertEquals("GET", r0.method());
        assertEquals("/orders/42", r0.path());
        assertEquals("expand=all&x=1", r0.query());
        assertEquals("k1", r0.header("x-api-key"));
        assertEquals("k1", r0.header("X-API-KEY"));
        assertEquals(List.of("k1"), r0.headers().get("x-Api-key"));
        assertEquals(200, r0.status());
        assertEquals(1_000 * MS, r0.arrivalNanos());
        RecordedRequest r1 = reqs.get(1);
        assertEquals("POST", r1.method());
        assertEquals("", r1.query());
        assertEquals("héllo", r1.body());
        assertEquals(6, r1.bodyLength());
        assertEquals(Map.of("GET", 2L, "POST", 1L, "HEAD", 1L), sim.stats().methodCounts());
    }

    @Test
    void largeBodiesAreCountedButRecordedOnlyUpToTheCap() throws Exception {
        start(ProviderSimulator.builder().clock(nanos::get));
        byte[] big = new byte[ProviderSimulator.MAX_RECORDED_BODY_BYTES + 12345];
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(sim.url("/upload")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(big)).build());
        assertEquals("{\"received\":" + big.length + ",\"ok\":true}", r.body());
        RecordedRequest rec = sim.requests().get(0);
        assertEquals(big.length, rec.bodyLength());
        assertEquals(ProviderSimulator.MAX_RECORDED_BODY_BYTES, rec.bodyBytes().length);
    }

    @Test
    void recordingCanBeTurnedOffKeepingStatsAndArrivals() throws Exception {
        start(ProviderSimulator.builder().clock(nanos::get).recordRequests(false));
        statuses("/a", 3);
        assertTrue(sim.requests().isEmpty());
        assertEquals(3, sim.stats().requests());
        assertEquals(3, sim.arrivalNanos().size());
    }

    @Test
    void maxInWindowOnKnownArrivalsUsesHalfOpenWindows() {
        long[] ms = {0, 500, 999, 1000, 1000, 1998, 3000};
        long[] arrivals = new long[ms.length];
        for (int i = 0; i < ms.length; i++) {
            arrivals[ms.length - 1 - i] = ms[i] * MS; // unsorted on purpose
        }
        assertEquals(4, ProviderSimulator.maxInWindow(arrivals, Duration.ofSeconds(1)));
        assertEquals(1, ProviderSimulator.maxInWindow(new long[] {0, 1000 * MS}, Duration.ofSeconds(1)));
        assertEquals(2, ProviderSimulator.maxInWindow(new long[] {0, 1000 * MS - 1}, Duration.ofSeconds(1)));
        assertEquals(0, ProviderSimulator.maxInWindow(new long[0], Duration.ofSeconds(1)));
        assertEquals(7, ProviderSimulator.maxInWindow(arrivals, Duration.ofSeconds(4)));
        assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.maxInWindow(arrivals, Duration.ZERO));
    }

    @Test
    void arrivalsFollowTheClockAndFeedMaxInWindow() throws Exception {
        start(ProviderSimulator.builder().capacity(1000).clock(nanos::get));
        long[] steps = {0, 300, 300, 300, 100, 1000};
        for (long step : steps) {
            nanos.addAndGet(step * MS);
            get(sim.url("/t"));
        }
        long t0 = 1_000 * MS;
        assertEquals(List.of(t0, t0 + 300 * MS, t0 + 600 * MS, t0 + 900 * MS, t0 + 1000 * MS, t0 + 2000 * MS),
                sim.arrivalNanos());
        assertEquals(4, sim.maxInWindow(Duration.ofSeconds(1)));
        assertEquals(2, sim.maxInWindow(Duration.ofMillis(101)));
        assertEquals(1, sim.maxInWindow(Duration.ofMillis(100)));
    }

    @Test
    void setCapacityTakesEffectLive() throws Exception {
        start(ProviderSimulator.builder().capacity(1).burst(1).clock(nanos::get));
        assertEquals(List.of(200, 429), statuses("/c", 2));
        sim.setCapacity(10);
        assertEquals(10.0, sim.currentCapacity());
        nanos.addAndGet(100 * MS);
        assertEquals(List.of(200, 429), statuses("/c", 2));
        assertThrows(IllegalArgumentException.class, () -> sim.setCapacity(-1));
    }

    @Test
    void capacityScheduleStartsAtStart() throws Exception {
        start(ProviderSimulator.builder().burst(1).clock(nanos::get).capacitySchedule(List.of(
                new ProviderSimulator.Phase(Duration.ofSeconds(1), 1),
                new ProviderSimulator.Phase(Duration.ofSeconds(1), 4))));
        assertEquals(1.0, sim.currentCapacity());
        assertEquals(List.of(200, 429), statuses("/p", 2));
        nanos.addAndGet(1_000 * MS);
        assertEquals(4.0, sim.currentCapacity());
        assertEquals(List.of(200, 429), statuses("/p", 2));
        nanos.addAndGet(250 * MS);
        assertEquals(List.of(200, 429), statuses("/p", 2));
    }

    @Test
    void resetClearsEverythingAndRefills() throws Exception {
        start(ProviderSimulator.builder().capacity(1).burst(2).clock(nanos::get));
        sim.script(ProviderSimulator.Reply.of(500), ProviderSimulator.Reply.of(500));
        statuses("/r", 4);
        assertEquals(4, sim.stats().requests());
        sim.reset();
        assertEquals(0, sim.stats().requests());
        assertTrue(sim.arrivalNanos().isEmpty());
        assertTrue(sim.requests().isEmpty());
        assertEquals(0, sim.pendingScript());
        assertEquals(List.of(200, 200, 429), statuses("/r", 3));
    }

    @Test
    void defaultsAndValidation() throws Exception {
        start(ProviderSimulator.builder().capacity(3.7).clock(nanos::get));
        assertEquals(List.of(200, 200, 200, 429), statuses("/d", 4)); // burst floor(3.7) = 3
        assertTrue(sim.baseUrl().matches("http://127\\.0\\.0\\.1:\\d+"));
        assertEquals(sim.baseUrl() + "/x", sim.url("x"));
        assertThrows(IllegalStateException.class, sim::start);
        assertEquals("true", System.getProperty(ProviderSimulator.NODELAY_PROPERTY)); // no 40 ms Nagle stalls

        ProviderSimulator.Builder b = ProviderSimulator.builder();
        assertThrows(IllegalArgumentException.class, () -> b.capacity(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.capacity(-0.5));
        assertThrows(IllegalArgumentException.class, () -> b.burst(0));
        assertThrows(IllegalArgumentException.class, () -> b.throttleStatus(500));
        assertThrows(IllegalArgumentException.class, () -> b.fixedWindow(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> b.fixedWindow(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.latency(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.capacitySchedule(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ProviderSimulator.Phase(Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.Reply.of(99));
        assertThrows(IllegalArgumentException.class,
                () -> ProviderSimulator.Reply.of(200).header("X-Bad", "a\r\nInjected: 1"));
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> ProviderSimulator.builder()
                .fixedWindow(1, Duration.ofSeconds(1))
                .capacitySchedule(List.of(new ProviderSimulator.Phase(Duration.ofSeconds(1), 1))).build());
        assertTrue(both.getMessage().contains("fixedWindow"));
        ProviderSimulator unstarted = ProviderSimulator.builder().build();
        assertThrows(IllegalStateException.class, unstarted::baseUrl);
        unstarted.stop(); // harmless
    }

    @Test
    void fixedWindowHasNoLiveCapacity() throws Exception {
        start(ProviderSimulator.builder().fixedWindow(10, Duration.ofSeconds(2)).clock(nanos::get));
        assertEquals(5.0, sim.currentCapacity());
        assertThrows(UnsupportedOperationException.class, () -> sim.setCapacity(3));
    }

    @Test
    void stopIsIdempotentAndFreesThePort() throws Exception {
        start(ProviderSimulator.builder());
        String url = sim.url("/a");
        assertEquals(200, get(url).statusCode());
        sim.close();
        sim.stop();
        assertThrows(RuntimeException.class, () -> get(url));
        assertNotNull(sim.toString());
    }
}
