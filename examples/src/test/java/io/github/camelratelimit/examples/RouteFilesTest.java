package io.github.camelratelimit.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimiterListener;
import io.github.camelratelimit.retry.RetryAfterRedelivery;
import io.github.camelratelimit.simulator.ProviderSimulator;
import io.github.camelratelimit.simulator.RecordedRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every YAML file in {@code routes/} is started by camel-main with properties only, against the embedded provider
 * simulator; the route files this issue ships are then run end to end and what the provider saw is checked.
 */
class RouteFilesTest {

    /** Bound for one scenario; they take 0.5 to 3 s. */
    private static final long TIMEOUT_S = 60;

    /**
     * Files whose header need not name every placeholder they use, with the reason. The demo's options live in
     * examples' application.properties, which the demo's header points to.
     */
    private static final Map<String, String> HEADER_EXEMPT = Map.of(
            "demo.camel.yaml", "the demo's properties are in examples/src/main/resources/application.properties");

    @TempDir
    Path tmp;

    private ProviderSimulator sim;
    private Main main;

    @AfterEach
    void tearDown() {
        if (main != null) {
            CamelContext ctx = main.getCamelContext();
            main.stop();
            assertTrue(ctx.isStopped(), "camel-main stopped its context");
        }
        if (sim != null) {
            sim.stop();
        }
    }

    private ProviderSimulator simulator(ProviderSimulator.Builder b) throws Exception {
        sim = b.build();
        sim.start();
        return sim;
    }

    // ---- every file ----

