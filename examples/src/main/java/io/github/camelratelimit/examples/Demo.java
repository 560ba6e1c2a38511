package io.github.camelratelimit.examples;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;

/**
 * The main job: a burst of requests paced through {@code ratelimit:} against the embedded provider simulator
 * (loopback, no network), with live progress and a summary.
 *
 * <p>The simulator's capacity (default 25/s, burst 5) is hidden from the client, which starts at
 * {@code maxRate} 60/s: the limiter meets 429s with {@code Retry-After}, pauses, cuts its rate and settles under
 * the capacity (a 5-call bucket that answers {@code Retry-After: 1} is the adaptive rate's hardest case: every probe
 * pauses the whole limiter for a second; see the component doc's tuning section). All requests are fired at once from one thread; they wait in the limiter without holding
 * threads. The route itself is {@code routes/demo.camel.yaml}, configured by {@code application.properties}.
 *
 * <p>System properties: {@code demo.items} (default 600), {@code demo.capacity} (default 25),
 * {@code demo.url} (call a real base URL instead of the simulator: use a test API, never a production quota).
 */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int items = Integer.getInteger("demo.items", 600);
        double capacity = Double.parseDouble(System.getProperty("demo.capacity", "25"));
        String url = System.getProperty("demo.url");
        ProviderSimulator sim = null;
        if (url == null || url.isBlank()) {
            sim = ProviderSimulator.builder().capacity(capacity).burst(5)
                    .retryAfter(ProviderSimulator.RetryAfterMode.SECONDS).build();
            sim.start();
            url = sim.baseUrl();
        }
        System.out.printf(Locale.ROOT, "ratelimit demo: %d requests to %s%s%n", items, url,
                sim == null ? "" : " (embedded simulator, hidden capacity " + capacity + "/s)");

        Main main = new Main(Demo.class);
        main.addInitialProperty("provider.url", url);
        main.start();
        CamelContext camel = main.getCamelContext();
        try {
            Summary summary = run(camel, items);
            print(summary, sim, camel);
        } finally {
            main.stop();
            if (sim != null) {
                sim.stop();
            }
        }
    }

    record Summary(int items, int ok, int failed, long retries, double seconds) {
    }

    static Summary run(CamelContext camel, int items) throws Exception {
        Endpoint fetch = camel.getEndpoint("direct:fetch");
        AsyncProducer producer = fetch.createAsyncProducer();
        producer.start();
        CountDownLatch done = new CountDownLatch(items);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong retries = new AtomicLong();
        long t0 = System.nanoTime();
        for (int i = 1; i <= items; i++) {
            Exchange ex = fetch.createExchange();
            ex.getMessage().setHeader("itemId", i);
            producer.process(ex, sync -> {
                retries.addAndGet(ex.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class));
                if (ex.getException() == null) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                done.countDown();
            });
        }
        System.out.printf(Locale.ROOT, "fired %d exchanges from one thread in %d ms; they now wait in the limiter%n",
                items, (System.nanoTime() - t0) / 1_000_000);
        RateLimitComponent rl = camel.getComponent("ratelimit", RateLimitComponent.class);
        while (!done.await(1, TimeUnit.SECONDS)) {
            progress(rl, items, ok.get(), failed.get(), retries.get(), (System.nanoTime() - t0) / 1e9);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        progress(rl, items, ok.get(), failed.get(), retries.get(), seconds);
        System.out.println();
        producer.stop();
        return new Summary(items, ok.get(), failed.get(), retries.get(), seconds);
    }

    private static LimiterSnapshot snapshot(RateLimitComponent rl) {
        RateLimiter l = rl.getLimiter("provider");
        if (l == null) {
            return null;
        }
        return l.store().snapshot(l.name(), l.config()).toCompletableFuture().join();
    }

    private static void progress(RateLimitComponent rl, int items, int ok, int failed, long retries, double t) {
        LimiterSnapshot s = snapshot(rl);
        RateLimiter l = rl.getLimiter("provider");
        int finished = ok + failed;
        int width = 30;
        int filled = (int) Math.round(width * (double) finished / items);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        System.out.printf(Locale.ROOT, "\r[%s] %4d/%d  %5.1fs  rate %5.1f/s  429s %3d  retries %3d  waiting %4d  failed %d ",
                bar, finished, items, t, s == null ? 0.0 : s.rate(), s == null ? 0 : s.throttled(), retries,
                l == null ? 0 : l.pending(), failed);
        System.out.flush();
    }

    private static void print(Summary s, ProviderSimulator sim, CamelContext camel) {
        LimiterSnapshot snap = snapshot(camel.getComponent("ratelimit", RateLimitComponent.class));
        long requests = sim != null ? sim.stats().requests() : s.ok() + s.failed() + s.retries();
        long throttled = sim != null ? sim.stats().throttled() : snap == null ? 0 : snap.throttled();
        String rows = String.join("\n",
                row("requests sent to the provider", Long.toString(requests)),
                row("exchanges delivered", s.ok() + " of " + s.items()),
                row("exchanges failed", Integer.toString(s.failed())),
                row("429 responses", throttled + String.format(Locale.ROOT, " (%.1f per 100 successes)",
                        s.ok() == 0 ? 0.0 : 100.0 * throttled / s.ok())),
                row("retries (redeliveries)", Long.toString(s.retries())),
                row("rate cuts", snap == null ? "-" : Long.toString(snap.cuts())),
                row("final permitted rate", snap == null ? "-" : String.format(Locale.ROOT, "%.1f/s", snap.rate())),
                row("achieved goodput", String.format(Locale.ROOT, "%.1f/s", s.ok() / s.seconds())
                        + (sim == null ? "" : String.format(Locale.ROOT, " (capacity %.1f/s)", sim.currentCapacity()))),
                row("wall time", String.format(Locale.ROOT, "%.1f s", s.seconds())));
        String line = "+" + "-".repeat(34) + "+" + "-".repeat(34) + "+";
        System.out.println(line);
        System.out.println(rows);
        System.out.println(line);
        System.out.println(s.failed() == 0 ? "every exchange delivered; none lost"
                : s.failed() + " exchanges failed with a clear exception; none lost");
    }

    private static String row(String k, String v) {
        return String.format(Locale.ROOT, "| %-32s | %-32s |", k, v);
    }

    /** How long the demo ran, for tests. */
    static Duration of(Summary s) {
        return Duration.ofMillis((long) (s.seconds() * 1000));
    }
}
