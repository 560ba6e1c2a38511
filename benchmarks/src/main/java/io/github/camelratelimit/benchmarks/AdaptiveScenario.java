package io.github.camelratelimit.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.github.camelratelimit.simulator.ProviderSimulator;
import io.github.camelratelimit.simulator.ProviderSimulator.Phase;
import io.github.camelratelimit.simulator.ProviderSimulator.RetryAfterMode;
import io.github.camelratelimit.simulator.RecordedRequest;

/**
 * Adaptive goodput: each client calls its own {@link ProviderSimulator} whose token bucket (burst = 1 s of the
 * first capacity) follows the hidden schedule 50/s for 15 s, 20/s for 15 s, 80/s for 30 s, answering 429 with
 * (or without) Retry-After. A closed loop keeps {@value #CONCURRENCY} exchanges in flight per client for
 * {@link #RUN}, so every client always has more work than the provider allows; then it waits up to
 * {@link #DRAIN} for the exchanges still in flight. Before the schedule starts, each client makes
 * {@value #WARMUP_CALLS} calls (within the provider's burst) so start-up costs do not count. The provider's records give, per second, the 2xx and 429
 * replies; the client's permitted rate is sampled every 250 ms. All clients run at once, each against its own
 * provider (the load is light: at most a few hundred requests per second in all).
 *
 * <pre>
 * goodput/capacity (steady)  = 2xx in [10,15) + [25,30) + [50,60) s  /  capacity x time there  (= 1150)
 * goodput/capacity (overall) = 2xx in [0,60) s / 3450 (the capacity integral; the full bucket at t=0 adds 50)
 * 429s per 100 successes     = 100 x 429s in [0,60) / 2xx in [0,60)
 * re-converged after drop    = first s >= 15 from which every window [s', s'+3) up to 30 s has
 *                              2xx >= 0.9 x 20 x 3 and 429s <= 2 % of 2xx
 * reached after rise         = first s >= 30 with 2xx over [s, s+3) >= 0.9 x 80 x 3
 * exchanges lost             = failed after the client's retries + still unfinished {@link #DRAIN} after the run
 * </pre>
 */
final class AdaptiveScenario {

    static final List<Phase> SCHEDULE = List.of(new Phase(Duration.ofSeconds(15), 50),
            new Phase(Duration.ofSeconds(15), 20), new Phase(Duration.ofSeconds(30), 80));
    static final int SECONDS = 60;
    static final Duration RUN = Duration.ofSeconds(SECONDS);
    static final Duration DRAIN = Duration.ofSeconds(60);
    static final int CONCURRENCY = 64;
    static final double SAMPLE_SECONDS = 0.25;
    static final int WARMUP_CALLS = 20;

    /** A client to measure: id for file names, label for tables and charts, repetition (1, 2, ...). */
    record Spec(String id, String label, RetryAfterMode mode, Supplier<AdaptiveClient> client, int rep) {
    }

    /** What one client did. Per-second arrays cover [0, 60) s. */
    record Trace(Spec spec, long[] ok, long[] throttled, double[] sampleAt, double[] permitted, long succeeded,
            long failed, long unfinished, long requests) {

        long sum(long[] a, int from, int to) {
            return Convergence.sum(a, from, to);
        }

        double steadyGoodput() {
            long ok = sum(this.ok, 10, 15) + sum(this.ok, 25, 30) + sum(this.ok, 50, 60);
            return ok / (50.0 * 5 + 20.0 * 5 + 80.0 * 10);
        }

        double overallGoodput() {
            return sum(ok, 0, SECONDS) / capacityIntegral();
        }

        double throttledPer100() {
            long ok = sum(this.ok, 0, SECONDS);
            return ok == 0 ? Double.POSITIVE_INFINITY : 100.0 * sum(throttled, 0, SECONDS) / ok;
        }

        /** Seconds after the drop at 15 s until converged for good ({@link Convergence#settle}); NaN when never. */
        double dropConvergence() {
            int s = Convergence.settle(ok, throttled, 20, 15, 30);
            return s < 0 ? Double.NaN : s;
        }

        /** Seconds after the rise at 30 s until goodput reached 0.9 of 80/s; NaN when not within the phase. */
        double riseConvergence() {
            int s = Convergence.reach(ok, 80, 30, SECONDS);
            return s < 0 ? Double.NaN : s;
        }

        long lost() {
            return failed + unfinished;
        }
    }

    static double capacityIntegral() {
        double c = 0;
        for (Phase p : SCHEDULE) {
            c += p.capacity() * p.duration().toSeconds();
        }
        return c;
    }