    @TestFactory
    Stream<DynamicTest> everyRouteFileStartsWithPropertiesOnly() throws Exception {
        List<String> names = RouteFiles.names();
        assertTrue(names.containsAll(List.of("paced-get-loop.camel.yaml", "paged-fetch.camel.yaml",
                "shared-limiter.camel.yaml", "hourly-quota.camel.yaml", "post-batch.camel.yaml")), names.toString());
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> startsAndStops(name)));
    }

    private void startsAndStops(String name) throws Exception {
        String text = RouteFiles.text(name);
        assertTrue(text.startsWith("#"), name + " opens with a header comment saying what it shows");
        if (!HEADER_EXEMPT.containsKey(name)) {
            String header = text.lines().takeWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n"));
            for (String key : placeholders(text)) {
                assertTrue(header.contains(key), name + ": the header names the property " + key);
            }
        }
        // @AfterEach runs once after all dynamic tests: each one stops what it started
        try (ProviderSimulator provider = ProviderSimulator.builder().capacity(1000).build()) {
            provider.start();
            Map<String, String> props = new HashMap<>();
            props.put("provider.url", provider.baseUrl());
            props.put("api.url", provider.baseUrl());
            props.put("batch.inbox", tmp.resolve("inbox-" + name).toString());
            // the Retry-After error handler bean, bound from properties as the files that use it say
            props.put("camel.beans.retryAfter", "#class:" + RetryAfterRedelivery.class.getName());
            Main m = RouteFiles.start(name, props, ctx -> { });
            CamelContext ctx = m.getCamelContext();
            try {
                assertFalse(ctx.getRoutes().isEmpty(), name + " defines routes");
                ctx.getRoutes().forEach(r -> assertEquals(ServiceStatus.Started,
                        ctx.getRouteController().getRouteStatus(r.getRouteId()), name + ": route " + r.getRouteId()));
            } finally {
                m.stop();
            }
            assertTrue(ctx.isStopped());
        }
    }

    /** Property keys used as {{key}} or {{key:default}} in a route file. */
    private static Set<String> placeholders(String text) {
        Set<String> keys = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\{\\{([^}:]+)").matcher(text.lines().filter(l -> !l.startsWith("#"))
                .collect(Collectors.joining("\n")));
        while (m.find()) {
            keys.add(m.group(1).trim());
        }
        return keys;
    }

    // ---- paced-get-loop ----

    @Test
    void pacedGetLoopFetchesEveryIdOnceThroughTheLimiter() throws Exception {
        // the provider allows 20/s (burst 5); the limiter starts at 40/s: 429s, pauses, retries, none lost
        simulator(ProviderSimulator.builder().capacity(20).burst(5));
        String ids = IntStream.rangeClosed(1, 30).mapToObj(Integer::toString).collect(Collectors.joining(","));
        NotifyBuilder[] done = new NotifyBuilder[1];
        main = RouteFiles.start("paced-get-loop.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "items.ids", ids, "items.delay", "0",
                        "ratelimit.limiter.items.max-rate", "40"),
                ctx -> done[0] = done(ctx, "fetch-items-trigger").whenDone(1).create());
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS), "the loop finished");
        assertEquals(30, sim.stats().ok(), "every id fetched successfully once: " + sim.stats());
        assertEquals(IntStream.rangeClosed(1, 30).mapToObj(i -> "/items/" + i).toList(), okPaths(),
                "in the order of the ids");
        assertEquals(sim.stats().requests(), 30 + sim.stats().throttled(), "each 429 was retried once");
        RateLimitComponent rl = main.getCamelContext().getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(Set.of("items"), rl.getLimiterNames());
        assertEquals(40.0, rl.getLimiter("items").config().maxRate(), "ratelimit.limiter.items.max-rate");
    }

    // ---- paged-fetch ----

    @Test
    void pagedFetchReadsPagesUntilAnEmptyOneAndRepeatsAThrottledPage() throws Exception {
        simulator(ProviderSimulator.builder().capacity(100));
        sim.script(ProviderSimulator.Reply.of(200).body("[{\"id\":1},{\"id\":2}]"),
                ProviderSimulator.Reply.of(200).body("[{\"id\":3},{\"id\":4}]"),
                ProviderSimulator.Reply.of(429).header("Retry-After", "1"),
                ProviderSimulator.Reply.of(200).body("[{\"id\":5}]"),
                ProviderSimulator.Reply.of(200).body("[]"));
        NotifyBuilder[] done = new NotifyBuilder[1];
        AtomicInteger pages = new AtomicInteger();
        main = RouteFiles.start("paged-fetch.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "paged.delay", "0", "paged.page-size", "2"),
                ctx -> {
                    done[0] = done(ctx, "fetch-pages-trigger").whenDone(1).create();
                    countSent(ctx, "direct://page", pages);
                });
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS), "the paging finished");
        List<RecordedRequest> requests = sim.requests();
        assertEquals(List.of("page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2", "page=3&per_page=2",
                "page=4&per_page=2"), requests.stream().map(RecordedRequest::query).toList(),
                "page 3 asked again after the 429, then the empty page 4 ends it");
        assertTrue(requests.stream().allMatch(r -> r.path().equals("/orders") && r.method().equals("GET")));
        assertNull(requests.get(3).header("Retry-After"), "response headers are not sent back");
        assertNull(requests.get(2).header("Content-Type"), "response headers are not sent back");
        assertEquals(3, pages.get(), "three non-empty pages went to direct:page");
        long pausedNanos = requests.get(3).arrivalNanos() - requests.get(2).arrivalNanos();
        assertTrue(pausedNanos >= 900_000_000L, "the retry waited for Retry-After: 1, waited " + pausedNanos);
    }

    @Test
    void pagedFetchStopsAtMaxPages() throws Exception {
        simulator(ProviderSimulator.builder().capacity(100)); // never answers an empty page
        NotifyBuilder[] done = new NotifyBuilder[1];
        main = RouteFiles.start("paged-fetch.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "paged.delay", "0", "paged.max-pages", "3"),
                ctx -> done[0] = done(ctx, "fetch-pages-trigger").whenDone(1).create());
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(List.of("page=1&per_page=100", "page=2&per_page=100", "page=3&per_page=100"),
                sim.requests().stream().map(RecordedRequest::query).toList());
    }

    // ---- shared-limiter ----

    @Test
    void twoRoutesShareOneNamedLimiter() throws Exception {
        simulator(ProviderSimulator.builder().capacity(1000));
        String contacts = IntStream.rangeClosed(1, 12).mapToObj(Integer::toString).collect(Collectors.joining(","));
        List<Long> grants = Collections.synchronizedList(new ArrayList<>());
        NotifyBuilder[] done = new NotifyBuilder[2];
        main = RouteFiles.start("shared-limiter.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "crm.delay", "0", "crm.contact-ids", contacts,
                        "crm.notes", "a;b;c;d;e;f;g;h", "ratelimit.limiter.crm.max-rate", "10"),
                ctx -> {
                    done[0] = done(ctx, "crm-contact-sync").whenDone(1).create();
                    done[1] = done(ctx, "crm-note-upload").whenDone(1).create();
                    ctx.getComponent("ratelimit", RateLimitComponent.class).setListener(grantTimes(grants));
                });
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS) && done[1].matches(TIMEOUT_S, TimeUnit.SECONDS));
        RateLimitComponent rl = main.getCamelContext().getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(Set.of("crm"), rl.getLimiterNames(), "one limiter for both routes");
        assertEquals(10.0, rl.getLimiter("crm").config().maxRate());
        assertEquals(Map.of("GET", 12L, "POST", 8L), sim.stats().methodCounts());
        assertEquals(20, sim.stats().ok());
        assertEquals("{\"text\":\"a\"}", sim.requests().stream().filter(r -> r.method().equals("POST")).findFirst()
                .orElseThrow().body());
        assertEquals(20, grants.size());
        // 10/s for both routes together: any second holds at most ceil(10 x 1) + 1 starts (GCRA grid)
        assertTrue(ProviderSimulator.maxInWindow(toArray(grants), Duration.ofSeconds(1)) <= 11,
                "both routes together kept to 10/s");
    }

    // ---- hourly-quota ----

    @Test
    void hourlyQuotaDefersWhatDoesNotFitInTheHour() throws Exception {
        simulator(ProviderSimulator.builder().capacity(1000));
        NotifyBuilder[] done = new NotifyBuilder[1];
        AtomicInteger deferred = new AtomicInteger();
        main = RouteFiles.start("hourly-quota.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "geo.delay", "0", "geo.quota", "3",
                        "geo.addresses", "a;b;c;d;e"),
                ctx -> {
                    done[0] = done(ctx, "geocode-trigger").whenDone(1).create();
                    countSent(ctx, "direct://geocode-deferred", deferred);
                });
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(List.of("q=a", "q=b", "q=c"), sim.requests().stream().map(RecordedRequest::query).toList(),
                "3 per hour: the rest never reached the provider");
        assertEquals(2, deferred.get(), "d and e were deferred");
        RateLimitComponent rl = main.getCamelContext().getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(3, rl.getLimiter("geocoder").config().quota());
        assertEquals(Duration.ofHours(1), rl.getLimiter("geocoder").config().quotaWindow(), "the default window");
    }

    @Test
    void strictQuotaHoldsInEverySlidingWindow() throws Exception {
        // the same file with a 1 s window: 10 calls at 4 per second wait for room instead of being deferred
        simulator(ProviderSimulator.builder().capacity(1000));
        List<Long> grants = Collections.synchronizedList(new ArrayList<>());
        NotifyBuilder[] done = new NotifyBuilder[1];
        main = RouteFiles.start("hourly-quota.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "geo.delay", "0", "geo.quota", "4", "geo.quota-window", "1s",
                        "geo.max-wait", "10s", "geo.addresses", "1;2;3;4;5;6;7;8;9;10"),
                ctx -> {
                    done[0] = done(ctx, "geocode-trigger").whenDone(1).create();
                    ctx.getComponent("ratelimit", RateLimitComponent.class).setListener(grantTimes(grants));
                });
        assertTrue(done[0].matches(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(10, sim.stats().ok(), "nothing deferred");
        assertEquals(10, grants.size());
        long[] g = toArray(grants);
        assertEquals(4, ProviderSimulator.maxInWindow(g, Duration.ofSeconds(1)), "never more than 4 in any second");
        assertTrue(g[9] - g[0] >= 2_000_000_000L, "calls 9 and 10 started two windows after the first");
    }

    // ---- post-batch ----

    @Test
    void postBatchPostsEveryLineAndRetriesAThrottledOneAfterRetryAfter() throws Exception {
        simulator(ProviderSimulator.builder().capacity(1000));
        sim.script(ProviderSimulator.Reply.of(429).header("Retry-After", "1"));
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        List<String> lines = IntStream.rangeClosed(1, 6).mapToObj(i -> "{\"n\":" + i + "}").toList();
        Path partial = tmp.resolve("orders.jsonl.part");
        Files.writeString(partial, String.join("\n", lines) + "\n\n", StandardCharsets.UTF_8);
        Files.move(partial, inbox.resolve("orders.jsonl"), StandardCopyOption.ATOMIC_MOVE);
        main = RouteFiles.start("post-batch.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "batch.inbox", inbox.toString(), "batch.initial-delay", "0",
                        "batch.read-lock", "none",
                        "camel.beans.retryAfter", "#class:" + RetryAfterRedelivery.class.getName()),
                ctx -> { });
        Path done = inbox.resolve(".done").resolve("orders.jsonl");
        awaitTrue(() -> Files.exists(done), "the file moved to .done");
        List<RecordedRequest> requests = sim.requests();
        assertEquals(7, requests.size(), "6 lines, the first one twice");
        assertEquals(429, requests.get(0).status());
        assertEquals(lines.get(0), requests.get(0).body());
        assertEquals(lines, requests.stream().filter(r -> r.status() == 200).map(RecordedRequest::body).toList(),
                "every line POSTed once successfully, in order");
        assertTrue(requests.stream().allMatch(r -> r.method().equals("POST") && r.path().equals("/batch")));
        assertEquals("application/json", requests.get(1).header("Content-Type"));
        long waited = requests.get(1).arrivalNanos() - requests.get(0).arrivalNanos();
        assertTrue(waited >= 900_000_000L, "the retry waited in the limiter for Retry-After: 1, waited " + waited);
        assertFalse(Files.exists(inbox.resolve(".failed")));
        RetryAfterRedelivery retryAfter = main.getCamelContext().getRegistry().lookupByNameAndType("retryAfter",
                RetryAfterRedelivery.class);
        assertEquals(Set.of("ratelimit:batch"), retryAfter.getRetryBudgetKeys(),
                "the retry was the handler's, with a budget per limiter");
    }

    @Test
    void postBatchMovesAFileWhoseLineKeepsFailingToFailed() throws Exception {
        simulator(ProviderSimulator.builder().capacity(1000));
        ProviderSimulator.Reply[] throttled = new ProviderSimulator.Reply[5];
        java.util.Arrays.fill(throttled, ProviderSimulator.Reply.of(429).header("Retry-After", "0"));
        sim.script(throttled);
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Path partial = tmp.resolve("bad.jsonl.part");
        Files.writeString(partial, "{\"n\":1}\n{\"n\":2}\n", StandardCharsets.UTF_8);
        Files.move(partial, inbox.resolve("bad.jsonl"), StandardCopyOption.ATOMIC_MOVE);
        main = RouteFiles.start("post-batch.camel.yaml",
                Map.of("provider.url", sim.baseUrl(), "batch.inbox", inbox.toString(), "batch.initial-delay", "0",
                        "batch.read-lock", "none",
                        "camel.beans.retryAfter", "#class:" + RetryAfterRedelivery.class.getName(),
                        "camel.beans.retryAfter.maxAttempts", "3",
                        "camel.beans.retryAfter.backoffBaseDelay", "10ms"),
                ctx -> { });
        Path failed = inbox.resolve(".failed").resolve("bad.jsonl");
        awaitTrue(() -> Files.exists(failed), "the file moved to .failed");
        assertEquals(3, sim.stats().requests(), "the first line, 3 attempts; the split stopped there");
        assertEquals(3, sim.stats().throttled());
        assertFalse(Files.exists(inbox.resolve(".done").resolve("bad.jsonl")));
    }

    // ---- helpers ----

    /**
     * A notifier for the exchanges the route's consumer created. Split sub-exchanges keep the route id of their
     * parent; they carry a correlation id, so they are left out.
     */
    private static NotifyBuilder done(CamelContext ctx, String routeId) {
        return new NotifyBuilder(ctx).fromRoute(routeId)
                .filter(e -> e.getProperty(ExchangePropertyKey.CORRELATION_ID) == null);
    }

    /** Counts the exchanges sent to the endpoint (register before the context starts). */
    private static void countSent(CamelContext ctx, String endpointUri, AtomicInteger into) {
        ctx.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeSentEvent sent
                        && endpointUri.equals(sent.getEndpoint().getEndpointUri())) {
                    into.incrementAndGet();
                }
            }
        });
    }

    private List<String> okPaths() {
        return sim.requests().stream().filter(r -> r.status() == 200).map(RecordedRequest::path).toList();
    }

    private static RateLimiterListener grantTimes(List<Long> into) {
        return new RateLimiterListener() {
            @Override
            public void onGranted(String limiter, Permit permit) {
                into.add(permit.grantedAt());
            }
        };
    }

    private static long[] toArray(List<Long> values) {
        synchronized (values) {
            return values.stream().mapToLong(Long::longValue).sorted().toArray();
        }
    }

    /** Polls until the condition holds; fails after {@link #TIMEOUT_S}. */
    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }
}
