package io.github.camelratelimit.observe;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.RateLimitEndpoint;
import io.github.camelratelimit.core.AdaptiveRateLimit;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.ManualClock;
import io.github.camelratelimit.simulator.ProviderSimulator;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.console.DevConsole;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.util.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The component against the provider simulator answering a scripted congestion event (429, five 200s, 429) and a
 * lone 429, all with Retry-After: 1, on a manual clock: exact meters, log events, console JSON, health and JMX.
 */
class ObservabilityScenarioTest {

    private static final AtomicInteger CONTEXTS = new AtomicInteger();
    private static final long S = 1_000_000_000L;
    /** The accepted rate measured between the scenario's first two 429s: 5 calls in 1.5 s, permits/s. */
    /**
     * What the cut at 1.5 s measures: 5 calls accepted in 1.5 s, but the first 429's pause fell inside the
     * measurement, so the cut goes no deeper than decreaseFactor^3: max(5 / 1.5, 0.343 x 60 / 0.9) = 22.87/s.
     */
    private static final double ESTIMATE = Math.max(5 / ((3 * S / 2) / 1e9), 0.7 * 0.7 * 0.7 * 60 / 0.9);

    private ProviderSimulator sim;
    private CamelContext context;
    private RateLimitComponent component;
    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private LogCapture logs;
    private Tags tags;

    @BeforeEach
    void setUp() throws Exception {
        sim = ProviderSimulator.builder().capacity(10_000).burst(10_000).build();
        sim.start();
        logs = new LogCapture();
        context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("obs-" + CONTEXTS.incrementAndGet());
        context.getRegistry().bind("metricsRegistry", meters);
        component = new RateLimitComponent();
        component.setClock(clock);
        context.addComponent("ratelimit", component);
        tags = Tags.of("camelContext", context.getName(), "limiter", "api");
    }

    @AfterEach
    void tearDown() {
        context.stop();
        sim.close();
        logs.close();
    }