    static double capacityAt(double t) {
        double end = 0;
        for (Phase p : SCHEDULE) {
            end += p.duration().toSeconds();
            if (t < end) {
                return p.capacity();
            }
        }
        return SCHEDULE.get(SCHEDULE.size() - 1).capacity();
    }

    /** Runs every spec at once, each against its own provider; returns the traces in spec order. */
    static List<Trace> run(List<Spec> specs) throws Exception {
        int n = specs.size();
        List<ProviderSimulator> sims = new ArrayList<>();
        List<AdaptiveClient> clients = new ArrayList<>();
        for (Spec s : specs) {
            ProviderSimulator sim = ProviderSimulator.builder().capacitySchedule(SCHEDULE).retryAfter(s.mode())
                    .recordRequests(true).build();
            sim.start();
            sims.add(sim);
            AdaptiveClient c = s.client().get();
            c.start(sim.baseUrl());
            clients.add(c);
        }
        List<Semaphore> slots = new ArrayList<>();
        List<AtomicLong> succeeded = new ArrayList<>();
        List<AtomicLong> failed = new ArrayList<>();
        List<List<double[]>> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slots.add(new Semaphore(CONCURRENCY));
            succeeded.add(new AtomicLong());
            failed.add(new AtomicLong());
            samples.add(java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        // warm-up: 20 calls per client (within the provider's burst, so no 429 and no rate cut), so that class
        // loading, JIT and the first connections do not count; then every provider starts its schedule afresh
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(n * WARMUP_CALLS);
        for (AdaptiveClient c : clients) {
            for (int k = 0; k < WARMUP_CALLS; k++) {
                c.submit(ok -> warm.countDown());
            }
        }
        if (!warm.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("warm-up calls did not finish");
        }
        sims.forEach(ProviderSimulator::reset); // the schedule starts now, for every provider
        long t0 = System.nanoTime();
        long end = t0 + RUN.toNanos();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            double t = (System.nanoTime() - t0) / 1e9;
            for (int i = 0; i < n; i++) {
                double r;
                try {
                    r = clients.get(i).permittedRate();
                } catch (RuntimeException e) {
                    r = Double.NaN;
                }
                samples.get(i).add(new double[] {t, r});
            }
        }, 0, (long) (SAMPLE_SECONDS * 1000), TimeUnit.MILLISECONDS);
        List<Thread> feeders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            Thread t = new Thread(() -> {
                Semaphore slot = slots.get(k);
                while (System.nanoTime() < end) {
                    try {
                        if (!slot.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        clients.get(k).submit(ok -> {
                            (ok ? succeeded : failed).get(k).incrementAndGet();
                            slot.release();
                        });
                    } catch (RuntimeException e) {
                        failed.get(k).incrementAndGet();
                        slot.release();
                    }
                }
            }, "adaptive-feeder-" + specs.get(i).id());
            t.setDaemon(true);
            feeders.add(t);
            t.start();
        }
        Timing.sleepUntil(end);
        for (Thread t : feeders) {
            t.join(5_000);
        }
        sampler.shutdownNow();
        long drainEnd = end + DRAIN.toNanos();
        long[] unfinished = new long[n];
        for (int i = 0; i < n; i++) {
            long wait = Math.max(0, drainEnd - System.nanoTime());
            if (slots.get(i).tryAcquire(CONCURRENCY, wait, TimeUnit.NANOSECONDS)) {
                unfinished[i] = 0;
            } else {
                unfinished[i] = CONCURRENCY - slots.get(i).availablePermits();
            }
        }
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] ok = new long[SECONDS];
            long[] th = new long[SECONDS];
            List<RecordedRequest> reqs = sims.get(i).requests();
            for (RecordedRequest r : reqs) {
                long b = Math.floorDiv(r.arrivalNanos() - t0, 1_000_000_000L);
                if (b < 0 || b >= SECONDS) {
                    continue;
                }
                if (r.status() >= 200 && r.status() < 300) {
                    ok[(int) b]++;
                } else if (r.status() == 429) {
                    th[(int) b]++;
                }
            }
            List<double[]> s = new ArrayList<>(samples.get(i));
            double[] at = s.stream().mapToDouble(x -> x[0]).toArray();
            double[] rate = s.stream().mapToDouble(x -> x[1]).toArray();
            traces.add(new Trace(specs.get(i), ok, th, at, rate, succeeded.get(i).get(), failed.get(i).get(),
                    unfinished[i], reqs.size()));
        }
        for (int i = 0; i < n; i++) {
            clients.get(i).close();
            sims.get(i).stop();
        }
        return traces;
    }

    private AdaptiveScenario() {
    }
}
