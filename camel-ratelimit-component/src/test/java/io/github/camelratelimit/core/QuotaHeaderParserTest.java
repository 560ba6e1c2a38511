package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Corpus tests of {@link QuotaHeaderParser}: real-looking headers from public API docs (GitHub, Discord, Okta, X,
 * IETF draft examples), the epoch/delta rule edges, Date-relative epochs, several policies and hostile values.
 * Every expectation is an exact number.
 */
class QuotaHeaderParserTest {

    /** 2026-01-01T00:00:00Z, the local wall clock unless a test says otherwise. */
    static final long WALL = 1_767_225_600_000L;
    static final Duration MAX_RESET = Duration.ofMinutes(15);
    static final long S = 1_000_000_000L;

    final List<String> warnings = new ArrayList<>();

    ProviderQuota parse(String... lines) {
        return parseAt(WALL, MAX_RESET, lines);
    }

    ProviderQuota parseAt(long wall, Duration maxReset, String... lines) {
        return QuotaHeaderParser.DEFAULT.parse(headers(lines), wall, maxReset, warnings::add);
    }

    /** "Name: value" lines; a repeated name becomes a List of its values, as separate field lines would. */
    static Map<String, Object> headers(String... lines) {
        Map<String, Object> h = new LinkedHashMap<>();
        for (String line : lines) {
            int i = line.indexOf(':');
            String name = line.substring(0, i);
            String value = line.substring(i + 1).trim();
            h.merge(name, value, (a, b) -> {
                List<Object> all = new ArrayList<>(a instanceof List ? (List<?>) a : List.of(a));
                all.add(b);
                return all;
            });
        }
        return h;
    }

    static ProviderQuota quota(long limit, long remaining, long resetNanos, long windowNanos) {
        return new ProviderQuota(limit, remaining, resetNanos, windowNanos);
    }

    void assertNoWarnings() {
        assertEquals(List.of(), warnings);
    }

    void assertWarned(String fragment) {
        assertTrue(warnings.stream().anyMatch(w -> w.contains(fragment)),
                () -> "expected a warning containing '" + fragment + "' in " + warnings);
    }

    @Nested
    class GitHub {

        @Test
        void primaryLimitMeasuresEpochAgainstDate() {
            // docs.github.com "Rate limits for the REST API": reset 1372700873 = 17:47:53Z, 1247 s after Date
            ProviderQuota q = parseAt(WALL, Duration.ofHours(1),
                    "date: Mon, 01 Jul 2013 17:27:06 GMT",
                    "x-ratelimit-limit: 60",
                    "x-ratelimit-remaining: 56",
                    "x-ratelimit-used: 4",
                    "x-ratelimit-reset: 1372700873",
                    "x-ratelimit-resource: core");
            assertEquals(quota(60, 56, 1247 * S, -1), q);
            assertNoWarnings();
        }

        @Test
        void resetBeyondMaxResetIsClampedAndRemainingScaledToKeepTheRate() {
            ProviderQuota q = parse(
                    "date: Mon, 01 Jul 2013 17:27:06 GMT",
                    "x-ratelimit-limit: 60",
                    "x-ratelimit-remaining: 56",
                    "x-ratelimit-reset: 1372700873");
            // 56 per 1247 s -> floor(56 * 900 / 1247) = 40 per 900 s
            assertEquals(quota(60, 40, 900 * S, -1), q);
            assertEquals(List.of("X-RateLimit-Reset: reset in 1247 s clamped to maxReset 900 s,"
                    + " remaining 56 scaled to 40"), warnings);
        }

        @Test
        void usedGivesRemainingWhenRemainingIsAbsent() {
            ProviderQuota q = parse("x-ratelimit-limit: 5000", "x-ratelimit-used: 4990",
                    "x-ratelimit-reset: " + (WALL / 1000 + 120));
            assertEquals(quota(5000, 10, 120 * S, -1), q);
            assertNoWarnings();
        }

        @Test
        void exhaustedPrimaryLimit() {
            ProviderQuota q = parse("x-ratelimit-limit: 5000", "x-ratelimit-remaining: 0", "x-ratelimit-used: 5000",
                    "x-ratelimit-reset: " + (WALL / 1000 + 42));
            assertEquals(quota(5000, 0, 42 * S, -1), q);
        }

        @Test
        void usedAboveLimitIsIgnored() {
            ProviderQuota q = parse("x-ratelimit-limit: 60", "x-ratelimit-used: 61");
            assertEquals(quota(60, -1, -1, -1), q);
            assertWarned("X-RateLimit-Used 61 ignored: exceeds X-RateLimit-Limit 60");
        }
    }

    @Nested
    class Discord {

        @Test
        void resetAfterWinsOverEpochReset() {
            // discord.com/developers/docs/topics/rate-limits#header-format
            ProviderQuota q = parse(
                    "X-RateLimit-Limit: 5",
                    "X-RateLimit-Remaining: 0",
                    "X-RateLimit-Reset: 1470173023",
                    "X-RateLimit-Reset-After: 1",
                    "X-RateLimit-Bucket: abcd1234");
            assertEquals(quota(5, 0, S, -1), q);
            assertNoWarnings();
        }

