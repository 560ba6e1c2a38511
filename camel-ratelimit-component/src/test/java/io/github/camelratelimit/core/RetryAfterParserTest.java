package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.camelratelimit.core.RetryAfterParser.Kind;
import io.github.camelratelimit.core.RetryAfterParser.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryAfterParserTest {

    /** RFC 9110's example instant, Sun, 06 Nov 1994 08:49:37 GMT. */
    private static final long RFC_EXAMPLE_MILLIS = 784_111_777_000L;
    /** A local clock 37 s before the RFC example. */
    private static final ManualClock CLOCK_1994 = new ManualClock(0L, RFC_EXAMPLE_MILLIS - 37_000L);
    /** Default ManualClock: 2026-01-01T00:00:00Z. */
    private static final ManualClock CLOCK_2026 = new ManualClock();
    private static final Duration MAX = Duration.ofMinutes(15);

    static Stream<Arguments> corpus() {
        return Stream.of(
                // delay-seconds
                c("120", Kind.SECONDS, 120_000),
                c("0", Kind.SECONDS, 0),
                c("007", Kind.SECONDS, 7_000),
                c(" 120 ", Kind.SECONDS, 120_000),
                c("\t5\r\n", Kind.SECONDS, 5_000),
                c("900", Kind.SECONDS, 900_000),
                // lenient decimals, rounded up to whole ms
                c("1.5", Kind.SECONDS, 1_500),
                c("0.0001", Kind.SECONDS, 1),
                c("1.0001", Kind.SECONDS, 1_001),
                c("2.0010", Kind.SECONDS, 2_001),
                c("0.000000000000000000000000001", Kind.SECONDS, 1),
                c("899.9999", Kind.SECONDS, 900_000),
                // beyond max: clamped, never an overflow
                c("901", Kind.CLAMPED, 900_000),
                c("899.9991", Kind.SECONDS, 899_999 + 1),
                c("900.0001", Kind.CLAMPED, 900_000),
                c("999999999", Kind.CLAMPED, 900_000),
                c("9223372036854775807", Kind.CLAMPED, 900_000),
                c("99999999999999999999", Kind.CLAMPED, 900_000),
                c("9".repeat(4000), Kind.CLAMPED, 900_000),
                c("0".repeat(3000) + "42", Kind.SECONDS, 42_000),
                // garbage and negatives
                c("", Kind.INVALID, 0),
                c("  ", Kind.INVALID, 0),
                c("-1", Kind.INVALID, 0),
                c("-0", Kind.INVALID, 0),
                c("+5", Kind.INVALID, 0),
                c("1e9", Kind.INVALID, 0),
                c("1E3", Kind.INVALID, 0),
                c("Infinity", Kind.INVALID, 0),
                c("-Infinity", Kind.INVALID, 0),
                c("NaN", Kind.INVALID, 0),
                c("0x10", Kind.INVALID, 0),
                c("5s", Kind.INVALID, 0),
                c("five", Kind.INVALID, 0),
                c("1.", Kind.INVALID, 0),
                c(".5", Kind.INVALID, 0),
                c("1 000", Kind.INVALID, 0),
                c("1\u00005", Kind.INVALID, 0),
                c("\u0663", Kind.INVALID, 0), // Arabic-Indic digit three
                c("null", Kind.INVALID, 0),
                c("9".repeat(5000), Kind.INVALID, 0), // longer than MAX_VALUE_LENGTH
                // lists: first valid element wins
                c("5, 10", Kind.SECONDS, 5_000),
                c("5,10", Kind.SECONDS, 5_000),
                c("abc, 10", Kind.SECONDS, 10_000),
                c("-5, 10", Kind.SECONDS, 10_000),
                c(",,7", Kind.SECONDS, 7_000),
                c(",", Kind.INVALID, 0),
                c("x, y, z", Kind.INVALID, 0),
                c("1,".repeat(2000), Kind.SECONDS, 1_000),
                c(", ".repeat(2000), Kind.INVALID, 0),
                // HTTP-dates against the local clock (37 s before the RFC example)
                c("Sun, 06 Nov 1994 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("  Sun, 06 Nov 1994 08:49:37 GMT  ", Kind.HTTP_DATE, 37_000),
                c("sun, 06 nov 1994 08:49:37 gmt", Kind.HTTP_DATE, 37_000),
                c("SUN, 06 NOV 1994 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("Sun, 6 Nov 1994 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("06 Nov 1994 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("Sun, 06 Nov 1994 08:49:37 +0000", Kind.HTTP_DATE, 37_000),
                c("Sun, 06 Nov 1994 09:49:37 +0100", Kind.HTTP_DATE, 37_000),
                c("Sunday, 06-Nov-94 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("sunday, 06-nov-94 08:49:37 gmt", Kind.HTTP_DATE, 37_000),
                c("Sun Nov  6 08:49:37 1994", Kind.HTTP_DATE, 37_000),
                c("Sun Nov 6 08:49:37 1994", Kind.HTTP_DATE, 37_000),
                c("Wed Nov 16 08:49:37 1994", Kind.CLAMPED, 900_000),
                c("Sun Nov 16 08:49:37 1994", Kind.INVALID, 0), // 16 Nov 1994 was a Wednesday
                c("Sun, 06 Nov 1994 08:51:37 GMT", Kind.HTTP_DATE, 157_000),
                c("Sun, 06 Nov 1994 08:48:37 GMT", Kind.HTTP_DATE, 0), // in the past
                c("Thu, 01 Jan 1970 00:00:00 GMT", Kind.HTTP_DATE, 0),
                c("Sun, 06 Nov 1994 09:04:37 GMT", Kind.CLAMPED, 900_000),
                c("06 Nov 2094 08:49:37 GMT", Kind.CLAMPED, 900_000),
                c("Sun, 06 Nov 1994 08:49:37 GMT, 5", Kind.HTTP_DATE, 37_000),
                c("junk, Sun, 06 Nov 1994 08:49:37 GMT", Kind.HTTP_DATE, 37_000),
                c("5, Sun, 06 Nov 1994 08:49:37 GMT", Kind.SECONDS, 5_000),
                c("Sun, 06 Nov 1994 08:50:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT", Kind.HTTP_DATE, 97_000),
                c("Mon, 06 Nov 1994 08:49:37 GMT, 5", Kind.SECONDS, 5_000), // the bad date is skipped whole
                c("Sun,", Kind.INVALID, 0),
                // malformed dates
                c("Mon, 06 Nov 1994 08:49:37 GMT", Kind.INVALID, 0), // wrong weekday
                c("Sun, 32 Nov 1994 08:49:37 GMT", Kind.INVALID, 0),
                c("Sun, 06 Nov 1994 25:49:37 GMT", Kind.INVALID, 0),
                c("Sun, 06 Foo 1994 08:49:37 GMT", Kind.INVALID, 0),
                c("Sun, 06 Nov 1994 08:49:37 PST", Kind.INVALID, 0),
                c("Sun, 06 Nov 1994", Kind.INVALID, 0),
                c("1994-11-06T08:49:37Z", Kind.INVALID, 0),
                c("Sunday, 06-Nov-1994 08:49:37 GMT", Kind.INVALID, 0),
                c("Sun Nov  6 08:49:37", Kind.INVALID, 0),
                c("tomorrow", Kind.INVALID, 0));
    }

    private static Arguments c(String value, Kind kind, long millis) {
        return Arguments.of(value, kind, millis);
    }

    @ParameterizedTest(name = "[{index}] {1} {2}ms")
    @MethodSource("corpus")
    void corpus(String value, Kind kind, long millis) {
        RetryAfter r = RetryAfterParser.parse(value, null, CLOCK_1994, MAX);
        assertEquals(kind, r.kind(), () -> "kind of '" + value + "' reason " + r.reason());
        assertEquals(Duration.ofMillis(millis), r.delay(), () -> "delay of '" + value + "'");
        assertEquals(value, r.raw());
        boolean usable = kind != Kind.INVALID;
        assertEquals(usable, r.hasDelay());
        assertEquals(usable ? millis * 1_000_000L : -1L, r.delayNanos());
        if (kind == Kind.INVALID || kind == Kind.CLAMPED) {
            assertNotNull(r.reason());
        } else {
            assertNull(r.reason());
        }
    }

    @Test
    void absent() {
        RetryAfter r = RetryAfterParser.parse((String) null, null, CLOCK_1994, MAX);
        assertEquals(Kind.ABSENT, r.kind());
        assertFalse(r.hasDelay());
        assertEquals(-1L, r.delayNanos());
        assertEquals(Duration.ZERO, r.delay());
        assertEquals(Kind.ABSENT, RetryAfterParser.parse((Map<String, ?>) null, CLOCK_1994, MAX).kind());
        assertEquals(Kind.ABSENT, RetryAfterParser.parse(Map.of("Date", "x"), CLOCK_1994, MAX).kind());
    }

    @Test
    void largeMaxKeepsLargeValues() {
        Duration max = Duration.ofSeconds(1_000_000_000L);
        RetryAfter r = RetryAfterParser.parse("999999999", null, CLOCK_2026, max);
        assertEquals(Kind.SECONDS, r.kind());
        assertEquals(Duration.ofSeconds(999_999_999L), r.delay());
        assertEquals(Kind.CLAMPED, RetryAfterParser.parse("1000000000.001", null, CLOCK_2026, max).kind());
        assertEquals(Kind.SECONDS, RetryAfterParser.parse("1000000000.000", null, CLOCK_2026, max).kind());
    }

    @Test
    void maxOfLongSecondsDoesNotOverflow() {
        Duration max = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        RetryAfter r = RetryAfterParser.parse("9223372036854775807.5", null, CLOCK_2026, max);
        assertEquals(Kind.SECONDS, r.kind());
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE, 500_000_000), r.delay());
        assertEquals(Long.MAX_VALUE, r.delayNanos());
        assertEquals(Kind.CLAMPED, RetryAfterParser.parse("9223372036854775808", null, CLOCK_2026, max).kind());
    }

    @Test
    void httpDateIsMeasuredAgainstTheServersDate() {
        String value = "Sun, 06 Nov 1994 08:50:37 GMT";
        // server says it is 08:49:37, the local clock is in 2026: 60 s by the server's clock
        RetryAfter r = RetryAfterParser.parse(value, "Sun, 06 Nov 1994 08:49:37 GMT", CLOCK_2026, MAX);
        assertEquals(Kind.HTTP_DATE, r.kind());
        assertEquals(Duration.ofSeconds(60), r.delay());
        // any HTTP-date form works as the Date header
        assertEquals(Duration.ofSeconds(60),
                RetryAfterParser.parse(value, "Sun Nov  6 08:49:37 1994", CLOCK_2026, MAX).delay());
        // unparseable Date: the local clock (08:49:00) decides
        assertEquals(Duration.ofSeconds(97), RetryAfterParser.parse(value, "garbage", CLOCK_1994, MAX).delay());
        assertEquals(Duration.ofSeconds(97), RetryAfterParser.parse(value, "", CLOCK_1994, MAX).delay());
        // local 2026 clock, no Date: long past
        assertEquals(Duration.ZERO, RetryAfterParser.parse(value, null, CLOCK_2026, MAX).delay());
        // delay-seconds ignore the Date
        assertEquals(Duration.ofSeconds(3), RetryAfterParser.parse("3", "Sun, 06 Nov 1994 08:49:37 GMT",
                CLOCK_2026, MAX).delay());
    }

    @Test
    void rfc850TwoDigitYearMoreThan50YearsAheadIsInThePastCentury() {
        Duration big = Duration.ofDays(366 * 100);
        // local year 2026: "76" -> 2076 (50 years ahead, allowed); 6 Nov 2076 is a Friday
        RetryAfter future = RetryAfterParser.parse("Friday, 06-Nov-76 08:49:37 GMT", null, CLOCK_2026, big);
        assertEquals(Kind.HTTP_DATE, future.kind());
        assertEquals(Duration.between(Instant.ofEpochMilli(CLOCK_2026.wallMillis()),
                Instant.parse("2076-11-06T08:49:37Z")), future.delay());
        // "77" -> 1977 (2077 would be 51 years ahead); 6 Nov 1977 is a Sunday
        RetryAfter past = RetryAfterParser.parse("Sunday, 06-Nov-77 08:49:37 GMT", null, CLOCK_2026, big);
        assertEquals(Kind.HTTP_DATE, past.kind());
        assertEquals(Duration.ZERO, past.delay());
        // so the weekday of 2077 does not match
        assertEquals(Kind.INVALID,
                RetryAfterParser.parse("Saturday, 06-Nov-77 08:49:37 GMT", null, CLOCK_2026, big).kind());
        // the same digits read in 1994 give 1976 / 1977: '76' is a Saturday then
        assertEquals(Kind.HTTP_DATE,
                RetryAfterParser.parse("Saturday, 06-Nov-76 08:49:37 GMT", null, CLOCK_1994, big).kind());
    }

    @Test
    void headerLookupIgnoresCaseAndUnwrapsValues() {
        Map<String, Object> m = new HashMap<>();
        m.put("retry-after", "12");
        m.put(null, "x");
        assertEquals("12", RetryAfterParser.header(m, "Retry-After"));
        assertEquals("12", RetryAfterParser.header(m, "RETRY-AFTER"));
        assertNull(RetryAfterParser.header(m, "Date"));
        assertNull(RetryAfterParser.header(null, "Date"));
        assertNull(RetryAfterParser.header(m, null));

        assertEquals("a", RetryAfterParser.header(Map.of("Retry-after", List.of("a", "b")), "retry-after"));
        assertEquals("a", RetryAfterParser.header(Map.of("Retry-after", new String[] {"a", "b"}), "retry-after"));
        assertEquals("7", RetryAfterParser.header(Map.of("Retry-after", new int[] {7}), "retry-after"));
        assertEquals("30", RetryAfterParser.header(Map.of("Retry-After", 30), "retry-after"));
        assertNull(RetryAfterParser.header(Map.of("Retry-After", List.of()), "Retry-After"));
        assertNull(RetryAfterParser.header(Map.of("Retry-After", new Object[0]), "Retry-After"));
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        withNull.add("9");
        assertNull(RetryAfterParser.header(Map.of("Retry-After", withNull), "Retry-After"));
        assertEquals(List.of("9"), RetryAfterParser.headerValues(Map.of("Retry-After", withNull), "Retry-After"));

        // exact key first, then the first case-insensitive match in iteration order
        Map<String, Object> two = new LinkedHashMap<>();
        two.put("retry-after", "1");
        two.put("Retry-After", "2");
        assertEquals("2", RetryAfterParser.header(two, "Retry-After"));
        assertEquals("1", RetryAfterParser.header(two, "RETRY-AFTER"));

        Map<String, Object> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ci.put("RETRY-AFTER", "4");
        assertEquals("4", RetryAfterParser.header(ci, "Retry-After"));
    }

    @Test
    void parseHeaderMapTriesEveryValueAndUsesTheDateHeader() {
        Map<String, Object> m = new HashMap<>();
        m.put("retry-after", List.of("soon", "-3", "Sun, 06 Nov 1994 08:50:37 GMT"));
        m.put("date", List.of("Sun, 06 Nov 1994 08:49:37 GMT"));
        RetryAfter r = RetryAfterParser.parse(m, CLOCK_2026, MAX);
        assertEquals(Kind.HTTP_DATE, r.kind());
        assertEquals(Duration.ofSeconds(60), r.delay());
        assertEquals("Sun, 06 Nov 1994 08:50:37 GMT", r.raw());

        RetryAfter arr = RetryAfterParser.parse(Map.of("Retry-After", new String[] {"x", "5, 10"}), CLOCK_2026, MAX);
        assertEquals(Duration.ofSeconds(5), arr.delay());

        // nothing valid: the first element's verdict
        RetryAfter bad = RetryAfterParser.parse(Map.of("RETRY-AFTER", List.of("soon", "-3")), CLOCK_2026, MAX);
        assertEquals(Kind.INVALID, bad.kind());
        assertEquals("soon", bad.raw());

        assertEquals(Kind.ABSENT, RetryAfterParser.parse(Map.of("Retry-After", List.of()), CLOCK_2026, MAX).kind());
        assertEquals(Duration.ofSeconds(30),
                RetryAfterParser.parse(Map.of("Retry-After", 30), CLOCK_2026, MAX).delay());
    }

    @Test
    void programmingErrorsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RetryAfterParser.parse("1", null, CLOCK_2026, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> RetryAfterParser.parse("1", null, CLOCK_2026, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> RetryAfterParser.parse("1", null, null, MAX));
        assertThrows(NullPointerException.class, () -> RetryAfterParser.parse("1", null, CLOCK_2026, null));
    }

    @Test
    void hostileValuesNeverThrow() {
        // a cheap fuzz: random printable junk around the grammar's characters, seeded
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        String alphabet = "0123456789 ,.-+:eE\tGMTSunNovInfinityNaN\u0000\u0663";
        for (int i = 0; i < 20_000; i++) {
            int len = random.nextInt(40);
            StringBuilder sb = new StringBuilder(len);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            RetryAfter r = RetryAfterParser.parse(sb.toString(), sb.reverse().toString(), CLOCK_2026, MAX);
            assertNotNull(r);
            assertFalse(r.delay().isNegative());
            assertTrue(r.delay().compareTo(MAX) <= 0);
        }
    }
}
