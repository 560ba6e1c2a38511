package io.github.camelratelimit.benchmarks;

import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Camel's own answer: the Throttle EIP at a fixed rate (total-requests mode, per second, async delayed) in front
 * of camel-http, and exponential redelivery for failed calls (10 redeliveries, 0.5 s doubling to at most 30 s,
 * with collision avoidance, async). A redelivery retries the failed {@code to(http)} only, so retries bypass the
 * throttle, as in any such route. HttpClient's own retry is off, as behind the limiter.
 */
final class ThrottleEipClient implements AdaptiveClient {

    private final long rate;
    private CamelContext camel;
    private AsyncSender sender;

    ThrottleEipClient(long rate) {
        this.rate = rate;
    }

    @Override
    public void start(String baseUrl) throws Exception {
        camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(2); // seconds; exchanges still waiting at the end are not served
        camel.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(10).redeliveryDelay(500).useExponentialBackOff()
                        .backOffMultiplier(2).maximumRedeliveryDelay(30_000).useCollisionAvoidance()
                        .asyncDelayedRedelivery().logExhausted(false).logRetryAttempted(false).logStackTrace(false));
                from("direct:call").throttle(rate).totalRequestsMode().timePeriodMillis(1000).asyncDelayed()
                        .to(baseUrl + "/items");
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
        return rate;
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