        @Test
        void decimalResetAfter() {
            ProviderQuota q = parse("X-RateLimit-Limit: 50", "X-RateLimit-Remaining: 47",
                    "X-RateLimit-Reset-After: 0.850", "X-RateLimit-Scope: user");
            assertEquals(quota(50, 47, 850_000_000L, -1), q);
        }

        @Test
        void decimalEpochSecondsAgainstDate() {
            ProviderQuota q = parse("Date: Tue, 02 Aug 2016 21:23:42 GMT", "X-RateLimit-Limit: 5",
                    "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 1470173023.123");
            assertEquals(quota(5, 0, 1_123_000_000L, -1), q);
            assertNoWarnings();
        }
    }

    @Nested
    class OktaAndX {

        @Test
        void okta() {
            // developer.okta.com/docs/reference/rl-best-practices: reset is UTC epoch seconds
            ProviderQuota q = parse("Date: Thu, 31 Dec 2020 23:59:00 GMT", "X-Rate-Limit-Limit: 1200",
                    "X-Rate-Limit-Remaining: 1199", "X-Rate-Limit-Reset: 1609459200");
            assertEquals(quota(1200, 1199, 60 * S, -1), q);
            assertNoWarnings();
        }

        @Test
        void xApi() {
            // X API v2 fundamentals: x-rate-limit-reset is a Unix timestamp, 15-minute windows
            ProviderQuota q = parse("date: Tue, 16 Jan 2024 15:50:00 GMT", "x-rate-limit-limit: 900",
                    "x-rate-limit-remaining: 847", "x-rate-limit-reset: 1705420800");
            assertEquals(quota(900, 847, 600 * S, -1), q);
        }

        @Test
        void xRateLimitFamilyIsPreferredOverXRateDashLimit() {
            ProviderQuota q = parse("X-Rate-Limit-Remaining: 1", "X-RateLimit-Remaining: 2");
            assertEquals(quota(-1, 2, -1, -1), q);
        }
    }

    @Nested
    class IetfStructuredFields {

        @Test
        void serviceLimitOnly() {
            assertEquals(quota(-1, 50, 30 * S, -1), parse("RateLimit: \"default\";r=50;t=30"));
            assertNoWarnings();
        }

        @Test
        void policyAndServiceLimit() {
            // draft-11 B.2.1
            ProviderQuota q = parse("RateLimit: \"fixedwindow\";r=99;t=50",
                    "RateLimit-Policy: \"fixedwindow\";q=100;w=60");
            assertEquals(quota(100, 99, 50 * S, 60 * S), q);
            assertNoWarnings();
        }

        @Test
        void policyOnlyGivesLimitAndWindow() {
            // draft-11 3.2, with a partition key (not compared)
            ProviderQuota q = parse("RateLimit-Policy: \"peruser\";q=100;w=60;pk=:cHsdsRa894==:");
            assertEquals(quota(100, -1, -1, 60 * S), q);
            assertNoWarnings();
        }

        @Test
        void severalPoliciesTakeTheSmallestQuotaPerWindow() {
            // draft-11 B.3.1: hour 1000/3600 s (0.28/s), day 5000/86400 s (0.058/s)
            ProviderQuota q = parseAt(WALL, Duration.ofDays(1),
                    "RateLimit-Policy: \"hour\";q=1000;w=3600, \"day\";q=5000;w=86400",
                    "RateLimit: \"day\";r=100;t=36000");
            assertEquals(quota(5000, 100, 36_000 * S, 86_400 * S), q);
            assertNoWarnings();
        }

        @Test
        void longEffectiveWindowIsClampedKeepingItsRate() {
            ProviderQuota q = parse("RateLimit-Policy: \"hour\";q=1000;w=3600, \"day\";q=5000;w=86400",
                    "RateLimit: \"day\";r=100;t=36000");
            // 100 per 36000 s -> floor(100 * 900 / 36000) = 2 per 900 s
            assertEquals(quota(5000, 2, 900 * S, 86_400 * S), q);
            assertEquals(List.of("RateLimit: reset in 36000 s clamped to maxReset 900 s, remaining 100 scaled to 2"),
                    warnings);
        }

        @Test
        void severalServiceLimitsTakeTheSmallestRemainingPerReset() {
            ProviderQuota q = parseAt(WALL, Duration.ofHours(1),
                    "RateLimit-Policy: \"permin\";q=50;w=60, \"perhr\";q=1000;w=3600",
                    "RateLimit: \"permin\";r=5;t=10, \"perhr\";r=100;t=3000");
            // permin 0.5/s, perhr 0.033/s -> perhr; limit 1000/3600 s is below 50/60 s
            assertEquals(quota(1000, 100, 3000 * S, 3600 * S), q);
        }

