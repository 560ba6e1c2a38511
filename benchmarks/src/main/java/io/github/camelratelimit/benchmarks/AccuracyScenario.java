package io.github.camelratelimit.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimiterListener;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Accuracy: does a saturated limiter start calls at the configured rate, and never more than the limit in any
 * window? For each rate, one route {@code direct -> ratelimit:noop} is kept busy by a feeder that keeps a
 * backlog of waiting exchanges; the no-op endpoint records when each call started.
 *
 * <pre>
 * achieved     = (n - 1) / (t_last - t_first)        over the starts in the measured period (after 1 s warm-up)
 * max in 1 s   = the most starts in any half-open window [t, t + 1 s), over the whole run (warm-up included),
 *                of the calls' start times (what a provider sees) and of the limiter's grant times
 * dispatch     = start - grant of the k-th call (grants and starts each sorted, paired by rank)
 * eaten        = max over k of (g[k + n] - g[k]) - (s[k + n] - s[k]), n = the rate: how much of the spacing of
 *                n grants the dispatch jitter took away from their starts. Starts stay within n per 1 s while
 *                it is below the limiter's dispatch guard (1 ms per second of window).
 * </pre>
 *
 * Two runs: pacing only ({@code maxRate=r}), and pacing with the strict quota ({@code quota=r, quotaWindow=1s}).
 * All rates of one run share a CamelContext (one scheduler thread, one worker pool), as limiters of one
 * application do.
 */
final class AccuracyScenario {

    static final double[] RATES = {1, 10, 100, 1000, 5000};

    record Row(String mode, double rate, int starts, double achieved, int maxIn1s, int maxGrantsIn1s, int slips,
            long failed, Dispatch dispatch) {
        double ratio() {
            return achieved / rate;
        }
    }

