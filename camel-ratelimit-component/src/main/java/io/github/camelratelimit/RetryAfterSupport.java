package io.github.camelratelimit;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads Retry-After from a response for the limiter's pause; odd values are ignored and logged. */
final class RetryAfterSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RetryAfterSupport.class);
    private static final long MAX_SECONDS = TimeUnit.DAYS.toSeconds(366);

    private RetryAfterSupport() {
    }

    /** Retry-After as nanoseconds from now, or -1 when absent or unusable. */
    static long retryAfterNanos(ResponseClassifier.Response r, String limiter, long wallMillisNow) {
        String raw = r.header("Retry-After");
        if (raw == null) {
            return -1L;
        }
        String v = raw.trim();
        try {
            if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
                long s = v.length() > 12 ? MAX_SECONDS : Math.min(Long.parseLong(v), MAX_SECONDS);
                return TimeUnit.SECONDS.toNanos(s);
            }
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            long base = wallMillisNow;
            String date = r.header("Date");
            if (date != null) {
                try {
                    base = ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                } catch (DateTimeParseException ignore) {
                    // fall back to the local clock
                }
            }
            return TimeUnit.MILLISECONDS.toNanos(Math.max(0L, Math.min(at - base, MAX_SECONDS * 1000)));
        } catch (DateTimeParseException | NumberFormatException e) {
            LOG.atWarn().setMessage("ignored an unusable Retry-After header").addKeyValue("event", "odd_header")
                    .addKeyValue("limiter", limiter).addKeyValue("header", "Retry-After")
                    .addKeyValue("value", v.length() > 64 ? v.substring(0, 64) + "..." : v).log();
            return -1L;
        }
    }
}