        @Test
        void remainingZeroWins() {
            ProviderQuota q = parse("RateLimit: \"day\";r=100;t=600, \"burst\";r=0;t=1");
            assertEquals(quota(-1, 0, S, -1), q);
        }

        @Test
        void amongExhaustedPoliciesTheLongestResetWins() {
            ProviderQuota q = parse("RateLimit: \"a\";r=0;t=5, \"b\";r=0;t=20, \"c\";r=3;t=1");
            assertEquals(quota(-1, 0, 20 * S, -1), q);
        }

        @Test
        void serviceLimitWithoutEffectiveWindowRanksLast() {
            ProviderQuota q = parse("RateLimit: \"trial\";r=999;pk=:dHJpYWwxMjEzMjM=:, \"default\";r=10;t=5");
            assertEquals(quota(-1, 10, 5 * S, -1), q);
            assertEquals(quota(-1, 999, -1, -1), parse("RateLimit: \"trial\";r=999;pk=:dHJpYWwxMjEzMjM=:"));
        }

        @Test
        void throttledResponseWithRetryAfter() {
            // draft-11 B.1.4 (Retry-After is the glue's business; it takes precedence there)
            ProviderQuota q = parse("Date: Mon, 05 Aug 2019 09:27:00 GMT",
                    "Retry-After: Mon, 05 Aug 2019 09:27:05 GMT", "RateLimit: \"default\";r=0;t=5");
            assertEquals(quota(-1, 0, 5 * S, -1), q);
        }

        @Test
        void dynamicPushBack() {
            // draft-11 B.2.3
            ProviderQuota q = parse("RateLimit-Policy: \"dynamic\";q=15;w=20", "RateLimit: \"dynamic\";r=0;t=20");
            assertEquals(quota(15, 0, 20 * S, 20 * S), q);
        }

        @Test
        void otherQuotaUnitsAreSkipped() {
            // draft-11 3.2 / 4.2: a content-bytes policy says nothing about requests
            ProviderQuota q = parse(
                    "RateLimit-Policy: \"peruser\";q=65535;qu=\"content-bytes\";w=10;pk=:sdfjLJUOUH==:",
                    "RateLimit: \"peruser\";r=300000;t=60;pk=:QXBwLTk5OQ==:");
            assertEquals(ProviderQuota.UNKNOWN, q);
            assertNoWarnings();
            assertEquals(quota(100, -1, -1, 60 * S),
                    parse("RateLimit-Policy: \"a\";q=100;w=60;qu=\"requests\", \"b\";q=1;w=60;qu=\"concurrent-requests\""));
        }

        @Test
        void listSplitOverSeveralFieldLines() {
            // draft-11 FAQ: vendor parameters are comments
            ProviderQuota q = parse("RateLimit-Policy: \"sliding\";q=100;w=60;burst=1000",
                    "RateLimit-Policy: \"fixed\";q=5000;w=3600;burst=0", "RateLimit: \"sliding\";r=50;t=44");
            assertEquals(quota(5000, 50, 44 * S, 3600 * S), q);
            assertNoWarnings();
        }

        @Test
        void remainingAbovePolicyQuotaIsContradictory() {
            ProviderQuota q = parse("RateLimit-Policy: \"p\";q=10;w=1", "RateLimit: \"p\";r=11;t=1");
            assertEquals(quota(10, -1, -1, S), q);
            assertWarned("RateLimit \"p\" ignored: r=11 exceeds the policy's q=10");
        }

        @Test
        void effectiveWindowIsDeltaSecondsEvenWhenLarge() {
            ProviderQuota q = parse("RateLimit: \"d\";r=0;t=1767225630");
            assertEquals(quota(-1, 0, 900 * S, -1), q);
            assertWarned("clamped to maxReset 900 s");
        }

        @Test
        void structuredFieldsWinOverSeparateHeaders() {
            ProviderQuota q = parse("X-RateLimit-Remaining: 7", "RateLimit: \"default\";r=50;t=30");
            assertEquals(quota(-1, 50, 30 * S, -1), q);
        }

        @Test
        void unusableStructuredFieldsFallBackToSeparateHeaders() {
            ProviderQuota q = parse("X-RateLimit-Remaining: 7", "RateLimit: \"default\";r=oops");
            assertEquals(quota(-1, 7, -1, -1), q);
            assertEquals(List.of("RateLimit \"default\" r=oops ignored: not an integer"), warnings);
        }
    }

    @Nested
    class OlderIetfDrafts {

        @Test
        void draft07Dictionary() {
            ProviderQuota q = parse("RateLimit-Policy: 100;w=10", "RateLimit: limit=100, remaining=50, reset=5");
            assertEquals(quota(100, 50, 5 * S, 10 * S), q);
            assertNoWarnings();
        }

        @Test
        void draft07DictionaryWithSeveralPolicies() {
            ProviderQuota q = parse("RateLimit-Policy: 10;w=1, 50;w=60, 1000;w=3600, 5000;w=86400",
                    "RateLimit: limit=10, remaining=1, reset=7");
            assertEquals(quota(5000, 1, 7 * S, 86_400 * S), q);
        }

