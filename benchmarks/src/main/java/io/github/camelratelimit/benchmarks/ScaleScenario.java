package io.github.camelratelimit.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.RateLimitExceededException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;

/**
 * Scale: {@value #WAITING} exchanges waiting on one limiter ({@code maxRate=1}, so they all queue). Measures the
 * JVM's live threads before and while they wait, the heap they hold (after a full GC), and compares it with the
 * heap the same number of bare exchanges holds, so the limiter's own share per waiter is visible. Then stops the
 * CamelContext and checks that every waiter got an answer (a permit or a STOPPED rejection).
 */
final class ScaleScenario {

    static final int WAITING = 10_000;

    record Result(int waiting, int threadsBefore, int threadsWaiting, long heapPerWaitingExchange,
            long heapPerBareExchange, double submitMillis, long answeredAfterStop, long stoppedRejections) {
    }

    static Result run() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addComponent("noop", new NoOpComponent());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:scale").to("ratelimit:noop:scale?limiter=scale&maxRate=1&maxWait=4h&maxPending=" + WAITING);
            }
        });
        camel.start();
        AsyncSender sender = new AsyncSender(camel, "direct:scale");
        camel.getShutdownStrategy().setTimeout(1); // seconds: the waiters are to be rejected, not served
        // warm-up: one call goes at once, one waits a second and runs on the worker pool (so its thread exists);
        // afterwards the permit of the current second is taken and everything sent next waits
        CountDownLatch first = new CountDownLatch(2);
        sender.send("x", e -> first.countDown());
        sender.send("x", e -> first.countDown());
        first.await(10, TimeUnit.SECONDS);

        // heap of bare exchanges, for comparison
        long base = usedHeap();
        List<Exchange> bare = new ArrayList<>(WAITING);
        for (int i = 0; i < WAITING; i++) {
            Exchange e = new DefaultExchange(camel);
            e.getMessage().setBody("x");
            bare.add(e);
        }
        long bareHeap = usedHeap() - base;
        bare.clear();

        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long before = usedHeap();
        AtomicLong answered = new AtomicLong();
        AtomicLong stopped = new AtomicLong();
        CountDownLatch all = new CountDownLatch(WAITING);
        long t0 = System.nanoTime();
        for (int i = 0; i < WAITING; i++) {
            sender.send("x", e -> {
                answered.incrementAndGet();
                if (e.getException() instanceof RateLimitExceededException) {
                    stopped.incrementAndGet();
                }
                all.countDown();
            });
        }
        double submitMillis = (System.nanoTime() - t0) / 1e6;
        int waiting = camel.getComponent("ratelimit", RateLimitComponent.class).getLimiter("scale").pending();
        long held = usedHeap() - before;
        int threadsWaiting = ManagementFactory.getThreadMXBean().getThreadCount();

        camel.close();
        all.await(30, TimeUnit.SECONDS);
        sender.close();
        return new Result(waiting, threadsBefore, threadsWaiting, held / Math.max(1, waiting), bareHeap / WAITING,
                submitMillis, answered.get(), stopped.get());
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private ScaleScenario() {
    }
}
