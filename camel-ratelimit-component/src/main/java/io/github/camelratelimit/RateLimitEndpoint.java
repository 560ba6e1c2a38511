package io.github.camelratelimit;

import java.util.List;

import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.QuotaHeaderNames;
import io.github.camelratelimit.core.QuotaHeaderParser;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Paces calls to a delegate endpoint (camel-http first) through a named, adaptive, Retry-After aware limiter.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ratelimit", title = "Rate Limit", syntax = "ratelimit:delegateUri",
        producerOnly = true, remote = false, lenientProperties = true, category = { Category.HTTP, Category.API })
public class RateLimitEndpoint extends DefaultEndpoint {

    /** The options that belong to the limiter (may be overridden per limiter by properties). */
    static final List<String> LIMITER_OPTIONS = List.of("minRate", "maxRate", "recoveryScale", "decreaseFactor",
            "quota", "quotaWindow", "maxWait", "maxPending", "maxPause", "signalCooldown", "quotaSafetyMargin",
            "store", "redisUri", "redisTimeout", "redisKeyPrefix", "redisIdleExpiry", "redisFallback",
            "redisFallbackShare", "redisProbeInterval", "learnFromHeaders", "quotaHeaderPrefix");

    @UriPath(description = "The endpoint to call, with its own options, e.g. https://api.example.com/items, with its own query options."
            + " Options this component does not know are passed to it untouched.")
    @Metadata(required = true)
    private String delegateUri;

    @UriParam
    private RateLimitConfiguration configuration;

    private Endpoint delegate;
    private RateLimiter limiter;
    private QuotaHeaderParser quotaParser;
    private org.apache.camel.Expression limiterKey;
    private final java.util.concurrent.atomic.AtomicLong lastProviderLimit = new java.util.concurrent.atomic.AtomicLong(-1);

    public RateLimitEndpoint(String uri, RateLimitComponent component) {
        super(uri, component);
    }

    @Override
    public RateLimitComponent getComponent() {
        return (RateLimitComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() throws Exception {
        return new RateLimitProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ratelimit: is a producer: use it in to(...), not in from(...)");
    }

    @Override
    public boolean isLenientProperties() {
        return true; // options we do not know belong to the delegate
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        // validate every option now, at route start, not at the first message
        configuration.toLimiterConfig();
        delegate = getCamelContext().getEndpoint(delegateUri);
        limiterKey = null;
        String key = configuration.getLimiterKey();
        if (key != null && !key.isBlank()) {
            if (configuration.getMaxLimiters() < 1) {
                throw new InvalidLimiterConfigException("maxLimiters", configuration.getMaxLimiters(), "must be >= 1");
            }
            if (configuration.getLimiterIdleTimeout() < 1) {
                throw new InvalidLimiterConfigException("limiterIdleTimeout", configuration.getLimiterIdleTimeout() + "ms",
                        "must be > 0");
            }
            try {
                limiterKey = getCamelContext().resolveLanguage("simple").createExpression(key);
                limiterKey.init(getCamelContext());
            } catch (RuntimeException e) {
                throw new InvalidLimiterConfigException("limiterKey", key, "must be a Simple expression: " + e.getMessage());
            }
        }
        quotaParser = null;
        if (configuration.isLearnFromHeaders()) {
            String prefix = configuration.getQuotaHeaderPrefix();
            if (prefix == null || prefix.isBlank()) {
                quotaParser = QuotaHeaderParser.DEFAULT;
            } else {
                List<QuotaHeaderNames> families = new java.util.ArrayList<>();
                families.add(QuotaHeaderNames.withPrefix(prefix.trim()));
                families.addAll(QuotaHeaderParser.DEFAULT.families());
                quotaParser = new QuotaHeaderParser(families);
            }
        }
        if (configuration.isDisableHttpRetries()) {
            HttpRetries.disableOn(delegate);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        limiter = getComponent().acquireLimiter(this);
    }

    @Override
    protected void doStop() throws Exception {
        if (limiter != null) {
            getComponent().releaseLimiter(limiter.name(), this);
            limiter = null;
        }
        super.doStop();
    }

    RateLimiter limiter() {
        return limiter;
    }

    /** The last limit the provider reported through this endpoint (-1 before any), to log changes. */
    java.util.concurrent.atomic.AtomicLong lastProviderLimit() {
        return lastProviderLimit;
    }

    /** The per-key limiter expression ({@code limiterKey}), or {@code null}. */
    org.apache.camel.Expression limiterKey() {
        return limiterKey;
    }

    /** The provider quota header parser, or {@code null} when learnFromHeaders is off. */
    QuotaHeaderParser quotaParser() {
        return quotaParser;
    }

    Endpoint delegate() {
        if (delegate == null) {
            delegate = getCamelContext().getEndpoint(delegateUri);
        }
        return delegate;
    }

    @Override
    public String toString() {
        return "ratelimit:" + io.github.camelratelimit.observe.Masking.maskUri(delegateUri);
    }

    public String getDelegateUri() {
        return delegateUri;
    }

    /** The endpoint to call, with its options. */
    public void setDelegateUri(String delegateUri) {
        this.delegateUri = delegateUri;
    }

    public RateLimitConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(RateLimitConfiguration configuration) {
        this.configuration = configuration;
    }
}
