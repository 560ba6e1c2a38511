package io.github.camelratelimit.benchmarks;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterState;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The adaptive scenario in virtual time: the real {@link LimiterState} (the whole algorithm) driven by a model of
 * the enforcer (one FIFO queue, one wake-up), a client that keeps {@code inFlight} exchanges going and redelivers
 * a throttled one through the limiter again, and a token-bucket provider whose capacity follows a schedule and
 * answers 429 with {@code Retry-After} in whole seconds (rounded up, at least 1) or with none.
 *
 * <p>Deterministic and fast (a 60 s run takes milliseconds), so the adaptive defaults can be tuned over many
 * schedules; {@link AdaptiveScenario} then checks the result against real HTTP, threads and Camel. The model leaves
 * out what the real run adds: HTTP latency jitter, thread scheduling, Camel's redelivery machinery.
 *
 * <p>Metrics follow {@link AdaptiveScenario}'s definitions, computed on the provider's per-second counts.
 */
public final class AdaptiveModel {

    /** A capacity phase: {@code seconds} long at {@code capacity} permits/s. */
    public record Phase(double seconds, double capacity) {
    }

    /** Per-second provider counts and the limiter's rate sampled at each second's start. */
    public record Run(long[] ok, long[] throttled, double[] rate, double[] capacity, long cuts, int lost) {

        double sum(long[] a, int from, int to) {
            return Convergence.sum(a, from, to);
        }

        double capacitySum(int from, int to) {
            double s = 0;
            for (int i = from; i < Math.min(to, capacity.length); i++) {
                s += capacity[i];
            }
            return s;
        }

        /** Successes over capacity in [from, to) seconds. */
        public double goodput(int from, int to) {
            return sum(ok, from, to) / capacitySum(from, to);
        }

        /** 429s per 100 successes in [from, to). */
        public double throttledPer100(int from, int to) {
            double s = sum(ok, from, to);
            return s == 0 ? Double.NaN : 100 * sum(throttled, from, to) / s;
        }

        /** {@link Convergence#settle} after a drop at {@code at} to {@code capacity}. */
        public int settle(int at, int end, double capacity) {
            return Convergence.settle(ok, throttled, capacity, at, end);
        }

        /** {@link Convergence#reach} after a rise at {@code at} to {@code capacity}. */
        public int reach(int at, int end, double capacity) {
            return Convergence.reach(ok, capacity, at, end);
        }
    }

    private static final long S = 1_000_000_000L;

    private final LimiterConfig config;
    private final List<Phase> schedule;
    private final boolean retryAfter;
    private final int inFlight;
    private final long oneWayNanos;
    private final double burst;
    private final int maxRedeliveries;
    private final int seconds;
    // latency jitter (see withJitter): each one-way trip takes oneWayNanos plus a uniform draw in [0, jitterNanos)
    private long jitterNanos;
    private java.util.Random jitterRandom;

    public AdaptiveModel(LimiterConfig config, List<Phase> schedule, boolean retryAfter, int inFlight,
            long oneWayNanos) {
        this(config, schedule, retryAfter, inFlight, oneWayNanos, schedule.get(0).capacity());
    }

    public AdaptiveModel(LimiterConfig config, List<Phase> schedule, boolean retryAfter, int inFlight,
            long oneWayNanos, double burst) {
        this.config = config;
        this.schedule = schedule;
        this.retryAfter = retryAfter;
        this.inFlight = inFlight;
        this.oneWayNanos = oneWayNanos;
        this.burst = burst;
        this.maxRedeliveries = 10;
        double total = 0;
        for (Phase p : schedule) {
            total += p.seconds();
        }
        this.seconds = (int) Math.round(total);
    }

    /**
     * Adds a seeded, uniform jitter in [0, {@code nanos}) to every one-way trip (the real run's HTTP latency and
     * thread scheduling vary; the model's trips are otherwise all alike). Returns this model.
     */
    AdaptiveModel withJitter(long nanos, long seed) {
        this.jitterNanos = nanos;
        this.jitterRandom = new java.util.Random(seed);
        return this;
    }

    /** One one-way trip: the scenario's latency, plus the jitter when there is one. */
    private long trip() {
        return jitterNanos == 0 ? oneWayNanos : oneWayNanos + (long) (jitterRandom.nextDouble() * jitterNanos);
    }

    double capacityAt(long t) {
        double s = t / (double) S;
        double end = 0;
        for (Phase p : schedule) {
            end += p.seconds();
            if (s < end) {
                return p.capacity();
            }
        }
        return schedule.get(schedule.size() - 1).capacity();
    }

