package io.github.camelratelimit;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelratelimit.core.RateLimitExceededException;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop loses nothing; waiting holds no threads; camel-http's own retry stays off behind the limiter. */
class RateLimitLifecycleTest {

    private TestHttpServer server;
    private CamelContext context;

    @BeforeEach
    void setUp() throws Exception {
        server = new TestHttpServer();
        context = new DefaultCamelContext();
    }

    @AfterEach
    void tearDown() {
        context.stop();
        server.close();
    }

    @Test
    void contextStopCompletesOrFailsEveryWaitingExchange() throws Exception {
        context.getShutdownStrategy().setTimeout(1);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").to("ratelimit:" + server.base() + "/items?limiter=stop&maxRate=2&maxWait=10m");
            }
        });
        context.start();
        List<CompletableFuture<Exchange>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(context.createProducerTemplate().asyncSend("direct:a", e -> { }));
        }
        context.stop();
        int delivered = 0;
        int stopped = 0;
        for (CompletableFuture<Exchange> f : sent) {
            Exchange e = f.get(10, TimeUnit.SECONDS); // none disappears: every one completes
            if (e.getException() == null) {
                delivered++;
            } else {
                RateLimitExceededException ex = assertInstanceOf(RateLimitExceededException.class, e.getException());
                assertEquals(RateLimitExceededException.Reason.STOPPED, ex.getReason());
                assertTrue(ex.getMessage().contains("'stop'") && ex.getMessage().contains("the call was not made"));
                stopped++;
            }
        }
        assertEquals(20, delivered + stopped);
        assertEquals(delivered, server.requests().size());
        assertTrue(stopped > 0, "at 2/s most of 20 exchanges were still waiting");
    }

    @Test
    void tenThousandWaitingExchangesNeedNoThreadEach() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:warm").to("ratelimit:" + server.base() + "/items?limiter=many&maxRate=1&maxWait=5h&maxPending=20000");
            }
        });
        context.start();
        RateLimitEndpoint ep = context.getEndpoint(
                "ratelimit:" + server.base() + "/items?limiter=many&maxRate=1&maxWait=5h&maxPending=20000",
                RateLimitEndpoint.class);
        AsyncProducer producer = ep.createAsyncProducer();
        producer.start();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        int n = 10_000;
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger stopped = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            Exchange ex = new DefaultExchange(context);
            producer.process(ex, sync -> {
                if (ex.getException() == null) {
                    ok.incrementAndGet();
                } else if (ex.getException() instanceof RateLimitExceededException r
                        && r.getReason() == RateLimitExceededException.Reason.STOPPED) {
                    stopped.incrementAndGet();
                }
                done.countDown();
            });
        }
        int threadsWhileWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
        int pending = context.getComponent("ratelimit", RateLimitComponent.class).getLimiter("many").pending();
        assertTrue(pending >= n - 2, "pending " + pending);
        assertTrue(threadsWhileWaiting - threadsBefore < 10,
                "threads before " + threadsBefore + ", with " + n + " waiting " + threadsWhileWaiting);
        context.stop();
        assertTrue(done.await(30, TimeUnit.SECONDS), "every exchange completed: " + done.getCount() + " left");
        assertEquals(n, ok.get() + stopped.get());
    }

    @Test
    void camelHttpsOwnRetryIsOffBehindTheLimiterAndOnWithoutIt() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:wrapped").to("ratelimit:" + server.base() + "/wrapped?limiter=w&maxRate=50");
                from("direct:plain").to(server.base() + "/plain");
            }
        });
        context.start();
        server.then(TestHttpServer.Reply.status(429, Map.of("Retry-After", "1")));
        Exchange e = context.createProducerTemplate().send("direct:wrapped", x -> { });
        assertTrue(e.getException() != null);
        assertEquals(1, server.requests().size(), "no hidden retry behind the limiter");
        // the evidence that it matters: a plain camel-http endpoint retries the 429 itself, sleeping a thread
        server.then(TestHttpServer.Reply.status(429, Map.of("Retry-After", "1")));
        long t0 = System.nanoTime();
        Exchange plain = context.createProducerTemplate().send("direct:plain", x -> { });
        long took = System.nanoTime() - t0;
        assertEquals(null, plain.getException());
        assertEquals(3, server.requests().size(), "HttpClient retried the 429 by itself");
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(900), "and slept the calling thread for Retry-After");
        assertTrue(context.getComponent("http", HttpComponent.class) != null);
    }
}
