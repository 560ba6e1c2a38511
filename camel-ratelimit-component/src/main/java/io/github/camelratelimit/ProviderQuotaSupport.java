package io.github.camelratelimit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.ProviderQuota;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.observe.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the provider's quota headers of a response and attaches them to the limiter feedback; logs odd values
 * once and provider limit changes as events ({@code provider_limit_changed}).
 */
final class ProviderQuotaSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderQuotaSupport.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private ProviderQuotaSupport() {
    }

    static Feedback attach(Feedback fb, ResponseClassifier.Response r, RateLimitEndpoint endpoint, RateLimiter limiter) {
        String name = limiter.name();
        ProviderQuota q = endpoint.quotaParser().parse(r.headers(), endpoint.getComponent().getClock(),
                limiter.config().maxPause(), warning -> {
                    if (WARNED.size() < 256 && WARNED.add(name + "|" + warning)) {
                        LOG.atWarn().setMessage("ignored an odd quota header value").addKeyValue("event", "odd_header")
                                .addKeyValue("limiter", name).addKeyValue("detail", Masking.maskText(warning)).log();
                    }
                });
        if (q == null || q.isEmpty()) {
            return fb;
        }
        if (q.limit() > 0) {
            long old = endpoint.lastProviderLimit().getAndSet(q.limit());
            if (old > 0 && old != q.limit()) {
                LOG.atInfo().setMessage("provider changed its limit").addKeyValue("event", "provider_limit_changed")
                        .addKeyValue("limiter", name).addKeyValue("old", old).addKeyValue("new", q.limit())
                        .addKeyValue("windowMs", q.windowNanos() < 0 ? null : q.windowNanos() / 1_000_000).log();
            }
        }
        return fb.withProviderQuota(q);
    }
}