        @Test
        void draft07DictionaryRemainingAboveLimit() {
            ProviderQuota q = parse("RateLimit: limit=10, remaining=11, reset=7");
            assertEquals(quota(10, -1, 7 * S, -1), q);
            assertWarned("RateLimit remaining=11 ignored: exceeds limit=10");
        }

        @Test
        void separateFields() {
            ProviderQuota q = parse("RateLimit-Limit: 100", "RateLimit-Remaining: 50", "RateLimit-Reset: 30");
            assertEquals(quota(100, 50, 30 * S, -1), q);
            assertNoWarnings();
        }

        @Test
        void limitFieldWithPolicies() {
            ProviderQuota q = parse("RateLimit-Limit: 10, 10;w=1, 50;w=60", "RateLimit-Remaining: 9",
                    "RateLimit-Reset: 1");
            assertEquals(quota(10, 9, S, S), q);
            assertEquals(quota(100, 1, 2 * S, 60 * S), parse("RateLimit-Limit: 100, 100;window=60",
                    "RateLimit-Remaining: 1", "RateLimit-Reset: 2"));
        }
    }

    @Nested
    class EpochOrDeltaRule {

        long reset(String value) {
            return parse("X-RateLimit-Remaining: 0", "X-RateLimit-Reset: " + value).resetNanos();
        }

        @Test
        void belowOneBillionIsDeltaSeconds() {
            assertEquals(0L, reset("0"));
            assertEquals(30 * S, reset("30"));
            assertEquals(1_500_000_000L, reset("1.5"));
            assertEquals(900 * S, reset("900"));
            assertNoWarnings();
            assertEquals(900 * S, reset("999999999"));
            assertWarned("X-RateLimit-Reset: reset in 999999999 s clamped to maxReset 900 s");
        }

        @Test
        void fromOneBillionIsEpochSeconds() {
            assertEquals(30 * S, reset(String.valueOf(WALL / 1000 + 30)));
            assertEquals(30_500_000_000L, reset((WALL / 1000 + 30) + ".5"));
            assertNoWarnings();
            // 1e9 itself is 2001-09-09: long past
            assertEquals(0L, reset("1000000000"));
            assertWarned("X-RateLimit-Reset '1000000000' lies 767225600 s in the past of the local clock");
        }

        @Test
        void justBelowOneTrillionIsStillEpochSeconds() {
            assertEquals(900 * S, reset("999999999999"));
            assertWarned("clamped to maxReset 900 s");
        }

        @Test
        void fromOneTrillionIsEpochMilliseconds() {
            assertEquals(30_250_000_000L, reset(String.valueOf(WALL + 30_250)));
            assertEquals(0L, reset("1000000000000"));
            assertWarned("lies 767225600 s in the past");
        }

        @Test
        void epochRoundingJustInThePastIsZeroWithoutWarning() {
            ProviderQuota q = parseAt(WALL + 600, MAX_RESET, "X-RateLimit-Remaining: 0",
                    "X-RateLimit-Reset: " + (WALL / 1000));
            assertEquals(quota(-1, 0, 0, -1), q);
            assertNoWarnings();
        }

        @Test
        void epochIsMeasuredAgainstDateNotTheLocalClock() {
            // the local clock runs 10 s ahead of the server: Date says 23:59:50, reset is 00:01:00
            ProviderQuota q = parse("Date: Wed, 31 Dec 2025 23:59:50 GMT", "X-RateLimit-Remaining: 0",
                    "X-RateLimit-Reset: " + (WALL / 1000 + 60));
            assertEquals(70 * S, q.resetNanos());
            assertNoWarnings();
        }

        @Test
        void unparseableDateFallsBackToTheLocalClock() {
            ProviderQuota q = parse("Date: yesterday-ish", "X-RateLimit-Remaining: 0",
                    "X-RateLimit-Reset: " + (WALL / 1000 + 60));
            assertEquals(60 * S, q.resetNanos());
            assertEquals(List.of("Date 'yesterday-ish' is not an RFC 1123 date; epoch resets measured against"
                    + " the local clock"), warnings);
        }

        @Test
        void deltaResetsDoNotLookAtDate() {
            ProviderQuota q = parse("Date: yesterday-ish", "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 60");
            assertEquals(60 * S, q.resetNanos());
            assertNoWarnings();
        }
    }

    @Nested
    class Hostile {