    private record Event(long at, long seq, int kind, Exchange exchange) {
    }

    private static final class Exchange {
        int attempts;
        long grantedAt;
        long retryAfterNanos;
    }

    private static final int WAKE = 0;
    private static final int ARRIVE = 1;
    private static final int RESPONSE_OK = 2;
    private static final int RESPONSE_THROTTLED = 3;

    /** Runs the schedule (plus up to 60 s to finish) and returns the per-second counts. */
    public Run run() {
        LimiterState state = new LimiterState(config);
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
                : Long.compare(a.seq, b.seq));
        long[] seq = {0};
        ArrayDeque<Exchange> queue = new ArrayDeque<>();
        long[] ok = new long[seconds];
        long[] thr = new long[seconds];
        double[] rate = new double[seconds];
        double[] cap = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            cap[i] = capacityAt(i * S + S / 2);
        }
        long end = seconds * S;
        double tokens = burst;
        long bucketAt = 0;
        long wakeAt = Long.MAX_VALUE;
        int lost = 0;
        int sampled = 0;
        Consumer<Event> push = events::add;
        for (int i = 0; i < inFlight; i++) {
            queue.add(new Exchange());
        }
        push.accept(new Event(0, seq[0]++, WAKE, null));
        wakeAt = 0;
        while (!events.isEmpty()) {
            Event e = events.poll();
            long now = e.at;
            if (now > end + 60 * S) {
                break;
            }
            while (sampled < seconds && sampled * S <= now) {
                rate[sampled] = state.rate(sampled * S);
                sampled++;
            }
            switch (e.kind) {
                case WAKE -> {
                    if (now != wakeAt) {
                        continue; // superseded
                    }
                    wakeAt = Long.MAX_VALUE;
                }
                case ARRIVE -> {
                    // refill the bucket up to now, piecewise per capacity phase (1 ms steps are exact enough)
                    while (bucketAt < now) {
                        long step = Math.min(now - bucketAt, S / 1000);
                        tokens = Math.min(burst, tokens + capacityAt(bucketAt) * step / (double) S);
                        bucketAt += step;
                    }
                    int sec = (int) (now / S);
                    if (tokens >= 1) {
                        tokens -= 1;
                        if (sec < seconds) {
                            ok[sec]++;
                        }
                        push.accept(new Event(now + trip(), seq[0]++, RESPONSE_OK, e.exchange));
                    } else {
                        if (sec < seconds) {
                            thr[sec]++;
                        }
                        double c = capacityAt(now);
                        long waitNanos = c <= 0 ? 3600 * S : (long) Math.ceil((1 - tokens) / c * S);
                        e.exchange.retryAfterNanos = Math.max(1, (waitNanos + S - 1) / S) * S;
                        push.accept(new Event(now + trip(), seq[0]++, RESPONSE_THROTTLED, e.exchange));
                    }
                    continue;
                }
                case RESPONSE_OK -> {
                    state.record(Feedback.success(e.exchange.grantedAt, 200), now);
                    if (now < end) {
                        queue.add(new Exchange());
                    }
                }
                case RESPONSE_THROTTLED -> {
                    long ra = retryAfter ? e.exchange.retryAfterNanos : -1L;
                    state.record(Feedback.throttled(e.exchange.grantedAt, 429, ra), now);
                    Exchange x = e.exchange;
                    x.attempts++;
                    if (x.attempts > maxRedeliveries) {
                        lost++;
                        if (now < end) {
                            queue.add(new Exchange());
                        }
                    } else {
                        queue.add(x);
                    }
                }
                default -> throw new IllegalStateException();
            }
            // drain
            while (!queue.isEmpty()) {
                Acquisition a = state.tryAcquire(now);
                if (!a.granted()) {
                    long at = now + a.waitNanos();
                    if (at < wakeAt) {
                        wakeAt = at;
                        push.accept(new Event(at, seq[0]++, WAKE, null));
                    }
                    break;
                }
                Exchange x = queue.poll();
                x.grantedAt = a.grantedAt();
                push.accept(new Event(now + trip(), seq[0]++, ARRIVE, x));
            }
        }
        lost += queue.size();
        return new Run(ok, thr, rate, cap, state.snapshot(end).cuts(), lost);
    }

    /** The issue's schedule: 50/s for 15 s, 20/s for 15 s, 80/s for 30 s. */
    public static List<Phase> issueSchedule() {
        return List.of(new Phase(15, 50), new Phase(15, 20), new Phase(30, 80));
    }

    private static String fmt(int s) {
        return s < 0 ? "never" : Integer.toString(s);
    }

    /** A scenario of the model: a capacity schedule, the provider's burst, one-way latency, exchanges in flight. */
    record Scenario(String name, List<Phase> schedule, double burst, long oneWayNanos, int inFlight, double maxRate) {
    }

    /** The scenarios the defaults were tuned on: the issue's schedule and five others, each with and without Retry-After. */
    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("50 -> 20 -> 80/s, burst 50, 2 ms (the issue's)", issueSchedule(), 50, 2_000_000L, 64, 100),
            new Scenario("50 -> 20 -> 80/s, burst 5, 50 ms", issueSchedule(), 5, 50_000_000L, 64, 100),
            new Scenario("steady 25/s, burst 25, 2 ms, maxRate 60", List.of(new Phase(60, 25)), 25, 2_000_000L, 64, 60),
            new Scenario("steady 25/s, burst 5, 2 ms, maxRate 60 (the demo's)", List.of(new Phase(60, 25)), 5,
                    2_000_000L, 64, 60),
            new Scenario("10 -> 40 -> 5 -> 30/s, burst 10, 100 ms, maxRate 60", List.of(new Phase(15, 10),
                    new Phase(15, 40), new Phase(15, 5), new Phase(15, 30)), 10, 100_000_000L, 64, 60),
            new Scenario("500 -> 200 -> 800/s, burst 500, 2 ms, maxRate 1000", List.of(new Phase(15, 500),
                    new Phase(15, 200), new Phase(30, 800)), 500, 2_000_000L, 512, 1000));

    /** The model's table for {@code config} (maxRate taken from each scenario), as AsciiDoc rows. */
    static String rows(LimiterConfig config) {
        StringBuilder t = new StringBuilder();
        for (Scenario sc : SCENARIOS) {
            for (boolean ra : new boolean[] {true, false}) {
                LimiterConfig c = config.toBuilder().maxRate(sc.maxRate()).build();
                Run r = new AdaptiveModel(c, sc.schedule(), ra, sc.inFlight(), sc.oneWayNanos(), sc.burst()).run();
                t.append(cells(sc.name() + (ra ? ", Retry-After" : ", no Retry-After"), r, sc.schedule()));
            }
        }
        return t.toString();
    }

    /** One AsciiDoc row: scenario, steady goodput (last third of every phase), overall, 429s/100, moves, cuts, lost. */
    static String cells(String name, Run r, List<Phase> schedule) {
        StringBuilder moves = new StringBuilder();
        for (Move m : moves(r, schedule)) {
            moves.append(moves.length() == 0 ? "" : ", ").append(m.drop() ? "drop " : "rise ").append(fmt(m.seconds()));
        }
        return String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %s | %d | %d%n", name, steady(r, schedule),
                r.goodput(0, r.ok.length), r.throttledPer100(0, r.ok.length), moves.length() == 0 ? "-" : moves,
                r.cuts(), r.lost());
    }

    /** Steady goodput: successes over capacity in the last third of every phase. */
    static double steady(Run r, List<Phase> schedule) {
        double okSum = 0;
        double capSum = 0;
        double at = 0;
        for (Phase ph : schedule) {
            int from = (int) Math.round(at + ph.seconds() * 2 / 3);
            int to = (int) Math.round(at + ph.seconds());
            okSum += r.sum(r.ok, from, to);
            capSum += r.capacitySum(from, to);
            at += ph.seconds();
        }
        return okSum / capSum;
    }

    /** A change of capacity: a drop (seconds to settle) or a rise (seconds to reach); -1 when never. */
    record Move(boolean drop, int seconds) {
    }

    /** {@link Run#settle} after every drop and {@link Run#reach} after every rise of {@code schedule}, in order. */
    static List<Move> moves(Run r, List<Phase> schedule) {
        List<Move> moves = new java.util.ArrayList<>();
        double at = schedule.get(0).seconds();
        for (int p = 1; p < schedule.size(); p++) {
            Phase ph = schedule.get(p);
            int to = (int) Math.round(at + ph.seconds());
            boolean drop = ph.capacity() < schedule.get(p - 1).capacity();
            moves.add(new Move(drop, drop ? r.settle((int) at, to, ph.capacity()) : r.reach((int) at, to, ph.capacity())));
            at += ph.seconds();
        }
        return moves;
    }

    /** One-way latencies added to every scenario's own by {@link #latencies(LimiterConfig)}: 0 to 11 ms. */
    static final long[] EXTRA_LATENCIES = {0, 500_000L, 1_000_000L, 2_000_000L, 3_000_000L, 5_000_000L, 7_000_000L,
            11_000_000L};

    /**
     * How much of each row is a probe's lucky or unlucky timing: every scenario with the one-way latencies of
     * {@link #EXTRA_LATENCIES} added, as AsciiDoc rows: means of steady, overall and 429s/100, and each run's moves.
     */
    static String latencies(LimiterConfig config) {
        StringBuilder t = new StringBuilder();
        for (Scenario sc : SCENARIOS) {
            for (boolean ra : new boolean[] {true, false}) {
                LimiterConfig c = config.toBuilder().maxRate(sc.maxRate()).build();
                double[] sum = new double[3];
                StringBuilder moves = new StringBuilder();
                for (long extra : EXTRA_LATENCIES) {
                    Run r = new AdaptiveModel(c, sc.schedule(), ra, sc.inFlight(), sc.oneWayNanos() + extra,
                            sc.burst()).run();
                    String[] cell = cells("", r, sc.schedule()).split("\\|");
                    for (int i = 0; i < 3; i++) {
                        sum[i] += Double.parseDouble(cell[i + 2].trim());
                    }
                    moves.append(moves.length() == 0 ? "" : "; ").append(cell[5].trim());
                }
                int n = EXTRA_LATENCIES.length;
                t.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %s%n",
                        sc.name() + (ra ? ", Retry-After" : ", no Retry-After"), sum[0] / n, sum[1] / n, sum[2] / n,
                        moves));
            }
        }
        return t.toString();
    }

    /**
     * How much of a rise is where the last probe happened to be: the schedules shaped like the issue's (50 -> 20 ->
     * 80/s, scaled) with the 20/s phase 10 to 19.5 s long in steps of 0.5 s, so the rise comes at 20 points of the
     * probe cycle. One row per schedule and Retry-After mode, as AsciiDoc: means of overall goodput and 429s/100,
     * the runs that settled more than 5 s after the drop (or never), the mean rise and the rises never reached.
     */
    static String shifts(LimiterConfig config) {
        StringBuilder t = new StringBuilder();
        for (Scenario sc : SCENARIOS) {
            List<Phase> base = sc.schedule();
            if (base.size() != 3 || base.get(1).capacity() >= base.get(2).capacity()) {
                continue;
            }
            for (boolean ra : new boolean[] {true, false}) {
                LimiterConfig c = config.toBuilder().maxRate(sc.maxRate()).build();
                double overall = 0;
                double throttles = 0;
                int late = 0;
                int riseSum = 0;
                int never = 0;
                int n = 20;
                for (int i = 0; i < n; i++) {
                    double mid = 10 + i * 0.5;
                    List<Phase> schedule = List.of(base.get(0), new Phase(mid, base.get(1).capacity()),
                            new Phase(60 - base.get(0).seconds() - mid, base.get(2).capacity()));
                    Run r = new AdaptiveModel(c, schedule, ra, sc.inFlight(), sc.oneWayNanos(), sc.burst()).run();
                    overall += r.goodput(0, r.ok.length);
                    throttles += r.throttledPer100(0, r.ok.length);
                    int dropAt = (int) Math.round(base.get(0).seconds());
                    int riseAt = (int) Math.round(base.get(0).seconds() + mid);
                    int settle = r.settle(dropAt, riseAt, base.get(1).capacity());
                    late += settle < 0 || settle > 5 ? 1 : 0;
                    int rise = r.reach(riseAt, r.ok.length, base.get(2).capacity());
                    if (rise < 0) {
                        never++;
                    } else {
                        riseSum += rise;
                    }
                }
                t.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %d | %s | %d%n",
                        sc.name() + (ra ? ", Retry-After" : ", no Retry-After"), overall / n, throttles / n, late,
                        never == n ? "-" : String.format(Locale.ROOT, "%.1f", riseSum / (double) (n - never)), never));
            }
        }
        return t.toString();
    }

    /** Jitters of {@link #jitters}: uniform 0 to 2, 10 and 30 ms added to every one-way trip. */
    static final long[] JITTERS = {2_000_000L, 10_000_000L, 30_000_000L};
    /** Seeds per jitter in {@link #jitters}. */
    static final int JITTER_SEEDS = 12;

    /**
     * How much a real run's varying latency moves the issue's scenario: with each of {@link #JITTERS},
     * {@link #JITTER_SEEDS} seeded runs per Retry-After mode; AsciiDoc rows: mode, jitter, each seed's drop and rise
     * (as "drop/rise" seconds), the drops later than 5 s (or never), means of overall goodput and 429s/100.
     */
    static String jitters(LimiterConfig config) {
        StringBuilder t = new StringBuilder();
        Scenario sc = SCENARIOS.get(0);
        LimiterConfig c = config.toBuilder().maxRate(sc.maxRate()).build();
        for (boolean ra : new boolean[] {true, false}) {
            for (long jitter : JITTERS) {
                StringBuilder moves = new StringBuilder();
                int late = 0;
                double overall = 0;
                double throttles = 0;
                for (int seed = 1; seed <= JITTER_SEEDS; seed++) {
                    Run r = new AdaptiveModel(c, sc.schedule(), ra, sc.inFlight(), sc.oneWayNanos(), sc.burst())
                            .withJitter(jitter, seed).run();
                    int drop = r.settle(15, 30, 20);
                    late += drop < 0 || drop > 5 ? 1 : 0;
                    moves.append(moves.length() == 0 ? "" : ", ").append(fmt(drop)).append('/')
                            .append(fmt(r.reach(30, r.ok.length, 80)));
                    overall += r.goodput(0, r.ok.length);
                    throttles += r.throttledPer100(0, r.ok.length);
                }
                t.append(String.format(Locale.ROOT, "| %s | 0-%d ms | %s | %d of %d | %.3f | %.2f%n",
                        ra ? "Retry-After" : "no Retry-After", jitter / 1_000_000, moves, late, JITTER_SEEDS,
                        overall / JITTER_SEEDS, throttles / JITTER_SEEDS));
            }
        }
        return t.toString();
    }

    /** Seeds per jitter in {@link #seeds}. */
    static final int MEAN_SEEDS = 40;

    /**
     * Every scenario as seeded runs instead of one timeline: {@link #MEAN_SEEDS} seeds for each of {@link #JITTERS}
     * (a single run's figures hang on where its probes fall, see {@link #shifts}); AsciiDoc rows: scenario and mode,
     * means of steady, overall and 429s/100, the drops that settled later than 5 s (or never) and the mean rise of
     * those that reached 0.9 of the new capacity, with how many never did.
     */
    static String seeds(LimiterConfig config) {
        StringBuilder t = new StringBuilder();
        for (Scenario sc : SCENARIOS) {
            for (boolean ra : new boolean[] {true, false}) {
                LimiterConfig c = config.toBuilder().maxRate(sc.maxRate()).build();
                double steady = 0;
                double overall = 0;
                double throttles = 0;
                int runs = 0;
                int drops = 0;
                int late = 0;
                int rises = 0;
                int never = 0;
                double riseSum = 0;
                for (long jitter : JITTERS) {
                    for (int seed = 1; seed <= MEAN_SEEDS; seed++) {
                        Run r = new AdaptiveModel(c, sc.schedule(), ra, sc.inFlight(), sc.oneWayNanos(), sc.burst())
                                .withJitter(jitter, seed).run();
                        runs++;
                        overall += r.goodput(0, r.ok.length);
                        throttles += r.throttledPer100(0, r.ok.length);
                        for (Move m : moves(r, sc.schedule())) {
                            if (m.drop()) {
                                drops++;
                                late += m.seconds() < 0 || m.seconds() > 5 ? 1 : 0;
                            } else {
                                rises++;
                                if (m.seconds() < 0) {
                                    never++;
                                } else {
                                    riseSum += m.seconds();
                                }
                            }
                        }
                        steady += steady(r, sc.schedule());
                    }
                }
                t.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %s | %s | %s%n",
                        sc.name() + (ra ? ", Retry-After" : ", no Retry-After"), steady / runs, overall / runs,
                        throttles / runs, drops == 0 ? "-" : late + " of " + drops,
                        rises == never ? "-" : String.format(Locale.ROOT, "%.1f", riseSum / (rises - never)),
                        rises == 0 ? "-" : never + " of " + rises));
            }
        }
        return t.toString();
    }

    /**
     * Prints the model's table for the defaults; with the argument {@code latencies}, the means over
     * {@link #EXTRA_LATENCIES} instead; with {@code shifts}, {@link #shifts}; with {@code jitters}, {@link #jitters};
     * with {@code seeds}, {@link #seeds}.
     */
    public static void main(String[] args) {
        LimiterConfig d = LimiterConfig.defaults();
        String mode = args.length > 0 ? args[0] : "";
        System.out.print(mode.equals("latencies") ? latencies(d) : mode.equals("shifts") ? shifts(d)
                : mode.equals("jitters") ? jitters(d) : mode.equals("seeds") ? seeds(d) : rows(d));
    }
}
