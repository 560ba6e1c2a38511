package io.github.camelratelimit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider with a fixed window of 10 calls per 2 s that counts down X-RateLimit-Remaining: with header learning
 * the batch finishes with zero 429s; the same route with learning off meets 429s.
 */
class ProviderQuotaRouteTest {

    private static final int BATCH = 25;

    @Test
    void learningFromHeadersAvoidsEvery429() throws Exception {
        Result r = run(true, ProviderSimulator.QuotaHeaders.X_RATELIMIT);
        assertEquals(BATCH, r.ok, "every exchange delivered");
        assertEquals(0, r.throttled, "no 429: the limiter paced by the reported remaining/reset");
    }

    @Test
    void learningFromIetfHeadersAvoidsEvery429() throws Exception {
        Result r = run(true, ProviderSimulator.QuotaHeaders.IETF);
        assertEquals(BATCH, r.ok);
        assertEquals(0, r.throttled);
    }

    @Test
    void withoutLearningTheSameRouteGets429s() throws Exception {
        Result r = run(false, ProviderSimulator.QuotaHeaders.X_RATELIMIT);
        assertTrue(r.throttled > 0, "429s without header learning: " + r.throttled);
        assertEquals(BATCH, r.ok + r.failed, "none lost");
    }

    record Result(int ok, int failed, long throttled) {
    }

    private Result run(boolean learn, ProviderSimulator.QuotaHeaders headers) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder().fixedWindow(10, Duration.ofSeconds(2))
                .quotaHeaders(headers).retryAfter(ProviderSimulator.RetryAfterMode.SECONDS).build();
                CamelContext ctx = new DefaultCamelContext()) {
            sim.start();
            ctx.start();
            Endpoint ep = ctx.getEndpoint("ratelimit:" + sim.baseUrl() + "/items?limiter=q" + learn
                    + "&maxRate=50&maxWait=1m&learnFromHeaders=" + learn);
            AsyncProducer p = ep.createAsyncProducer();
            p.start();
            CountDownLatch done = new CountDownLatch(BATCH);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            for (int i = 0; i < BATCH; i++) {
                Exchange ex = ep.createExchange();
                p.process(ex, sync -> {
                    (ex.getException() == null ? ok : failed).incrementAndGet();
                    done.countDown();
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "batch finished");
            return new Result(ok.get(), failed.get(), sim.stats().throttled());
        }
    }
}