        @ParameterizedTest
        @ValueSource(strings = {"abc", "-5", "NaN", "Infinity", "1e5", "0x10", "5.5", "+5", "5 5", "\u0663",
            "99999999999999999999999999", "1000000001", ";;;", "\"5\"", "5;w=1,"})
        void garbageCountIsIgnoredFieldWise(String value) {
            ProviderQuota q = parse("X-RateLimit-Limit: 100", "X-RateLimit-Remaining: " + value,
                    "X-RateLimit-Reset: 30");
            assertEquals(quota(100, -1, 30 * S, -1), q);
            assertEquals(1, warnings.size(), () -> warnings.toString());
            assertTrue(warnings.get(0).startsWith("X-RateLimit-Remaining"), warnings::toString);
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "-5", "NaN", "Infinity", "1e5", "0x10", ".5", "5.", "1.0000000001",
            "123456789012345678901", "\u0663", "Thu, 01 Jan 2026 00:00:30", "Fri, 01 Jan 2026 00:00:30 GMT"})
        void garbageResetIsIgnoredFieldWise(String value) {
            ProviderQuota q = parse("X-RateLimit-Limit: 100", "X-RateLimit-Remaining: 5", "X-RateLimit-Reset: " + value);
            assertEquals(quota(100, 5, -1, -1), q);
            assertEquals(1, warnings.size(), () -> warnings.toString());
        }

        @Test
        void httpDateResetIsAnAbsoluteTime() {
            ProviderQuota q = parse("Date: Wed, 31 Dec 2025 23:59:50 GMT", "X-RateLimit-Remaining: 0",
                    "X-RateLimit-Reset: Thu, 01 Jan 2026 00:00:30 GMT");
            assertEquals(quota(-1, 0, 40 * S, -1), q);
            assertNoWarnings();
        }

        @Test
        void hugeValidResetIsClamped() {
            ProviderQuota q = parse("X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 99999999999999999999");
            assertEquals(quota(-1, 0, 900 * S, -1), q);
            q = parse("X-RateLimit-Remaining: 0", "X-RateLimit-Reset-After: 99999999999999999999.5");
            assertEquals(quota(-1, 0, 900 * S, -1), q);
        }

        @Test
        void remainingAboveLimitIsDropped() {
            ProviderQuota q = parse("X-RateLimit-Limit: 10", "X-RateLimit-Remaining: 11", "X-RateLimit-Reset: 3");
            assertEquals(quota(10, -1, 3 * S, -1), q);
            assertEquals(List.of("X-RateLimit-Remaining 11 ignored: exceeds X-RateLimit-Limit 10"), warnings);
        }

