package io.github.camelratelimit.benchmarks;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.RetryAfterParser;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import software.amazon.awssdk.retries.AdaptiveRetryStrategy;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryToken;

/**
 * The AWS SDK's adaptive retry mode ({@code software.amazon.awssdk:retries}, {@link AdaptiveRetryStrategy} with
 * the SDK's defaults but 11 attempts, like 10 redeliveries elsewhere) driving camel-http calls the way an SDK
 * client does: take the initial token (its client-side rate limiter may hold it back), wait the delay it names,
 * call; on a 429 refresh the token (counts as throttling, Retry-After passed as the suggested delay), wait, call
 * again; record success. The HTTP call runs on a pool of {@code concurrency} threads (an SDK sync client blocks
 * its caller too); waits are scheduled, not slept.
 */
final class AwsAdaptiveClient implements AdaptiveClient {

    private static final String SCOPE = "sim";

    private final AdaptiveRetryStrategy strategy = DefaultRetryStrategy.adaptiveStrategyBuilder()
            .maxAttempts(11)
            .retryOnException(t -> t instanceof HttpStatusException)
            .treatAsThrottling(t -> t instanceof HttpStatusException h && h.status == 429)
            .build();
    private final ExecutorService io;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aws-timer");
        t.setDaemon(true);
        return t;
    });
    private CamelContext camel;
    private ProducerTemplate template;
    private String uri;

    AwsAdaptiveClient(int concurrency) {
        io = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "aws-io");
            t.setDaemon(true);
            return t;
        });
    }

    /** A failed call, as the SDK would see it. */
    static final class HttpStatusException extends RuntimeException {
        final int status;

        HttpStatusException(int status) {
            super("HTTP " + status, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void start(String baseUrl) throws Exception {
        camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(2); // seconds; exchanges still waiting at the end are not served
        camel.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
        camel.start();
        template = camel.createProducerTemplate();
        uri = baseUrl + "/items?throwExceptionOnFailure=false";
    }

    @Override
    public void submit(Consumer<Boolean> done) {
        strategy.acquireInitialTokenAsync(AcquireInitialTokenRequest.create(SCOPE)).whenComplete((r, ex) -> {
            if (ex != null) {
                done.accept(false);
            } else {
                later(r.delay(), () -> attempt(r.token(), done));
            }
        });
    }

    private void attempt(RetryToken token, Consumer<Boolean> done) {
        Exchange e = template.send(uri, x -> { });
        Integer status = e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int s = status == null ? -1 : status;
        if (s >= 200 && s < 300) {
            strategy.recordSuccess(RecordSuccessRequest.create(token));
            done.accept(true);
            return;
        }
        RefreshRetryTokenRequest.Builder req = RefreshRetryTokenRequest.builder().token(token)
                .failure(new HttpStatusException(s));
        RetryAfterParser.RetryAfter retryAfter = RetryAfterParser.parse(
                e.getMessage().getHeader("Retry-After", String.class), null, Clock.system(), Duration.ofHours(1));
        if (retryAfter.hasDelay()) {
            req.suggestedDelay(retryAfter.delay());
        }
        CompletableFuture<?> f = strategy.refreshRetryTokenAsync(req.build()).whenComplete((r, ex) -> {
            if (ex != null) {
                done.accept(false); // out of attempts or retry tokens: the SDK gives up
            } else {
                later(r.delay(), () -> attempt(r.token(), done));
            }
        });
    }

    private void later(Duration delay, Runnable call) {
        if (delay.isZero() || delay.isNegative()) {
            io.execute(call);
        } else {
            timer.schedule(() -> io.execute(call), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The SDK's current send rate: the fill rate of its client-side token bucket, read by reflection (internal
     * API); NaN while the bucket is not enabled yet (before the first throttle) or when the SDK's internals differ.
     */
    @Override
    public double permittedRate() {
        try {
            Field storeField = strategy.getClass().getDeclaredField("rateLimiterTokenBucketStore");
            storeField.setAccessible(true);
            Object store = storeField.get(strategy);
            Object bucket = store.getClass().getMethod("tokenBucketForScope", String.class).invoke(store, SCOPE);
            Object state;
            try {
                Field f = bucket.getClass().getDeclaredField("state");
                f.setAccessible(true);
                state = f.get(bucket);
            } catch (NoSuchFieldException e) {
                Field f = bucket.getClass().getDeclaredField("stateReference");
                f.setAccessible(true);
                state = ((java.util.concurrent.atomic.AtomicReference<?>) f.get(bucket)).get();
            }
            Field enabled = state.getClass().getDeclaredField("enabled");
            enabled.setAccessible(true);
            if (!enabled.getBoolean(state)) {
                return Double.NaN;
            }
            Method fillRate = state.getClass().getDeclaredMethod("fillRate");
            fillRate.setAccessible(true);
            return (double) fillRate.invoke(state);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        io.shutdownNow();
        strategy.close();
        if (camel != null) {
            try {
                camel.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the CamelContext", e);
            }
        }
    }
}
