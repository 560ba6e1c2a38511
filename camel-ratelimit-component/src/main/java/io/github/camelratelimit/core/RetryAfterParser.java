package io.github.camelratelimit.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses an HTTP {@code Retry-After} header value into a delay. Never throws on header content and never
 * hangs: malformed or hostile values come back as {@link Kind#INVALID} (the caller ignores them), huge ones as
 * {@link Kind#CLAMPED} with the caller's maximum (the caller may give up instead of waiting that long).
 *
 * <pre>
 * Retry-After = HTTP-date / delay-seconds                                     (RFC 9110 §10.2.3)
 * delay       = delay-seconds                                                 (kind SECONDS)
 *             = max(0, HTTP-date - reference)                                 (kind HTTP_DATE)
 * reference   = the response's Date header when present and parseable (the server's own clock, so local
 *               clock skew cancels out), else {@link Clock#wallMillis()}
 * result      = delay &gt; max ? (CLAMPED, max) : (kind, delay)
 * </pre>
 *
 * <p>Accepted forms (RFC 9110 §5.6.7; recipients must accept all three HTTP-date forms):
 * <ul>
 * <li>delay-seconds: {@code 120}; leading zeros allowed. <b>Lenient:</b> a non-negative decimal such as
 *     {@code 1.5} is accepted (some APIs send fractional seconds) and rounded <em>up</em> to whole milliseconds,
 *     so the server's wait is never shortened. Signs, exponents ({@code 1e9}), {@code Infinity}, {@code NaN},
 *     hex and units are {@link Kind#INVALID}. Values far beyond {@code Long} are {@link Kind#CLAMPED}, never an
 *     overflow. An epoch-looking number is still read as seconds (RFC 9110 has no epoch form); the clamp bounds
 *     it.</li>
 * <li>IMF-fixdate {@code Sun, 06 Nov 1994 08:49:37 GMT}, parsed with
 *     {@link DateTimeFormatter#RFC_1123_DATE_TIME} (so also one-digit days, a missing weekday or a numeric
 *     offset such as {@code +0000}).</li>
 * <li>obsolete RFC 850 {@code Sunday, 06-Nov-94 08:49:37 GMT}: a two-digit year that would lie more than 50
 *     years after the reference year is taken as the most recent past year with those digits (RFC 9110
 *     §5.6.7; judged by calendar year).</li>
 * <li>obsolete asctime {@code Sun Nov  6 08:49:37 1994} (UTC; runs of spaces are accepted).</li>
 * </ul>
 * Month and weekday names are matched case-insensitively; a weekday that does not match the date is
 * {@link Kind#INVALID}. A date in the past gives delay 0.
 *
 * <p>Several values: a header repeated or folded into a comma-separated list ({@code "5, 10"}) yields the
 * <b>first valid</b> element, left to right; invalid elements before it are skipped. An HTTP-date's own comma
 * (after the weekday) is recognised, so {@code "Sun, 06 Nov 1994 08:49:37 GMT, 5"} gives the date.
 *
 * <p>Header maps: {@link #header(Map, String)} finds a header whatever the case of its name, as servers and
 * HTTP/2 send {@code Retry-After}, {@code Retry-after} or {@code retry-after} and camel-http's exception keeps
 * names as received.
 *
 * <p>Stateless and thread-safe.
 */
public final class RetryAfterParser {

    /** The header's name (RFC 9110). */
    public static final String RETRY_AFTER = "Retry-After";
    /** The response date header, the reference for an HTTP-date Retry-After. */
    public static final String DATE = "Date";

    /** Longest value examined; longer input is {@link Kind#INVALID} without being scanned further. */
    static final int MAX_VALUE_LENGTH = 4096;
    /** At most this many list elements are tried. */
    static final int MAX_ELEMENTS = 16;

    private static final Pattern DECIMAL = Pattern.compile("(\\d+)(?:\\.(\\d+))?");
    /** Integer parts with more digits are at least 10^19 s, more than any {@link Duration} can hold in seconds. */
    private static final int MAX_INTEGER_DIGITS = 19;
    private static final Pattern WEEKDAY = Pattern.compile(
            "(?i)mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEE MMM d HH:mm:ss uuuu")
            .toFormatter(Locale.US)
            .withResolverStyle(ResolverStyle.SMART);

    /** The RFC 850 formatter for the current base year; rebuilt when the reference year changes. */
    private static volatile Rfc850 rfc850 = new Rfc850(Integer.MIN_VALUE, null);

    private RetryAfterParser() {
    }

    /** What a parsed value was. */
    public enum Kind {
        /** delay-seconds (or lenient decimal seconds). */
        SECONDS,
        /** An HTTP-date in any of the three forms, measured against the reference time. */
        HTTP_DATE,
        /** No value: the header is missing ({@code null}). */
        ABSENT,
        /** Empty, malformed or negative: ignore it. {@link RetryAfter#reason()} says why. */
        INVALID,
        /** Valid but longer than the caller's maximum: {@link RetryAfter#delay()} is that maximum. */
        CLAMPED
    }

    /**
     * The outcome of parsing one header. Immutable.
     *
     * @param kind   what the value was
     * @param delay  how long to wait, {@code >= 0}; {@link Duration#ZERO} when {@link #hasDelay()} is false
     * @param raw    the value as received (before trimming), or {@code null} when absent
     * @param reason why the value was invalid or clamped, for logs; {@code null} otherwise
     */
    public record RetryAfter(Kind kind, Duration delay, String raw, String reason) {

        public static final RetryAfter ABSENT = new RetryAfter(Kind.ABSENT, Duration.ZERO, null, null);

        public RetryAfter {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(delay, "delay");
        }

        /** {@code true} for {@link Kind#SECONDS}, {@link Kind#HTTP_DATE} and {@link Kind#CLAMPED}. */
        public boolean hasDelay() {
            return kind == Kind.SECONDS || kind == Kind.HTTP_DATE || kind == Kind.CLAMPED;
        }

        /**
         * The delay in nanoseconds, or {@code -1} when there is none: the convention of
         * {@link Feedback#retryAfterNanos()}. Saturates at {@link Long#MAX_VALUE}.
         */
        public long delayNanos() {
            if (!hasDelay()) {
                return -1L;
            }
            try {
                return delay.toNanos();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }

        static RetryAfter invalid(String raw, String reason) {
            return new RetryAfter(Kind.INVALID, Duration.ZERO, raw, reason);
        }
    }

    /**
     * Parses one {@code Retry-After} value.
     *
     * @param value      the header value, may be {@code null} (ABSENT), padded, a comma-separated list
     * @param dateHeader the response's {@code Date} value, or {@code null}; used as "now" for an HTTP-date
     *                   when it parses as an HTTP-date, else ignored
     * @param clock      local wall clock, used when there is no usable {@code Date}
     * @param max        the longest delay to return, {@code > 0}; longer values come back CLAMPED to it
     * @return never {@code null}
     * @throws NullPointerException     if {@code clock} or {@code max} is null
     * @throws IllegalArgumentException if {@code max} is not positive (a programming error, not input)
     */
    public static RetryAfter parse(String value, String dateHeader, Clock clock, Duration max) {
        checkArgs(clock, max);
        if (value == null) {
            return RetryAfter.ABSENT;
        }
        return parseValue(value, dateHeader, clock, max);
    }

    /**
     * Parses the {@code Retry-After} of a response's header map: every value of the header (a {@code List},
     * array or single object, see {@link #headerValues(Map, String)}) is tried in order and the first valid one
     * wins; the reference is the map's {@code Date} header. Names are matched case-insensitively.
     *
     * @param headers response headers, may be {@code null} (ABSENT)
     * @see #parse(String, String, Clock, Duration)
     */
    public static RetryAfter parse(Map<String, ?> headers, Clock clock, Duration max) {
        checkArgs(clock, max);
        List<String> values = headerValues(headers, RETRY_AFTER);
        if (values.isEmpty()) {
            return RetryAfter.ABSENT;
        }
        String date = header(headers, DATE);
        RetryAfter first = null;
        int tried = 0;
        for (String v : values) {
            if (tried++ >= MAX_ELEMENTS) {
                break;
            }
            RetryAfter r = parseValue(v, date, clock, max);
            if (r.hasDelay()) {
                return r;
            }
            if (first == null) {
                first = r;
            }
        }
        return first;
    }

    /**
     * The first value of a header, whatever the case of its name: an exact key match first (which is also how
     * case-insensitive maps such as Camel's message headers answer), else the first key, in the map's iteration
     * order, equal ignoring case. A {@code List}/{@code Iterable} or array value gives its first element; any
     * other object its {@code toString()}.
     *
     * @return the value, or {@code null} when the header is missing, empty or its first element is {@code null}
     */
    public static String header(Map<String, ?> headers, String name) {
        return HeaderValues.first(headers, name);
    }

    /**
     * Every value of a header, whatever the case of its name (see {@link #header(Map, String)}): the elements of
     * a {@code List}/{@code Iterable} or array (null elements skipped), or the one value's {@code toString()}.
     *
     * @return never {@code null}; empty when the header is missing
     */
    public static List<String> headerValues(Map<String, ?> headers, String name) {
        return HeaderValues.all(headers, name, Integer.MAX_VALUE);
    }

    private static void checkArgs(Clock clock, Duration max) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(max, "max");
        if (max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("max must be > 0: " + max);
        }
    }

    private static RetryAfter parseValue(String raw, String dateHeader, Clock clock, Duration max) {
        if (raw.length() > MAX_VALUE_LENGTH) {
            return RetryAfter.invalid(raw, "longer than " + MAX_VALUE_LENGTH + " characters");
        }
        String value = raw.strip();
        if (value.isEmpty()) {
            return RetryAfter.invalid(raw, "empty");
        }
        Reference ref = new Reference(dateHeader, clock);
        RetryAfter whole = parseSingle(raw, value, ref, max);
        if (whole.hasDelay() || value.indexOf(',') < 0) {
            return whole;
        }
        // a list: try the elements left to right; an element may be the weekday half of an HTTP-date
        String[] parts = value.split(",", MAX_ELEMENTS * 2 + 1);
        int tried = 0;
        for (int i = 0; i < parts.length && tried < MAX_ELEMENTS; i++, tried++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            if (WEEKDAY.matcher(part).matches() && i + 1 < parts.length) {
                // the weekday and the rest of one HTTP-date: valid or not, they go together, so a date with a
                // wrong weekday is not read as the weekday-less date after it
                RetryAfter date = parseSingle(raw, part + "," + parts[++i], ref, max);
                if (date.hasDelay()) {
                    return date;
                }
                continue;
            }
            RetryAfter r = parseSingle(raw, part, ref, max);
            if (r.hasDelay()) {
                return r;
            }
        }
        return RetryAfter.invalid(raw, "no valid element in list");
    }

    private static RetryAfter parseSingle(String raw, String value, Reference ref, Duration max) {
        char c = value.charAt(0);
        if (c == '-' || c == '+' || c == '.') {
            return RetryAfter.invalid(raw, "not a non-negative number of seconds");
        }
        if (c >= '0' && c <= '9') {
            RetryAfter seconds = parseSeconds(raw, value, max);
            if (seconds != null) {
                return seconds;
            }
            // "06 Nov 1994 08:49:37 GMT": an IMF-fixdate without its optional weekday
        }
        Instant at = parseHttpDate(value, ref.year());
        if (at == null) {
            return RetryAfter.invalid(raw, "neither delay-seconds nor an HTTP-date");
        }
        long delayMillis = Math.max(0L, at.toEpochMilli() - ref.millis());
        Duration delay = Duration.ofMillis(delayMillis);
        if (delay.compareTo(max) > 0) {
            return new RetryAfter(Kind.CLAMPED, max, raw, "HTTP-date is " + delay + " ahead, more than max " + max);
        }
        return new RetryAfter(Kind.HTTP_DATE, delay, raw, null);
    }

    /** delay-seconds or lenient decimal seconds, or {@code null} when {@code value} is not a number. */
    private static RetryAfter parseSeconds(String raw, String value, Duration max) {
        Matcher m = DECIMAL.matcher(value);
        if (!m.matches()) {
            return null;
        }
        String integer = stripLeadingZeros(m.group(1));
        String fraction = m.group(2);
        if (integer.length() > MAX_INTEGER_DIGITS) {
            return new RetryAfter(Kind.CLAMPED, max, raw, "delay-seconds beyond any duration, more than max " + max);
        }
        // seconds rounded up to whole milliseconds: keep 3 fraction digits, round up if any later digit is non-zero
        String millisDigits = "000";
        boolean roundUp = false;
        if (fraction != null) {
            millisDigits = (fraction + "000").substring(0, 3);
            for (int i = 3; i < fraction.length() && !roundUp; i++) {
                roundUp = fraction.charAt(i) != '0';
            }
        }
        BigDecimal seconds = new BigDecimal(integer + "." + millisDigits);
        if (roundUp) {
            seconds = seconds.add(BigDecimal.valueOf(1, 3));
        }
        BigDecimal maxSeconds = BigDecimal.valueOf(max.getSeconds()).add(BigDecimal.valueOf(max.getNano(), 9));
        if (seconds.compareTo(maxSeconds) > 0) {
            return new RetryAfter(Kind.CLAMPED, max, raw, "delay-seconds " + value + " is more than max " + max);
        }
        // seconds <= max, so both parts fit
        long whole = seconds.longValue();
        long millis = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(3).longValueExact();
        return new RetryAfter(Kind.SECONDS, Duration.ofSeconds(whole).plusMillis(millis), raw, null);
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    /**
     * Parses any of the three HTTP-date forms, or returns {@code null}.
     *
     * @param referenceYear the UTC year of "now", for RFC 850's two-digit years
     */
    static Instant parseHttpDate(String value, int referenceYear) {
        String v = value.strip();
        if (v.isEmpty() || v.length() > 64) {
            return null;
        }
        try {
            return ZonedDateTime.parse(v, IMF_FIXDATE).toInstant();
        } catch (DateTimeParseException e) {
            // try the obsolete forms
        }
        if (v.indexOf('-') > 0) {
            try {
                return LocalDateTime.parse(v, rfc850(referenceYear)).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        try {
            return LocalDateTime.parse(SPACES.matcher(v).replaceAll(" "), ASCTIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * RFC 850 with two-digit years mapped into {@code [referenceYear - 49, referenceYear + 50]}: a year more than
     * 50 years ahead belongs to the past century.
     */
    private static DateTimeFormatter rfc850(int referenceYear) {
        Rfc850 cached = rfc850;
        if (cached.referenceYear == referenceYear) {
            return cached.formatter;
        }
        DateTimeFormatter f = new DateTimeFormatterBuilder()
                .parseCaseInsensitive()
                .appendPattern("EEEE, dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, referenceYear - 49)
                .appendPattern(" HH:mm:ss 'GMT'")
                .toFormatter(Locale.US)
                .withResolverStyle(ResolverStyle.SMART);
        rfc850 = new Rfc850(referenceYear, f);
        return f;
    }

    private record Rfc850(int referenceYear, DateTimeFormatter formatter) {
    }

    /**
     * "Now" for an HTTP-date: the response's Date when usable, else the local wall clock (read once). The Date
     * header is parsed only when an HTTP-date value needs it.
     */
    private static final class Reference {
        private final String dateHeader;
        private final long localMillis;
        private final int year;
        private boolean resolved;
        private long millis;

        Reference(String dateHeader, Clock clock) {
            this.dateHeader = dateHeader;
            this.localMillis = clock.wallMillis();
            // the local year decides RFC 850 centuries, for the Date header and the value alike
            this.year = Instant.ofEpochMilli(localMillis).atOffset(ZoneOffset.UTC).getYear();
        }

        long millis() {
            if (!resolved) {
                Instant server = dateHeader == null ? null : parseHttpDate(dateHeader, year);
                millis = server != null ? server.toEpochMilli() : localMillis;
                resolved = true;
            }
            return millis;
        }

        int year() {
            return year;
        }
    }
}