        @Test
        void countAboveCapIsIgnored() {
            ProviderQuota q = parse("X-RateLimit-Limit: 1000000001", "X-RateLimit-Remaining: 1000000000");
            assertEquals(quota(-1, 1_000_000_000L, -1, -1), q);
            assertEquals(List.of("X-RateLimit-Limit '1000000001' ignored: above 1000000000"), warnings);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "\"default\";r=50;t=30,",            // trailing comma
            "\"default\";R=50",                  // keys are lowercase
            "\"default;r=50",                    // unterminated string
            "\"default\";r=50;t=30 x",           // garbage after a member
            "\"default\";r=1234567890123456",    // integer over 15 digits
            "\"default\";r=5;t=1.2345",          // decimal over 3 fraction digits
            "\"d\u00e9fault\";r=5",              // non-ASCII in a string
            "(\"a\" \"b\";r=5",                  // unterminated inner list
            "\"default\";r=?2",                  // bad boolean
        })
        void malformedStructuredFieldIsIgnoredWhole(String value) {
            ProviderQuota q = parse("RateLimit: " + value, "X-RateLimit-Remaining: 3");
            assertEquals(quota(-1, 3, -1, -1), q);
            assertEquals(1, warnings.size(), () -> warnings.toString());
            assertTrue(warnings.get(0).startsWith("RateLimit '"), warnings::toString);
            assertTrue(warnings.get(0).contains("ignored: malformed structured field"), warnings::toString);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"d\";r=-1;t=5", "\"d\";r=1.5;t=5", "\"d\";r=\"5\";t=5", "\"d\";r;t=5",
            "\"d\";r=5000000000;t=5", "\"d\";t=5", "(\"d\");r=1;t=5", "5;r=1;t=5"})
        void unusableServiceLimitMembersAreSkipped(String value) {
            ProviderQuota q = parse("RateLimit: " + value + ", \"ok\";r=4;t=2");
            assertEquals(quota(-1, 4, 2 * S, -1), q);
            assertEquals(1, warnings.size(), () -> warnings.toString());
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"d\";r=1;t=-5", "\"d\";r=1;t=abc", "\"d\";r=1;t=\"5\""})
        void badEffectiveWindowKeepsTheRemaining(String value) {
            assertEquals(quota(-1, 1, -1, -1), parse("RateLimit: " + value));
            assertEquals(1, warnings.size(), () -> warnings.toString());
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"p\";q=-1;w=60", "\"p\";w=60", "\"p\";q=1.5;w=60", "\"p\";q=100;qu=5",
            "?1;q=100;w=60", "(1 2);w=3"})
        void unusablePoliciesAreSkipped(String value) {
            assertEquals(quota(10, -1, -1, 10 * S), parse("RateLimit-Policy: " + value + ", \"ok\";q=10;w=10"));
            assertEquals(1, warnings.size(), () -> warnings.toString());
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-60", "31622401", "1.5", "abc"})
        void badPolicyWindowIsIgnored(String w) {
            // without a window, a policy alone paces nothing: the limit is only reported with a service limit
            assertEquals(ProviderQuota.UNKNOWN, parse("RateLimit-Policy: \"p\";q=100;w=" + w));
            assertEquals(1, warnings.size(), () -> warnings.toString());
            warnings.clear();
            assertEquals(quota(100, 7, 3 * S, -1),
                    parse("RateLimit-Policy: \"p\";q=100;w=" + w, "RateLimit: \"p\";r=7;t=3"));
            assertEquals(1, warnings.size(), () -> warnings.toString());
        }

        @Test
        void zeroQuotaPolicyDoesNotSetALimitRate() {
            assertEquals(quota(5, -1, -1, 60 * S), parse("RateLimit-Policy: \"off\";q=0;w=60, \"on\";q=5;w=60"));
        }

        @Test
        void overlongValuesAreIgnored() {
            String longValue = "\"p\";r=1;t=1, ".repeat(400) + "\"p\";r=1;t=1";
            ProviderQuota q = parse("RateLimit: " + longValue, "X-RateLimit-Remaining: " + "9".repeat(5000));
            assertEquals(ProviderQuota.UNKNOWN, q);
            assertEquals(List.of("RateLimit ignored: longer than 4096 characters",
                    "X-RateLimit-Remaining ignored: longer than 4096 characters"), warnings);
        }

        @Test
        void tooManyMembersIsMalformed() {
            String many = "\"p\";r=1;t=1, ".repeat(64) + "\"p\";r=1;t=1";
            assertEquals(ProviderQuota.UNKNOWN, parse("RateLimit: " + many));
            assertWarned("more than 64 members");
        }

        @Test
        void warningsAreLogSafe() {
            parse("X-RateLimit-Remaining: \u001b[31mevil\r\nInjected: yes" + "x".repeat(100));
            assertEquals(1, warnings.size());
            String w = warnings.get(0);
            assertTrue(w.chars().allMatch(c -> c >= 0x20 && c < 0x7f), w);
            assertTrue(w.length() < 140, w);
        }

        @Test
        void nothingOrNullsGiveUnknown() {
            QuotaHeaderParser p = QuotaHeaderParser.DEFAULT;
            assertSame(ProviderQuota.UNKNOWN, p.parse(null, WALL, MAX_RESET, null));
            assertSame(ProviderQuota.UNKNOWN, p.parse(Map.of(), WALL, MAX_RESET, null));
            Map<String, Object> h = new HashMap<>();
            h.put(null, "x");
            h.put("X-RateLimit-Remaining", null);
            h.put("Content-Type", "application/json");
            assertSame(ProviderQuota.UNKNOWN, p.parse(h, WALL, MAX_RESET, null));
            assertSame(ProviderQuota.UNKNOWN, p.parse(headers("X-RateLimit-Remaining:  "), WALL, MAX_RESET, null));
        }

        @Test
        void seededFuzzNeverThrowsAndStaysInRange() {
            // mutations of well-formed corpus lines: random deletions, insertions and replacements of atoms
            String[] seeds = {"RateLimit: \"default\";r=50;t=30", "RateLimit: \"a\";r=0;t=5, \"b\";r=3;t=20",
                "RateLimit-Policy: \"hour\";q=1000;w=3600, \"day\";q=5000;w=86400;pk=:cHsd:",
                "RateLimit: limit=100, remaining=50, reset=5", "RateLimit-Policy: 10;w=1, 50;w=60",
                "RateLimit-Limit: 10, 10;w=1", "RateLimit-Remaining: 9", "RateLimit-Reset: 1",
                "X-RateLimit-Limit: 60", "X-RateLimit-Remaining: 56", "X-RateLimit-Used: 4",
                "X-RateLimit-Reset: 1767225630", "X-RateLimit-Reset: 1767225630123", "X-RateLimit-Reset-After: 1.337",
                "X-Rate-Limit-Reset: 30", "Date: Wed, 31 Dec 2025 23:59:50 GMT",
                "X-RateLimit-Reset: Thu, 01 Jan 2026 00:00:30 GMT"};
            String[] atoms = {"\"", ";", ",", " ", "(", ")", "=", "-", ".", "0", "9", "99999999999", "?1", ":",
                "@1", "%\"", "\\", "\t", "e", "NaN", "\u00e9", "\u0000", "r=", "t=", "q=", "w=", "qu=\"x\""};
            SplittableRandom random = new SplittableRandom(20260101L);
            int accepted = 0;
            int runs = 10_000;
            for (int i = 0; i < runs; i++) {
                Map<String, Object> h = new HashMap<>();
                for (int k = 1 + random.nextInt(3); k > 0; k--) {
                    String line = seeds[random.nextInt(seeds.length)];
                    int colon = line.indexOf(':');
                    StringBuilder v = new StringBuilder(line.substring(colon + 2));
                    for (int m = random.nextInt(4); m > 0; m--) {
                        int at = v.length() == 0 ? 0 : random.nextInt(v.length());
                        switch (random.nextInt(3)) {
                            case 0:
                                v.delete(at, Math.min(v.length(), at + 1 + random.nextInt(3)));
                                break;
                            case 1:
                                v.insert(at, atoms[random.nextInt(atoms.length)]);
                                break;
                            default:
                                v.replace(at, Math.min(v.length(), at + 1), atoms[random.nextInt(atoms.length)]);
                        }
                    }
                    h.put(line.substring(0, colon), random.nextInt(8) == 0 ? List.of(v.toString(), "1") : v.toString());
                }
                warnings.clear();
                ProviderQuota q = QuotaHeaderParser.DEFAULT.parse(h, WALL, MAX_RESET, warnings::add);
                assertFalse(warnings.stream().anyMatch(w -> w.contains("internal error")), () -> h + " -> " + warnings);
                assertTrue(q.limit() >= -1 && q.limit() <= QuotaHeaderParser.MAX_COUNT, q::toString);
                assertTrue(q.remaining() >= -1 && q.remaining() <= QuotaHeaderParser.MAX_COUNT, q::toString);
                assertTrue(q.resetNanos() >= -1 && q.resetNanos() <= MAX_RESET.toNanos(), q::toString);
                assertTrue(q.windowNanos() == -1
                        || (q.windowNanos() >= S && q.windowNanos() <= QuotaHeaderParser.MAX_WINDOW_SECONDS * S),
                        q::toString);
                assertTrue(warnings.stream().allMatch(w -> w.chars().allMatch(c -> c >= 0x20 && c < 0x7f)),
                        warnings::toString);
                if (!q.isEmpty()) {
                    accepted++;
                }
            }
            assertTrue(accepted > runs / 3, "fuzz should often still produce usable quotas: " + accepted);
        }
    }

    @Nested
    class HeaderAccess {

        @Test
        void namesAreCaseInsensitive() {
            assertEquals(quota(100, 5, 3 * S, -1),
                    parse("X-RATELIMIT-LIMIT: 100", "x-ratelimit-remaining: 5", "X-RateLimit-RESET: 3"));
            assertEquals(quota(-1, 5, 3 * S, -1), parse("ratelimit: \"d\";r=5;t=3"));
        }

        @Test
        void firstValueOfAListOrArrayAndNonStringValues() {
            Map<String, Object> h = new HashMap<>();
            h.put("X-RateLimit-Limit", 100);
            h.put("X-RateLimit-Remaining", List.of("5", "99"));
            h.put("X-RateLimit-Reset", new String[] {"3", "7"});
            assertEquals(quota(100, 5, 3 * S, -1), QuotaHeaderParser.DEFAULT.parse(h, WALL, MAX_RESET, null));
            // primitive arrays are read element-wise too (one lookup, HeaderValues, for every parser)
            h.put("X-RateLimit-Reset", new int[] {3});
            assertEquals(quota(100, 5, 3 * S, -1), QuotaHeaderParser.DEFAULT.parse(h, WALL, MAX_RESET, null));
        }

        @Test
        void customFamily() {
            QuotaHeaderParser parser = new QuotaHeaderParser(List.of(QuotaHeaderNames.withPrefix("X-Api-Quota-")));
            Map<String, Object> h = headers("X-Api-Quota-Limit: 10", "X-Api-Quota-Remaining: 4",
                    "X-Api-Quota-Reset: 20", "X-RateLimit-Remaining: 1");
            assertEquals(quota(10, 4, 20 * S, -1), parser.parse(h, WALL, MAX_RESET, null));
            QuotaHeaderParser only = new QuotaHeaderParser(
                    List.of(new QuotaHeaderNames(null, "X-Left", "X-Left-Reset", null, null)));
            assertEquals(quota(-1, 4, 20 * S, -1),
                    only.parse(headers("X-Left: 4", "X-Left-Reset: 20", "X-RateLimit-Limit: 9"), WALL, MAX_RESET, null));
            assertEquals(ProviderQuota.UNKNOWN,
                    new QuotaHeaderParser(List.of()).parse(headers("X-RateLimit-Remaining: 1"), WALL, MAX_RESET, null));
        }

        @Test
        void clockOverloadUsesWallMillis() {
            ManualClock clock = new ManualClock(0L, WALL);
            clock.advance(Duration.ofSeconds(10));
            ProviderQuota q = QuotaHeaderParser.DEFAULT.parse(
                    headers("X-RateLimit-Remaining: 0", "X-RateLimit-Reset: " + (WALL / 1000 + 60)), clock, MAX_RESET,
                    null);
            assertEquals(50 * S, q.resetNanos());
        }
    }

    @Nested
    class Configuration {

        @Test
        void invalidNamesFailFast() {
            assertThrows(IllegalArgumentException.class, () -> new QuotaHeaderNames(" ", null, null, null, null));
            assertThrows(IllegalArgumentException.class, () -> new QuotaHeaderNames("X-A:B", null, null, null, null));
            assertThrows(IllegalArgumentException.class, () -> new QuotaHeaderNames("X A", null, null, null, null));
            assertThrows(IllegalArgumentException.class, () -> QuotaHeaderNames.withPrefix(null));
            assertThrows(IllegalArgumentException.class, () -> new QuotaHeaderParser(Arrays.asList(
                    QuotaHeaderNames.X_RATELIMIT, null)));
        }

        @Test
        void maxResetMustBePositive() {
            Map<String, Object> h = headers("X-RateLimit-Remaining: 1");
            assertThrows(IllegalArgumentException.class, () -> QuotaHeaderParser.DEFAULT.parse(h, WALL, null, null));
            assertThrows(IllegalArgumentException.class,
                    () -> QuotaHeaderParser.DEFAULT.parse(h, WALL, Duration.ZERO, null));
            assertEquals(quota(-1, 0, Long.MAX_VALUE, -1), QuotaHeaderParser.DEFAULT.parse(
                    headers("X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 99999999999999999999"), WALL,
                    Duration.ofSeconds(Long.MAX_VALUE), null));
        }

        @Test
        void defaultFamilies() {
            assertEquals(List.of(QuotaHeaderNames.RATELIMIT_DRAFT, QuotaHeaderNames.X_RATELIMIT,
                    QuotaHeaderNames.X_RATE_LIMIT), QuotaHeaderParser.DEFAULT.families());
            assertEquals(new QuotaHeaderNames("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset",
                    "X-Rate-Limit-Reset-After", "X-Rate-Limit-Used"), QuotaHeaderNames.X_RATE_LIMIT);
        }
    }

    @Nested
    class StructuredFields {

        @Test
        void listOfItemsWithParameters() throws Exception {
            List<Object> l = StructuredFieldParser.parseList(
                    "  \"a\";q=1;w=2 ,\ttok/x:y;pk=:YWI=:;f=?0;d=@1659578233, -1.5;x, %\"caf%c3%a9\", (1 \"b\");z  ");
            assertEquals(5, l.size());
            StructuredFieldParser.Item a = (StructuredFieldParser.Item) l.get(0);
            assertEquals("a", a.value());
            assertEquals(Map.of("q", 1L, "w", 2L), a.params());
            StructuredFieldParser.Item tok = (StructuredFieldParser.Item) l.get(1);
            assertEquals(new StructuredFieldParser.Token("tok/x:y"), tok.value());
            assertEquals(new StructuredFieldParser.ByteSequence("YWI="), tok.param("pk"));
            assertEquals(Boolean.FALSE, tok.param("f"));
            assertEquals(new StructuredFieldParser.SfDate(1659578233L), tok.param("d"));
            StructuredFieldParser.Item dec = (StructuredFieldParser.Item) l.get(2);
            assertEquals(new BigDecimal("-1.5"), dec.value());
            assertEquals(Boolean.TRUE, dec.param("x"));
            assertEquals(new StructuredFieldParser.DisplayString("caf%c3%a9"),
                    ((StructuredFieldParser.Item) l.get(3)).value());
            StructuredFieldParser.InnerList inner = assertInstanceOf(StructuredFieldParser.InnerList.class, l.get(4));
            assertEquals(2, inner.items().size());
            assertEquals(Map.of("z", Boolean.TRUE), inner.params());
        }

        @Test
        void dictionary() throws Exception {
            Map<String, Object> d = StructuredFieldParser.parseDictionary("limit=100, remaining=50, reset=5, x;y=1");
            assertEquals(List.of("limit", "remaining", "reset", "x"), new ArrayList<>(d.keySet()));
            assertEquals(100L, ((StructuredFieldParser.Item) d.get("limit")).value());
            assertEquals(Boolean.TRUE, ((StructuredFieldParser.Item) d.get("x")).value());
        }

        @Test
        void escapesAndEmpty() throws Exception {
            assertEquals("a\"b\\c", ((StructuredFieldParser.Item) StructuredFieldParser.parseList("\"a\\\"b\\\\c\"")
                    .get(0)).value());
            assertEquals(List.of(), StructuredFieldParser.parseList("   "));
            assertEquals(999_999_999_999_999L,
                    ((StructuredFieldParser.Item) StructuredFieldParser.parseList("999999999999999").get(0)).value());
        }

        @ParameterizedTest
        @ValueSource(strings = {"a,", ",a", "a,,b", "\"a\\x\"", "1.", "1.2345", "1234567890123.1", "-", "?", "@1.5",
            "%a", "%\"%C3\"", ":a b:", "a;", "a;B=1", "a=1", "(a b", "(a,b)", "\"\u0001\""})
        void malformed(String input) {
            assertThrows(StructuredFieldParser.MalformedFieldException.class,
                    () -> StructuredFieldParser.parseList(input));
        }

        @ParameterizedTest
        @ValueSource(strings = {"A=1", "\"a\"=1", "a=1,", "a=(1"})
        void malformedDictionary(String input) {
            assertThrows(StructuredFieldParser.MalformedFieldException.class,
                    () -> StructuredFieldParser.parseDictionary(input));
        }
    }
}
