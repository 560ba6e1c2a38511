package io.github.camelratelimit.observe;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The component's structured log events: SLF4J 2 key-value lines on the logger {@value #LOGGER}, each with a
 * stable {@code event} name and the {@code limiter} it concerns. A JSON encoder (see the examples'
 * {@code logback-json.xml}) turns the key-values into fields a log pipeline can index.
 *
 * <table>
 * <caption>Events</caption>
 * <tr><th>event</th><th>level</th><th>keys besides event, limiter</th></tr>
 * <tr><td>pacing_active</td><td>INFO</td><td>waitMs, reason (pacing, quota, paused), pending, suppressed: at most
 *     one line per limiter per 5 s; suppressed counts the waits above the threshold not logged since</td></tr>
 * <tr><td>rate_limit_response</td><td>INFO</td><td>status, retryAfterMs (absent: none), pauseMs (the limiter's
 *     pause now), remaining (provider quota, when sent), rateCut, rate</td></tr>
 * <tr><td>rate_decreased</td><td>WARN</td><td>old, new (permits/s), cuts, atFloor</td></tr>
 * <tr><td>rate_recovered</td><td>INFO</td><td>old (rate after the cut), new, tookMs</td></tr>
 * <tr><td>limiter_paused</td><td>WARN</td><td>pauseMs</td></tr>
 * <tr><td>limiter_resumed</td><td>INFO</td><td>pausedMs</td></tr>
 * <tr><td>retry_scheduled</td><td>INFO</td><td>attempt, waitMs, reason</td></tr>
 * <tr><td>retries_exhausted</td><td>WARN</td><td>attempts, reason</td></tr>
 * <tr><td>odd_header</td><td>WARN</td><td>header, value (masked, cut at 64 chars), reason</td></tr>
 * <tr><td>limiter_reconfigured</td><td>INFO</td><td>oldMinRate, oldMaxRate, minRate, maxRate</td></tr>
 * <tr><td>limiter_reset</td><td>INFO</td><td>-</td></tr>
 * <tr><td>record_failed</td><td>WARN</td><td>error (masked)</td></tr>
 * </table>
 *
 * Every string value passes through {@link Masking}. Thread-safe (stateless).
 */
public final class RateLimitEvents {

    /** The logger every event is written to. */
    public static final String LOGGER = "io.github.camelratelimit.events";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    RateLimitEvents() {
    }

    private static LoggingEventBuilder at(Level level, String event, String limiter, String message) {
        return LOG.atLevel(level).setMessage(message).addKeyValue("event", event).addKeyValue("limiter", limiter);
    }

    static double round(double rate) {
        return Double.isFinite(rate) ? Math.round(rate * 1000.0) / 1000.0 : rate;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    void pacingActive(String limiter, long waitNanos, String reason, int pending, long suppressed) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        at(Level.INFO, "pacing_active", limiter, "ratelimit is pacing calls").addKeyValue("waitMs", ms(waitNanos))
                .addKeyValue("reason", reason).addKeyValue("pending", pending).addKeyValue("suppressed", suppressed)
                .log();
    }

    void rateLimitResponse(String limiter, int status, long retryAfterNanos, long pauseNanos, Long remaining,
            boolean cut, double rate) {
        LoggingEventBuilder b = at(Level.INFO, "rate_limit_response", limiter, "rate-limit response")
                .addKeyValue("status", status);
        if (retryAfterNanos >= 0) {
            b = b.addKeyValue("retryAfterMs", ms(retryAfterNanos));
        }
        b = b.addKeyValue("pauseMs", ms(pauseNanos));
        if (remaining != null) {
            b = b.addKeyValue("remaining", remaining);
        }
        b.addKeyValue("rateCut", cut).addKeyValue("rate", round(rate)).log();
    }

    void rateDecreased(String limiter, double oldRate, double newRate, long cuts, boolean atFloor) {
        at(Level.WARN, "rate_decreased", limiter, "ratelimit cut its rate").addKeyValue("old", round(oldRate))
                .addKeyValue("new", round(newRate)).addKeyValue("cuts", cuts).addKeyValue("atFloor", atFloor).log();
    }

    void rateRecovered(String limiter, double oldRate, double newRate, long tookNanos) {
        at(Level.INFO, "rate_recovered", limiter, "ratelimit rate recovered").addKeyValue("old", round(oldRate))
                .addKeyValue("new", round(newRate)).addKeyValue("tookMs", ms(tookNanos)).log();
    }

    void limiterPaused(String limiter, long pauseNanos) {
        at(Level.WARN, "limiter_paused", limiter, "ratelimit paused every call").addKeyValue("pauseMs", ms(pauseNanos))
                .log();
    }

    void limiterResumed(String limiter, long pausedNanos) {
        at(Level.INFO, "limiter_resumed", limiter, "ratelimit resumed").addKeyValue("pausedMs", ms(pausedNanos)).log();
    }

    void retryScheduled(String limiter, int attempt, long waitMillis, String reason) {
        at(Level.INFO, "retry_scheduled", limiter, "ratelimit retry scheduled").addKeyValue("attempt", attempt)
                .addKeyValue("waitMs", waitMillis).addKeyValue("reason", Masking.maskText(reason)).log();
    }

    void retriesExhausted(String limiter, int attempts, String reason) {
        at(Level.WARN, "retries_exhausted", limiter, "ratelimit retries exhausted").addKeyValue("attempts", attempts)
                .addKeyValue("reason", Masking.maskText(reason)).log();
    }

    /** Logs an unusable or clamped header value (masked, cut at 64 characters). */
    public static void oddHeader(String limiter, String header, String value, String reason) {
        String v = Masking.maskHeader(header, value);
        if (v != null && v.length() > 64) {
            v = v.substring(0, 64) + "...";
        }
        at(Level.WARN, "odd_header", limiter, "ignored an odd header value").addKeyValue("header", header)
                .addKeyValue("value", v).addKeyValue("reason", Masking.maskText(reason)).log();
    }

    void limiterReconfigured(String limiter, double oldMin, double oldMax, double min, double max) {
        at(Level.INFO, "limiter_reconfigured", limiter, "ratelimit limiter reconfigured")
                .addKeyValue("oldMinRate", oldMin).addKeyValue("oldMaxRate", oldMax).addKeyValue("minRate", min)
                .addKeyValue("maxRate", max).log();
    }

    void limiterReset(String limiter) {
        at(Level.INFO, "limiter_reset", limiter, "ratelimit limiter reset").log();
    }

    void recordFailed(String limiter, Throwable error) {
        at(Level.WARN, "record_failed", limiter, "ratelimit could not record a response")
                .addKeyValue("error", Masking.maskText(String.valueOf(error))).log();
    }
}