    static List<Row> run(boolean quota, Duration measure) throws Exception {
        Duration warm = Duration.ofSeconds(1);
        NoOpComponent noop = new NoOpComponent();
        List<NoOpComponent.StartRecorder> recorders = new ArrayList<>();
        for (double r : RATES) {
            recorders.add(noop.record("acc" + (long) r, (int) (r * (measure.toSeconds() + warm.toSeconds() + 5) + 100)));
        }
        CamelContext camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(2); // seconds; exchanges still waiting at the end are not served
        camel.addComponent("noop", noop);
        // the limiter's own grant times (its clock is System.nanoTime), next to the calls' start times
        java.util.Map<String, NoOpComponent.StartRecorder> grants = new java.util.HashMap<>();
        for (double r : RATES) {
            grants.put("acc" + (long) r, new NoOpComponent.StartRecorder(
                    (int) (r * (measure.toSeconds() + warm.toSeconds() + 5) + 100)));
        }
        camel.getComponent("ratelimit", RateLimitComponent.class).setListener(new RateLimiterListener() {
            @Override
            public void onGranted(String limiter, Permit permit) {
                grants.get(limiter).record(permit.grantedAt());
            }
        });
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (double r : RATES) {
                    long n = (long) r;
                    String uri = "ratelimit:noop:acc" + n + "?limiter=acc" + n + "&maxRate=" + n + "&minRate=1&maxWait=60s"
                            + (quota ? "&quota=" + n + "&quotaWindow=1s" : "");
                    from("direct:acc" + n).to(uri);
                }
            }
        });
        camel.start();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> feeders = new ArrayList<>();
        List<AtomicLong> failures = new ArrayList<>();
        List<AsyncSender> senders = new ArrayList<>();
        for (double r : RATES) {
            long n = (long) r;
            AsyncSender sender = new AsyncSender(camel, "direct:acc" + n);
            senders.add(sender);
            AtomicLong failed = new AtomicLong();
            failures.add(failed);
            // a backlog of about half a second (at least 4, at most 2000) keeps the limiter saturated
            Semaphore backlog = new Semaphore((int) Math.max(4, Math.min(2000, r / 2)));
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        if (!backlog.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    sender.send("x", ex -> {
                        if (ex.getException() != null) {
                            failed.incrementAndGet();
                        }
                        backlog.release();
                    });
                }
            }, "accuracy-feeder-" + n);
            t.setDaemon(true);
            feeders.add(t);
        }
        long t0 = System.nanoTime();
        feeders.forEach(Thread::start);
        long from = t0 + warm.toNanos();
        long to = from + measure.toNanos();
        Timing.sleepUntil(to);
        running.set(false);
        for (Thread t : feeders) {
            t.join(5_000);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < RATES.length; i++) {
            long[] all = recorders.get(i).starts();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            int n = 0;
            for (long s : all) {
                if (s >= from && s < to) {
                    first = Math.min(first, s);
                    last = Math.max(last, s);
                    n++;
                }
            }
            long[] upTo = java.util.Arrays.stream(all).filter(s -> s < to).toArray();
            long[] granted = java.util.Arrays.stream(grants.get("acc" + (long) RATES[i]).starts())
                    .filter(s -> s < to).toArray();
            double achieved = n > 1 ? (n - 1) / ((last - first) / 1e9) : 0;
            Dispatch d = dispatch(granted, upTo, (int) RATES[i]);
            Row row = new Row(quota ? "maxRate + quota" : "maxRate", RATES[i], n, achieved,
                    ProviderSimulator.maxInWindow(upTo, Duration.ofSeconds(1)),
                    ProviderSimulator.maxInWindow(granted, Duration.ofSeconds(1)), slips(granted, from, RATES[i]),
                    failures.get(i).get(), d);
            rows.add(row);
            System.out.printf(java.util.Locale.ROOT,
                    "%s %,.0f/s: achieved %.4f, max in 1 s starts %d grants %d, slips %d; dispatch p50 %.1f us,"
                            + " p99 %.1f us, max %.1f us; spacing of %d grants eaten by dispatch: max %.1f us%n",
                    row.mode(), row.rate(), row.ratio(), row.maxIn1s(), row.maxGrantsIn1s(), row.slips(),
                    d.p50Nanos() / 1e3, d.p99Nanos() / 1e3, d.maxNanos() / 1e3, (int) RATES[i], d.eatenNanos() / 1e3);
        }
        senders.forEach(AsyncSender::close);
        camel.close();
        return rows;
    }

    /** Dispatch delay (start - grant, paired by rank) percentiles and the most spacing it took from n grants. */
    record Dispatch(long p50Nanos, long p99Nanos, long maxNanos, long eatenNanos) {
    }

    static Dispatch dispatch(long[] grants, long[] starts, int n) {
        long[] g = grants.clone();
        long[] s = starts.clone();
        java.util.Arrays.sort(g);
        java.util.Arrays.sort(s);
        int m = Math.min(g.length, s.length);
        if (m == 0) {
            return new Dispatch(0, 0, 0, 0);
        }
        long[] d = new long[m];
        for (int k = 0; k < m; k++) {
            d[k] = s[k] - g[k];
        }
        long eaten = Long.MIN_VALUE;
        for (int k = 0; k + n < m; k++) {
            eaten = Math.max(eaten, (g[k + n] - g[k]) - (s[k + n] - s[k]));
        }
        java.util.Arrays.sort(d);
        return new Dispatch(d[m / 2], d[(int) Math.min(m - 1, (long) Math.ceil(m * 0.99) - 1)], d[m - 1],
                eaten == Long.MIN_VALUE ? 0 : eaten);
    }

    /**
     * Grants in the measured period that came more than 1.5 intervals after the previous one: the limiter's grid
     * slipped (a wake-up came later than one interval), and the time lost is not made up.
     */
    static int slips(long[] grants, long from, double rate) {
        long[] g = grants.clone();
        java.util.Arrays.sort(g);
        double limit = 1.5e9 / rate;
        int n = 0;
        for (int i = 1; i < g.length; i++) {
            if (g[i] >= from && g[i] - g[i - 1] > limit) {
                n++;
            }
        }
        return n;
    }

    private AccuracyScenario() {
    }
}
