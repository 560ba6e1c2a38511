package io.github.camelratelimit.benchmarks;

import java.util.function.Consumer;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The component as the demo route uses it: {@code to("ratelimit:<provider>/items?maxRate=100...")} with Camel's
 * redelivery (10 redeliveries, no delay of its own: the limiter holds the retry back until Retry-After and paces
 * it at the adaptive rate).
 */
final class OursClient implements AdaptiveClient {

    static final String LIMITER = "sim";

    private final String options;
    private CamelContext camel;
    private AsyncSender sender;
    private volatile RateLimiter limiter;

    /** @param options extra endpoint options, e.g. {@code &recoveryScale=100}, or "" */
    OursClient(String options) {
        this.options = options;
    }

    @Override
    public void start(String baseUrl) throws Exception {
        camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(2); // seconds; exchanges still waiting at the end are not served
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(10).redeliveryDelay(0).asyncDelayedRedelivery()
                        .logExhausted(false).logRetryAttempted(false).logStackTrace(false));
                from("direct:call").to("ratelimit:" + baseUrl + "/items?limiter=" + LIMITER + "&maxRate=100&minRate=1"
                        + options);
            }
        });
        camel.start();
        sender = new AsyncSender(camel, "direct:call");
    }

    @Override
    public void submit(Consumer<Boolean> done) {
        sender.send(null, e -> done.accept(e.getException() == null));
    }

    @Override
    public double permittedRate() {
        RateLimiter l = limiter;
        if (l == null) {
            l = camel.getComponent("ratelimit", RateLimitComponent.class).getLimiter(LIMITER);
            if (l == null) {
                return Double.NaN;
            }
            limiter = l;
        }
        return l.store().snapshot(LIMITER, l.config()).toCompletableFuture().join().rate();
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
        if (camel != null) {
            try {
                camel.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the CamelContext", e);
            }
        }
    }
}
