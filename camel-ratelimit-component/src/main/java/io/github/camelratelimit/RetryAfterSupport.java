package io.github.camelratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.RetryAfterParser;
import io.github.camelratelimit.core.RetryAfterParser.RetryAfter;
import io.github.camelratelimit.observe.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Retry-After from a response for the limiter's pause with {@link RetryAfterParser} (delta-seconds and
 * the three HTTP-date forms, measured against the response's {@code Date}). Unusable values are ignored; values
 * above {@code maxPause} are clamped. Each odd value is logged once (up to 256 distinct values).
 */
final class RetryAfterSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RetryAfterSupport.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private RetryAfterSupport() {
    }

    /** Retry-After as nanoseconds from now (at most {@code max}), or -1 when absent or unusable. */
    static long retryAfterNanos(ResponseClassifier.Response r, String limiter, Clock clock, Duration max) {
        RetryAfter ra = RetryAfterParser.parse((Map<String, ?>) r.headers(), clock, max);
        if (ra.kind() == RetryAfterParser.Kind.INVALID || ra.kind() == RetryAfterParser.Kind.CLAMPED) {
            logOnce(limiter, ra);
        }
        return ra.delayNanos();
    }

    private static void logOnce(String limiter, RetryAfter ra) {
        String raw = ra.raw() == null ? "" : ra.raw();
        String shown = raw.length() > 64 ? raw.substring(0, 64) + "..." : raw;
        if (LOGGED.size() < 256 && LOGGED.add(ra.kind() + "|" + shown)) {
            LOG.atWarn().setMessage(ra.kind() == RetryAfterParser.Kind.CLAMPED
                    ? "clamped a huge Retry-After to maxPause" : "ignored an unusable Retry-After header")
                    .addKeyValue("event", "odd_header").addKeyValue("limiter", limiter)
                    .addKeyValue("header", "Retry-After").addKeyValue("value", Masking.maskText(shown))
                    .addKeyValue("reason", ra.reason()).log();
        }
    }
}
