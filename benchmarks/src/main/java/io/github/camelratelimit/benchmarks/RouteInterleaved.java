package io.github.camelratelimit.benchmarks;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

/**
 * Route overhead measured in one JVM: the plain route and the ratelimit route of {@link RouteOverheadBenchmark}
 * take turns in slices of {@value #SLICE_MILLIS} ms, so both run with the same JIT state, heap and machine
 * moment, and the ratio is taken slice pair by slice pair.
 *
 * <pre>
 * slices       = 2 * ROUNDS, alternating plain / ratelimit (the order flips every round), after WARM_ROUNDS
 * per slice    = messages sent by all threads in the slice / slice length     (msg/s)
 * ratio        = median over the rounds of (ratelimit slice / plain slice of the same round)
 * </pre>
 *
 * Why beside JMH: JMH runs each benchmark in its own forks, and on this machine the plain route alone moved by
 * up to a sixth from one JVM to the next, more than the component costs; here that difference cancels. The
 * price: both routes share the JIT's profile of Camel's common code, as in an application with more than one
 * route. Threads all send to the route of the current slice; a slice's boundaries come from one shared start
 * time, so they agree without locks.
 */
final class RouteInterleaved {

    static final int SLICE_MILLIS = 100;
    static final int WARM_ROUNDS = 20;
    static final int ROUNDS = 120;

    private RouteInterleaved() {
    }

    /** {median ratio, median plain msg/s, median ratelimit msg/s, lowest ratio, highest ratio}. */
    static double[] run(int threads) throws Exception {
        CamelContext camel = RouteOverheadBenchmark.startContext();
        try {
            int slices = 2 * (WARM_ROUNDS + ROUNDS);
            long[][] counts = new long[threads][slices];
            long sliceNanos = SLICE_MILLIS * 1_000_000L;
            CountDownLatch ready = new CountDownLatch(threads);
            long[] start = new long[1];
            CountDownLatch go = new CountDownLatch(1);
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                long[] mine = counts[t];
                ProducerTemplate template = camel.createProducerTemplate();
                workers[t] = new Thread(() -> {
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long origin = start[0];
                    for (;;) {
                        int slice = (int) ((System.nanoTime() - origin) / sliceNanos);
                        if (slice >= slices) {
                            return;
                        }
                        template.sendBody(limited(slice) ? "direct:limited" : "direct:plain", "x");
                        mine[slice]++;
                    }
                }, "interleaved-" + t);
                workers[t].start();
            }
            ready.await();
            start[0] = System.nanoTime();
            go.countDown(); // the latch publishes start[0] to the threads
            for (Thread w : workers) {
                w.join();
            }
            double[] ratios = new double[ROUNDS];
            double[] plain = new double[ROUNDS];
            double[] limited = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                int a = 2 * (WARM_ROUNDS + r);
                int b = a + 1;
                double pa = perSecond(counts, limited(a) ? b : a);
                double la = perSecond(counts, limited(a) ? a : b);
                plain[r] = pa;
                limited[r] = la;
                ratios[r] = la / pa;
            }
            Arrays.sort(ratios);
            Arrays.sort(plain);
            Arrays.sort(limited);
            return new double[] {ratios[ROUNDS / 2], plain[ROUNDS / 2], limited[ROUNDS / 2], ratios[0],
                    ratios[ROUNDS - 1]};
        } finally {
            camel.close();
        }
    }

    /** Round r has slices 2r and 2r + 1; the ratelimit slice comes second in even rounds, first in odd ones. */
    static boolean limited(int slice) {
        int round = slice / 2;
        return (slice % 2 == 1) == (round % 2 == 0);
    }

    private static double perSecond(long[][] counts, int slice) {
        long n = 0;
        for (long[] c : counts) {
            n += c[slice];
        }
        return n * 1000.0 / SLICE_MILLIS;
    }

    public static void main(String[] args) throws Exception {
        for (int threads : new int[] {1, 2}) {
            double[] r = run(threads);
            System.out.printf("threads %d: ratio %.3f [%.3f - %.3f], plain %,.0f msg/s, ratelimit %,.0f msg/s%n",
                    threads, r[0], r[3], r[4], r[1], r[2]);
        }
    }
}
