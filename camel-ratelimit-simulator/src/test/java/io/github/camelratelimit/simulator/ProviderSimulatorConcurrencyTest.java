package io.github.camelratelimit.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProviderSimulatorConcurrencyTest {

    @Test
    void concurrentClientsOkPlusThrottledEqualsSentAndTheBurstIsNeverExceeded() throws Exception {
        int threads = 16;
        int perThread = 25;
        AtomicLong frozen = new AtomicLong(42L); // time stands still: exactly the burst is served
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(1000).burst(50).clock(frozen::get)
                .build()) {
            sim.start();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    int ok = 0;
                    int throttled = 0;
                    for (int i = 0; i < perThread; i++) {
                        int status = Http.get(sim.url("/c/" + thread + "/" + i)).statusCode();
                        if (status == 200) {
                            ok++;
                        } else if (status == 429) {
                            throttled++;
                        }
                    }
                    return new int[] {ok, throttled};
                }));
            }
            go.countDown();
            int ok = 0;
            int throttled = 0;
            for (Future<int[]> f : results) {
                int[] r = f.get(60, TimeUnit.SECONDS);
                ok += r[0];
                throttled += r[1];
            }
            pool.shutdown();

            int sent = threads * perThread;
            assertEquals(sent, ok + throttled);
            assertEquals(50, ok);
            SimulatorStats s = sim.stats();
            assertEquals(sent, s.requests());
            assertEquals(ok, s.ok());
            assertEquals(throttled, s.throttled());
            assertEquals(sent, sim.arrivalNanos().size());
            assertEquals(sent, sim.requests().size());
            assertEquals(sent, s.pathCounts().size());
        }
    }

    @Test
    void hundredsOfConcurrentConnectionsAreAllAnswered() throws Exception {
        int requests = 300;
        AtomicLong frozen = new AtomicLong(0L);
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(1).burst(120).clock(frozen::get)
                .recordRequests(false).build()) {
            sim.start();
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                replies.add(Http.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(sim.url("/many/" + i))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int throttled = 0;
            for (CompletableFuture<HttpResponse<String>> r : replies) {
                int status = r.get(60, TimeUnit.SECONDS).statusCode();
                ok += status == 200 ? 1 : 0;
                throttled += status == 429 ? 1 : 0;
            }
            assertEquals(120, ok);
            assertEquals(requests - 120, throttled);
            assertEquals(new SimulatorStats(requests, ok, throttled, sim.stats().pathCounts(),
                    Map.of("GET", (long) requests), Map.of(200, 120L, 429, 180L)), sim.stats());
        }
    }

    @Test
    void latencyDelaysRepliesWithoutHoldingServerThreads() throws Exception {
        int requests = 10;
        Duration latency = Duration.ofMillis(200);
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(1000).latency(latency).threads(1)
                .build()) {
            sim.start();
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                replies.add(Http.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(sim.url("/slow/" + i))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> r : replies) {
                assertEquals(200, r.get(60, TimeUnit.SECONDS).statusCode());
            }
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= latency.toNanos(), "replies came before the latency");
            // one server thread that slept through each reply would need requests * latency = 2 s
            assertTrue(elapsed < requests * latency.toNanos(), "replies were served one after another: "
                    + elapsed / 1_000_000 + " ms");
            assertEquals(requests, sim.stats().ok());
            assertEquals(200, Http.get(sim.url("/health")).statusCode());
        }
    }
}