    private void route(String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").to("ratelimit:" + sim.url("/items") + "?limiter=api" + options);
            }
        });
        context.start();
    }

    private Exchange send() {
        return context.createProducerTemplate().send("direct:a", e -> { });
    }

    private double gauge(String name, String... extraTags) {
        return meters.get("camel.ratelimit." + name).tags(tags).tags(extraTags).gauge().value();
    }

    private double counter(String name, String... extraTags) {
        return meters.get("camel.ratelimit." + name).tags(tags).tags(extraTags).counter().count();
    }

    /**
     * The scenario, every reply with Retry-After: 1 pausing the limiter for 1 s:
     * <pre>
     * 0 s          429  arms a congestion event (no cut; the scale doubles to 1000)
     * 1.0..1.4 s   five 200s, 100 ms apart
     * 1.5 s        429  confirms the event: cut to 0.9 x the accepted rate since the arm, 5 calls in 1.5 s
     * 2.5 s        429  a lone throttle after the cut: arms a new event, no cut
     * 3.5 s        end (sampled)
     * </pre>
     * 8 permits, 3 throttles, 1 cut. Returns the clock at the end.
     */
    private long scriptedScenario() throws Exception {
        ProviderSimulator.Reply throttle = ProviderSimulator.Reply.of(429).header("Retry-After", "1");
        ProviderSimulator.Reply ok = ProviderSimulator.Reply.of(200);
        sim.script(throttle, ok, ok, ok, ok, ok, throttle, throttle);
        route("");
        assertThrottled(send());
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            assertNull(send().getException());
            clock.advance(Duration.ofMillis(100));
        }
        assertThrottled(send());
        clock.advance(Duration.ofSeconds(1));
        assertThrottled(send());
        clock.advance(Duration.ofSeconds(1));
        component.getObserver().sampleAll();
        return clock.nanoTime();
    }

    private static void assertThrottled(Exchange e) {
        assertEquals(429, assertInstanceOf(HttpOperationFailedException.class, e.getException()).getStatusCode());
    }

    /** The rate the limiter must have: the core's own formula, armed at 0 s, cut at 1.5 s, armed at 2.5 s. */
    private static double expectedRate(long now) {
        AdaptiveRateLimit a = new AdaptiveRateLimit(LimiterConfig.defaults());
        a.signal();
        a.cut(3 * S / 2, ESTIMATE);
        a.signal();
        return a.rate(now);
    }

    @Test
    void metersMoveAsTheScenarioSays() throws Exception {
        long end = scriptedScenario();

        assertEquals(8.0, counter("permits.granted"));
        assertEquals(3.0, counter("responses.throttled", "status", "429"));
        for (String reason : List.of("max_wait", "max_pending", "stopped", "store_failed")) {
            assertEquals(0.0, counter("permits.rejected", "reason", reason), reason);
        }
        assertEquals(1.0, meters.get("camel.ratelimit.rate.cuts").tags(tags).functionCounter().count(),
                "three 429s, one congestion event confirmed");
        assertEquals(expectedRate(end), gauge("rate"));
        assertTrue(gauge("rate") < ESTIMATE * 1.2, "2 s after the cut the rate is still near the estimate");
        assertEquals(1.0, gauge("rate.min"));
        assertEquals(60.0, gauge("rate.max"));
        assertEquals(0.0, meters.get("camel.ratelimit.pause.remaining").tags(tags).timeGauge().value(TimeUnit.SECONDS));
        assertEquals(0.0, gauge("pending"));
        assertTrue(Double.isNaN(gauge("provider.remaining")), "no quota headers sent");
        assertTrue(Double.isNaN(gauge("retry.budget")), "no budget registered");
        // camel-http's pooling connection manager is read
        assertTrue(gauge("http.connections", "state", "max") > 0);
        assertEquals(0.0, gauge("http.connections", "state", "leased"));

        Timer wait = meters.get("camel.ratelimit.permit.wait").tags(tags).timer();
        assertEquals(8, wait.count());
        assertEquals(0.0, wait.totalTime(TimeUnit.NANOSECONDS), "the manual clock never made anybody wait");
        assertTrue(wait.takeSnapshot().percentileValues().length == 3, "p50, p90, p99 published");

        // every meter carries the bounded tags
        for (Meter m : meters.getMeters()) {
            if (m.getId().getName().startsWith("camel.ratelimit.")) {
                assertEquals(context.getName(), m.getId().getTag("camelContext"), m.getId().toString());
                assertEquals("api", m.getId().getTag("limiter"), m.getId().toString());
            }
        }
        // the meters go when the limiter stops
        context.stop();
        assertTrue(meters.find("camel.ratelimit.rate").gauges().isEmpty());
        assertTrue(meters.find("camel.ratelimit.permits.granted").counters().isEmpty());
    }

    @Test
    void logEventsCarryStableNamesAndKeyValues() throws Exception {
        scriptedScenario();

        List<Map<String, Object>> responses = logs.events("rate_limit_response");
        assertEquals(3, responses.size());
        for (Map<String, Object> r : responses) {
            assertEquals("api", r.get("limiter"));
            assertEquals(429, r.get("status"));
            assertEquals(1000L, r.get("retryAfterMs"));
            assertEquals(1000L, r.get("pauseMs"), "the clock does not move while the response is recorded");
            assertFalse(r.containsKey("remaining"), "no quota headers");
        }
        assertEquals(List.of(false, true, false), responses.stream().map(r -> r.get("rateCut")).toList(),
                "the first 429 arms, the second cuts, the lone third arms again");
        // the pause inside the measurement keeps the cut at 0.343 x 60 = 20.58/s; it recovers towards 22.87/s
        // (reached 0.93 s after the cut)
        assertEquals(List.of(60.0, 20.58, 22.868), responses.stream().map(r -> r.get("rate")).toList());
        assertEquals(RateLimitEvents.round(expectedRate(5 * S / 2)), responses.get(2).get("rate"));
        List<Map<String, Object>> cuts = logs.events("rate_decreased");
        assertEquals(1, cuts.size());
        assertEquals(60.0, cuts.get(0).get("old"));
        assertEquals(20.58, cuts.get(0).get("new"));
        assertEquals(1L, cuts.get(0).get("cuts"));
        assertEquals(false, cuts.get(0).get("atFloor"));
        assertEquals("WARN", cuts.get(0).get("level"));
        List<Map<String, Object>> paused = logs.events("limiter_paused");
        assertEquals(3, paused.size());
        paused.forEach(p -> assertEquals(1000L, p.get("pauseMs")));
        List<Map<String, Object>> resumed = logs.events("limiter_resumed");
        assertEquals(3, resumed.size());
        // a resume shows at the next snapshot: plain 200s carry nothing for the store, so the first pause (over at
        // 1 s) is seen over at the 429 of 1.5 s; the others at the next 429 and at the final sample, 1 s later
        assertEquals(List.of(1500L, 1000L, 1000L), resumed.stream().map(r -> r.get("pausedMs")).toList());
        assertTrue(logs.events("pacing_active").isEmpty(), "nobody waited");
    }

    @Test
    void devConsoleJsonHasTheDocumentedFields() throws Exception {
        long end = scriptedScenario();
        DevConsole console = org.apache.camel.support.PluginHelper.getDevConsoleResolver(context)
                .resolveDevConsole("ratelimit");
        assertInstanceOf(RateLimitDevConsole.class, console, "found through META-INF/services/org/apache/camel/dev-console");
        ((org.apache.camel.CamelContextAware) console).setCamelContext(context);

        JsonObject json = (JsonObject) console.call(DevConsole.MediaType.JSON);
        List<?> limiters = (List<?>) json.get("limiters");
        assertEquals(1, limiters.size());
        Map<?, ?> l = (Map<?, ?>) limiters.get(0);
        assertEquals(List.of("name", "store", "state", "rate", "minRate", "maxRate", "pauseRemainingMs", "pausedMs",
                "atFloorMs", "pending", "granted", "rejected", "throttled", "cuts", "retriesScheduled",
                "retriesExhausted", "retryBudget", "providerRemaining", "providerLimit", "recentThrottles"),
                new ArrayList<>(l.keySet()));
        assertEquals("api", l.get("name"));
        assertEquals("memory", l.get("store"));
        assertEquals("ok", l.get("state"));
        assertEquals(RateLimitEvents.round(expectedRate(end)), l.get("rate"));
        assertEquals(1.0, l.get("minRate"));
        assertEquals(60.0, l.get("maxRate"));
        assertEquals(0L, l.get("pauseRemainingMs"));
        assertEquals(8L, l.get("granted"));
        assertEquals(0L, l.get("rejected"));
        assertEquals(3L, l.get("throttled"));
        assertEquals(1L, l.get("cuts"));
        assertEquals(-1, l.get("retryBudget"));
        assertEquals(-1L, l.get("providerRemaining"));
        List<?> recent = (List<?>) l.get("recentThrottles");
        assertEquals(3, recent.size());
        Map<?, ?> first = (Map<?, ?>) recent.get(0);
        assertEquals(Instant.ofEpochMilli(new ManualClock().wallMillis()).toString(), first.get("time"));
        assertEquals(429, first.get("status"));
        assertEquals(1000L, first.get("retryAfterMs"));
        assertEquals(false, first.get("rateCut"), "a lone first 429 only arms a congestion event");
        assertEquals(List.of(false, true, false), recent.stream().map(t -> ((Map<?, ?>) t).get("rateCut")).toList());

        String text = (String) console.call(DevConsole.MediaType.TEXT);
        assertTrue(text.contains("Limiter: api (memory, ok)"), text);
        assertTrue(text.contains("Throttled: 3"), text);
    }

    @Test
    void healthGoesDownWhenPausedLongerThanTheThresholdAndBackUp() throws Exception {
        sim.script(ProviderSimulator.Reply.of(429).header("Retry-After", "600"));
        route("");
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        assertNotNull(registry, "camel-health is on the test classpath");
        HealthCheck check = registry.getCheck(RateLimitHealthCheck.ID).orElseThrow();
        assertFalse(check.isLiveness());

        assertEquals(HealthCheck.State.UP, check.call().getState());
        send(); // 429, Retry-After: 600 -> paused 10 minutes
        HealthCheck.Result r = check.call();
        assertEquals(HealthCheck.State.UP, r.getState(), "paused, but not for longer than 5 minutes yet");
        assertEquals("paused", r.getDetails().get("api.state"));

        clock.advance(Duration.ofMinutes(6));
        r = check.call();
        assertEquals(HealthCheck.State.DOWN, r.getState());
        // what camel-main's health endpoint asks: the readiness checks include ours, DOWN
        assertTrue(org.apache.camel.health.HealthCheckHelper.invokeReadiness(context).stream()
                .anyMatch(x -> x.getCheck().getId().equals(RateLimitHealthCheck.ID)
                        && x.getState() == HealthCheck.State.DOWN));
        assertEquals("api", r.getDetails().get("down"));
        assertEquals(360_000L, r.getDetails().get("api.pausedMs"));
        assertTrue(r.getMessage().orElse("").contains("api"), r.getMessage().toString());

        clock.advance(Duration.ofMinutes(5)); // the 10-minute pause is over
        r = check.call();
        assertEquals(HealthCheck.State.UP, r.getState());
        assertEquals("ok", r.getDetails().get("api.state"));
        assertEquals(1, logs.events("limiter_resumed").size());
        assertEquals(660_000L, logs.events("limiter_resumed").get(0).get("pausedMs"));
    }

    @Test
    void jmxMBeanShowsFiguresAndChangesRatesAndResets() throws Exception {
        scriptedScenario();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = component.getObserver().objectName("api");
        assertNotNull(on);
        assertEquals(new ObjectName("org.apache.camel:context=" + context.getName() + ",type=ratelimiters,name=\"api\""),
                on);
        assertTrue(server.isRegistered(on));
        assertEquals(8L, server.getAttribute(on, "Granted"));
        assertEquals(3L, server.getAttribute(on, "Throttled"));
        assertEquals(1L, server.getAttribute(on, "Cuts"));
        assertEquals(60.0, server.getAttribute(on, "MaxRate"));
        assertEquals("ok", server.getAttribute(on, "State"));

        server.invoke(on, "updateRates", new Object[] {2.0, 30.0}, new String[] {"double", "double"});
        assertEquals(30.0, component.getLimiter("api").config().maxRate());
        assertEquals(2.0, component.getLimiter("api").config().minRate());
        assertEquals(30.0, server.getAttribute(on, "MaxRate"));
        server.setAttribute(on, new Attribute("MinRate", 3.0));
        assertEquals(3.0, component.getLimiter("api").config().minRate());
        Map<String, Object> reconf = logs.events("limiter_reconfigured").get(1);
        assertEquals(2.0, reconf.get("oldMinRate"));
        assertEquals(3.0, reconf.get("minRate"));
        assertEquals(30.0, reconf.get("maxRate"));
        try {
            server.setAttribute(on, new Attribute("MinRate", 99.0));
            throw new AssertionError("minRate above maxRate must be refused");
        } catch (javax.management.RuntimeMBeanException e) {
            assertTrue(e.getCause().getMessage().contains("minRate"), e.getCause().getMessage());
        }
        // the new limiter works and its figures are live
        assertNull(send().getException());
        assertEquals(30.0, gauge("rate"), "a reconfigured limiter starts at its new maxRate");
        assertEquals(30.0, gauge("rate.max"));

        // force a cut through the store (two throttles 1 s apart: nothing accepted between them, so the event
        // measures at its 1 s bound and the cut falls back to decreaseFactor x 30/s), then reset
        io.github.camelratelimit.core.LimiterStore store = component.getLimiter("api").store();
        LimiterConfig config = component.getLimiter("api").config();
        long sentAt = clock.nanoTime();
        assertFalse(store.record("api", config, io.github.camelratelimit.core.Feedback.throttled(sentAt, 429, -1))
                .toCompletableFuture().join(), "the first throttle arms");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(store.record("api", config, io.github.camelratelimit.core.Feedback.throttled(sentAt, 429, -1))
                .toCompletableFuture().join(), "the second cuts");
        assertEquals(21.0, gauge("rate"), 1e-9);
        server.invoke(on, "reset", new Object[0], new String[0]);
        assertEquals(30.0, gauge("rate"));
        assertEquals(1, logs.events("limiter_reset").size());

        context.stop();
        assertFalse(server.isRegistered(on), "unregistered on stop");
    }

    @Test
    void reconfigureHandsWaitingExchangesToTheNewLimiter() throws Exception {
        RateLimitComponent c = new RateLimitComponent(); // the system clock: exchanges really wait
        context.addComponent("ratelimit2", c);
        String uri = "ratelimit2:" + sim.url("/items") + "?limiter=slow&maxRate=0.5&minRate=0.1&maxWait=1m";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:slow").to(uri);
            }
        });
        context.start();
        RateLimitEndpoint ep = context.getEndpoint(uri, RateLimitEndpoint.class);
        AsyncProducer producer = ep.createAsyncProducer();
        producer.start();
        int n = 3;
        CountDownLatch done = new CountDownLatch(n);
        List<Exchange> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Exchange ex = new DefaultExchange(context);
            sent.add(ex);
            producer.process(ex, sync -> done.countDown());
        }
        assertEquals(n - 1, c.getLimiter("slow").pending(), "at 0.5/s two exchanges wait 2 s and 4 s");
        c.reconfigureLimiter("slow", 0.1, 100);
        assertTrue(done.await(10, TimeUnit.SECONDS), "every exchange completed");
        for (Exchange ex : sent) {
            assertNull(ex.getException(), "handed over, not failed");
        }
        assertEquals(n, sim.requests().size());
        assertEquals(0, c.getObserver().watch("slow").rejected(), "a hand-over is not a rejection");
        assertEquals(n, c.getObserver().watch("slow").granted());
        producer.stop();
    }

    @Test
    void pacingEventIsLoggedOncePerIntervalWithTheSuppressedCount() throws Exception {
        RateLimitComponent c = new RateLimitComponent(); // the system clock: exchanges really wait
        c.setPacingLogThreshold(10);
        context.addComponent("ratelimit3", c);
        String uri = "ratelimit3:direct:target?limiter=paced&maxRate=50";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:target").setBody(constant("ok"));
            }
        });
        context.start();
        AsyncProducer producer = context.getEndpoint(uri, RateLimitEndpoint.class).createAsyncProducer();
        producer.start();
        int n = 8;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            producer.process(new DefaultExchange(context), sync -> done.countDown());
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        // the 1st goes at once; the 2nd to 8th wait about 20, 40, ... 140 ms on the 50/s grid, all within one
        // 5 s interval: one line, the six later waits counted as suppressed
        List<Map<String, Object>> pacing = logs.events("pacing_active");
        assertEquals(1, pacing.size(), pacing.toString());
        assertEquals("paced", pacing.get(0).get("limiter"));
        assertTrue((Long) pacing.get(0).get("waitMs") > 10L, pacing.toString());
        assertEquals("pacing", pacing.get(0).get("reason"));
        assertEquals(0L, pacing.get(0).get("suppressed"));
        LimiterWatch w = c.getObserver().watch("paced");
        assertEquals(n, w.granted());
        assertEquals(n - 2, w.takeSuppressed());
        Timer wait = meters.get("camel.ratelimit.permit.wait").tags("limiter", "paced").timer();
        assertEquals(n, wait.count());
        assertTrue(wait.max(TimeUnit.MILLISECONDS) >= 60, "the 8th cannot start before 140 ms after the 1st");
        producer.stop();
    }

    @Test
    void countersAgreeUnderConcurrentCallers() throws Exception {
        RateLimitComponent c = new RateLimitComponent(); // the system clock
        c.setPacingLogThreshold(0);
        context.addComponent("ratelimit4", c);
        String uri = "ratelimit4:direct:fast?limiter=busy&maxRate=2000&maxPending=5";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:fast").setBody(constant("ok"));
            }
        });
        context.start();
        AsyncProducer producer = context.getEndpoint(uri, RateLimitEndpoint.class).createAsyncProducer();
        producer.start();
        int threads = 8;
        int perThread = 100;
        CountDownLatch done = new CountDownLatch(threads * perThread);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    Exchange ex = new DefaultExchange(context);
                    producer.process(ex, sync -> {
                        if (ex.getException() == null) {
                            ok.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                        done.countDown();
                    });
                }
            });
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) {
            th.join();
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "every exchange completed");
        LimiterWatch w = c.getObserver().watch("busy");
        // invariants: every exchange is counted exactly once, as a grant or as a rejection
        assertEquals(threads * perThread, ok.get() + refused.get());
        assertEquals(ok.get(), w.granted());
        assertEquals(refused.get(), w.rejected());
        assertEquals(refused.get(), w.rejected(io.github.camelratelimit.core.RateLimitExceededException.Reason.MAX_PENDING)
                + w.rejected(io.github.camelratelimit.core.RateLimitExceededException.Reason.MAX_WAIT));
        Tags busy = Tags.of("camelContext", context.getName(), "limiter", "busy");
        assertEquals(ok.get(), meters.get("camel.ratelimit.permits.granted").tags(busy).counter().count());
        assertEquals(ok.get(), meters.get("camel.ratelimit.permit.wait").tags(busy).timer().count());
        double rejectedMeters = meters.find("camel.ratelimit.permits.rejected").tags(busy).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        assertEquals(refused.get(), rejectedMeters);
        assertTrue(logs.events("pacing_active").size() <= 1 + 1, "at most one line per 5 s; the run is short");
        producer.stop();
    }

    @Test
    void retryApiCountsLogsAndPublishesTheBudget() throws Exception {
        route("");
        assertNull(send().getException());
        AtomicInteger tokens = new AtomicInteger(495);
        RateLimitMetrics.budgetLeft(context, "api", tokens::get);
        Exchange ex = new DefaultExchange(context);
        ex.setProperty("CamelRateLimitLimiter", "api");
        RateLimitMetrics.retryScheduled(ex, 1, 1500, "throttled");
        RateLimitMetrics.retryScheduled(ex, 2, 3000, "throttled");
        RateLimitMetrics.retriesExhausted(ex, 3, "throttled");
        for (int i = 0; i < 20; i++) {
            RateLimitMetrics.retryScheduled(context, "api", 1, 10, "reason-" + i); // unbounded reasons are folded
        }

        assertEquals(2.0, counter("retries.scheduled", "reason", "throttled"));
        assertEquals(1.0, counter("retries.exhausted", "reason", "throttled"));
        assertEquals(495.0, gauge("retry.budget"));
        tokens.set(10);
        assertEquals(10.0, gauge("retry.budget"));
        Timer retryWait = meters.get("camel.ratelimit.retry.wait").tags(tags).timer();
        assertEquals(22, retryWait.count());
        long reasons = meters.find("camel.ratelimit.retries.scheduled").tags(tags).counters().size();
        assertEquals(MicrometerMetrics.MAX_REASONS + 1, reasons, "8 reasons, then 'other'");

        List<Map<String, Object>> scheduled = logs.events("retry_scheduled");
        assertEquals(Map.of("level", "INFO", "event", "retry_scheduled", "limiter", "api", "attempt", 1,
                "waitMs", 1500L, "reason", "throttled"), scheduled.get(0));
        assertEquals(Map.of("level", "WARN", "event", "retries_exhausted", "limiter", "api", "attempts", 3,
                "reason", "throttled"), logs.events("retries_exhausted").get(0));
        assertEquals(2 + 20, component.getObserver().watch("api").retriesScheduled());
    }

    @Test
    void providerQuotaGaugesFollowTheReportedHeaders() throws Exception {
        sim.script(ProviderSimulator.Reply.of(200).header("X-RateLimit-Limit", "100")
                .header("X-RateLimit-Remaining", "42").header("X-RateLimit-Reset", "30"));
        route("&learnFromHeaders=true");
        assertTrue(Double.isNaN(gauge("provider.remaining")), "nothing reported yet");
        assertNull(send().getException());
        assertEquals(42.0, gauge("provider.remaining"));
        assertEquals(100.0, gauge("provider.limit"));
        assertEquals(42L, component.getObserver().watch("api").providerQuota().remaining());
    }

    @Test
    void noRegistryBeanMeansNoMetersAndEverythingElseWorks() throws Exception {
        context.getRegistry().unbind("metricsRegistry");
        route("");
        assertNull(send().getException());
        assertFalse(component.getObserver().metricsActive());
        assertTrue(meters.getMeters().isEmpty());
        assertEquals(1, component.getObserver().watch("api").granted());
    }

    @Test
    void secretsInTheDelegateUriStayOutOfLogsAndMessages() throws Exception {
        try (LogCapture all = new LogCapture("io.github.camelratelimit")) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:s").to("ratelimit:" + sim.url("/items") + "?limiter=sec&maxRate=10&api-key=K-SECRET-1"
                            + "&sig=S-SECRET-2");
                }
            });
            context.start();
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> context.addRoutes(
                    new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:s2").to("ratelimit:" + sim.url("/other") + "?limiter=sec&maxRate=20"
                                    + "&x-api-key=K-SECRET-3");
                        }
                    }));
            // our own exception (Camel wraps it in an exception whose message Camel sanitizes itself)
            String m = null;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof IllegalArgumentException && t.getMessage().contains("limiter 'sec'")) {
                    m = t.getMessage();
                }
            }
            assertNotNull(m, "the component names the conflict");
            assertTrue(m.contains("limiter 'sec'"), m);
            for (String secret : List.of("K-SECRET-1", "S-SECRET-2", "K-SECRET-3")) {
                assertFalse(m.contains(secret), secret + " in " + m);
                assertFalse(all.text().contains(secret), secret + " in the logs");
            }
        }
    }
}
