package io.github.camelratelimit;

import org.apache.camel.builder.EndpointProducerBuilder;
import org.apache.camel.builder.endpoint.AbstractEndpointBuilder;

/**
 * Endpoint DSL for {@code ratelimit:}, written after the pattern Camel generates for its own components (a
 * third-party component cannot be generated into camel-endpointdsl). Needs {@code camel-endpointdsl} on the
 * classpath. Use:
 *
 * <pre>{@code
 * import static io.github.camelratelimit.RateLimitEndpointBuilderFactory.ratelimit;
 *
 * from("direct:items").to(ratelimit("https://api.example.com/items").limiter("example").maxRate(10)
 *         .delegateParameter("bridgeEndpoint", true));
 * }</pre>
 *
 * The path is the delegate URI without a query; give the delegate's options with
 * {@link RateLimitEndpointBuilder#delegateParameter(String, Object)}.
 */
public interface RateLimitEndpointBuilderFactory {

    /** Builder for a {@code ratelimit:} endpoint; every option of the component doc has a method. */
    interface RateLimitEndpointBuilder extends EndpointProducerBuilder {

        /** Name of the limiter shared by every endpoint that names it. */
        default RateLimitEndpointBuilder limiter(String limiter) {
            doSetProperty("limiter", limiter);
            return this;
        }

        /** Floor of the adaptive rate, permits/s (default 1). */
        default RateLimitEndpointBuilder minRate(double minRate) {
            doSetProperty("minRate", minRate);
            return this;
        }

        /** Floor of the adaptive rate, permits/s; accepts {@code {{placeholders}}}. */
        default RateLimitEndpointBuilder minRate(String minRate) {
            doSetProperty("minRate", minRate);
            return this;
        }

        /** Ceiling and starting value of the adaptive rate, permits/s (default 60). */
        default RateLimitEndpointBuilder maxRate(double maxRate) {
            doSetProperty("maxRate", maxRate);
            return this;
        }

        /** Ceiling and starting value of the adaptive rate; accepts {@code {{placeholders}}}. */
        default RateLimitEndpointBuilder maxRate(String maxRate) {
            doSetProperty("maxRate", maxRate);
            return this;
        }

        /** Cap of the recovery scaling constant (default 100000). */
        default RateLimitEndpointBuilder recoveryScale(double recoveryScale) {
            doSetProperty("recoveryScale", recoveryScale);
            return this;
        }

        /** Strict quota: calls per quotaWindow (0 = off). */
        default RateLimitEndpointBuilder quota(int quota) {
            doSetProperty("quota", quota);
            return this;
        }

        /** Sliding window of the strict quota, e.g. {@code 1h}. */
        default RateLimitEndpointBuilder quotaWindow(String quotaWindow) {
            doSetProperty("quotaWindow", quotaWindow);
            return this;
        }

        /** Longest wait for a permit, e.g. {@code 30s} (default 60s). */
        default RateLimitEndpointBuilder maxWait(String maxWait) {
            doSetProperty("maxWait", maxWait);
            return this;
        }

        /** Most exchanges waiting per limiter (default 10000). */
        default RateLimitEndpointBuilder maxPending(int maxPending) {
            doSetProperty("maxPending", maxPending);
            return this;
        }

        /** Longest pause a provider can impose (default 15m). */
        default RateLimitEndpointBuilder maxPause(String maxPause) {
            doSetProperty("maxPause", maxPause);
            return this;
        }

        /** Keep camel-http's own 429/503 retry off (default true). */
        default RateLimitEndpointBuilder disableHttpRetries(boolean disableHttpRetries) {
            doSetProperty("disableHttpRetries", disableHttpRetries);
            return this;
        }

        /** Where the limiter's state lives: {@code memory} or {@code redis}. */
        default RateLimitEndpointBuilder store(String store) {
            doSetProperty("store", store);
            return this;
        }

        /** An option of the delegate endpoint (passed to it untouched), e.g. {@code bridgeEndpoint=true}. */
        default RateLimitEndpointBuilder delegateParameter(String key, Object value) {
            doSetProperty(key, value);
            return this;
        }
    }

    /** Mix into a {@code RouteBuilder} (or use the static method) for {@code ratelimit(...)}. */
    interface RateLimitBuilders {
        /** {@code ratelimit:<delegateUri>}. */
        default RateLimitEndpointBuilder ratelimit(String delegateUri) {
            return RateLimitEndpointBuilderFactory.ratelimit(delegateUri);
        }
    }

    /** {@code ratelimit:<delegateUri>}; the delegate URI without a query. */
    static RateLimitEndpointBuilder ratelimit(String delegateUri) {
        return endpointBuilder("ratelimit", delegateUri);
    }

    static RateLimitEndpointBuilder endpointBuilder(String componentName, String path) {
        class RateLimitEndpointBuilderImpl extends AbstractEndpointBuilder implements RateLimitEndpointBuilder {
            RateLimitEndpointBuilderImpl(String path) {
                super(componentName, path);
            }
        }
        return new RateLimitEndpointBuilderImpl(path);
    }
}
