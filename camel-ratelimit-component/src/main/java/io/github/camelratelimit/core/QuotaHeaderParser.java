package io.github.camelratelimit.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a provider's own account of its quota from response headers and turns it into a {@link ProviderQuota}
 * that {@link LimiterState#applyProviderQuota} paces by ("pace before the 429").
 *
 * <h2>Families, first usable one wins</h2>
 * <ol>
 * <li>IETF draft-ietf-httpapi-ratelimit-headers (-08 and later; Structured Fields, RFC 9651):
 *     {@code RateLimit-Policy: "hour";q=1000;w=3600, "day";q=5000;w=86400} (q quota, w window seconds,
 *     qu quota unit, pk partition key) and {@code RateLimit: "day";r=100;t=36000} (r remaining, t delta
 *     seconds to the end of the effective window). Also draft-07's Dictionary form
 *     {@code RateLimit: limit=100, remaining=50, reset=5} with {@code RateLimit-Policy: 100;w=10}.</li>
 * <li>Then each {@link QuotaHeaderNames} family of separate headers, in the order given; {@link #DEFAULT}
 *     reads {@code RateLimit-Limit/-Remaining/-Reset} (drafts up to -06), then {@code X-RateLimit-*}
 *     (GitHub, Discord), then {@code X-Rate-Limit-*} (Okta, X).</li>
 * </ol>
 *
 * <h2>Rules</h2>
 * <pre>
 * several policies     : remaining/reset from the most restrictive service limit, ranked
 *                          1. remaining = 0 and reset &gt; 0       (longest reset first)
 *                          2. remaining &gt; 0 and reset &gt; 0       (smallest remaining / reset first)
 *                          3. reset unknown or 0                 (smallest remaining first)
 *                        limit/window from the policy with the smallest q / w (q &gt; 0, w known); without
 *                        any window, limit is the q of the chosen service limit's policy. The two pairs
 *                        may come from different policies: each is the tightest of its kind.
 * qu                   : only "requests" (the default; "request" too) counts; other units are skipped.
 * pk                   : not compared; every partition reported on this response is taken to apply.
 * separate reset value : v &gt;= 1e12 -&gt; epoch milliseconds;  v &gt;= 1e9 -&gt; epoch seconds (decimals allowed,
 *                        as Discord sends them);  otherwise delta seconds.
 *                        an IMF-fixdate (RFC 1123) is an absolute time as well.
 *                        epoch delay = epoch - Date header (RFC 1123) when present and parseable,
 *                                      else epoch - wallMillisNow;  an epoch in the past gives 0.
 *                        (Structured-field t and draft-07 reset are delta seconds by definition.)
 * Reset-After          : delta decimal seconds; wins over Reset (needs no clock).
 * Used                 : remaining = limit - used, only when remaining is absent.
 * reset &gt; maxReset     : reset = maxReset and, when remaining &gt; 0,
 *                        remaining = max(1, floor(remaining * maxReset / reset)), which keeps the reported
 *                        rate remaining/reset while bounding how long it is trusted.
 * </pre>
 *
 * <h2>Hostile input</h2>
 * Header values are untrusted. Garbage, negative numbers, NaN, decimals where a count is due, counts over
 * {@link #MAX_COUNT}, windows over {@link #MAX_WINDOW_SECONDS}, values over 4096 characters and
 * contradictions (remaining &gt; limit: the remaining is dropped) are ignored field by field; a malformed
 * structured field is ignored whole, as the draft requires. {@link #parse} never throws on header content and
 * does bounded, linear work. Each oddity is reported once per call as a short text to the optional
 * {@code warnings} sink, with the offending value truncated and made printable (safe to log).
 *
 * <p>Immutable and thread-safe.
 */
public final class QuotaHeaderParser {

    /** Largest limit, remaining or used count believed; larger counts are ignored. */
    public static final long MAX_COUNT = 1_000_000_000L;
    /** Longest policy window believed (366 days, in seconds); longer windows are ignored. */
    public static final long MAX_WINDOW_SECONDS = 366L * 86_400L;
    /** Reset values at or above this are Unix epoch seconds (2001-09-09T01:46:40Z). */
    public static final double EPOCH_SECONDS_FROM = 1e9;
    /** Reset values at or above this are Unix epoch milliseconds. */
    public static final double EPOCH_MILLIS_FROM = 1e12;
    /** An epoch reset this far in the past is reported as odd (less is rounding of epoch seconds). */
    static final long PAST_RESET_TOLERANCE_MILLIS = 1_000L;
    /** Longest header value looked at, in characters. */
    static final int MAX_VALUE_LENGTH = StructuredFieldParser.MAX_LENGTH;

    /** The IETF service-limit field (a Structured Field List; draft-07: a Dictionary). */
    public static final String RATELIMIT = "RateLimit";
    /** The IETF quota-policy field (a Structured Field List). */
    public static final String RATELIMIT_POLICY = "RateLimit-Policy";
    /** The response date (RFC 1123), the base for epoch resets. */
    public static final String DATE = "Date";

    /** The IETF fields, then {@code RateLimit-*}, {@code X-RateLimit-*} and {@code X-Rate-Limit-*}. */
    public static final QuotaHeaderParser DEFAULT = new QuotaHeaderParser(List.of(QuotaHeaderNames.RATELIMIT_DRAFT,
            QuotaHeaderNames.X_RATELIMIT, QuotaHeaderNames.X_RATE_LIMIT));

    private final List<QuotaHeaderNames> families;

    /**
     * @param families the separate-header families read after the IETF structured fields, in order of
     *                 preference (may be empty; no null elements)
     */
    public QuotaHeaderParser(List<QuotaHeaderNames> families) {
        Objects.requireNonNull(families, "families");
        for (QuotaHeaderNames f : families) {
            if (f == null) {
                throw new IllegalArgumentException("quota header families must not contain null");
            }
        }
        this.families = List.copyOf(families);
    }

    /** @return the separate-header families, in order of preference (unmodifiable) */
    public List<QuotaHeaderNames> families() {
        return families;
    }

    /**
     * Reads the quota headers of one response.
     *
     * @param headers       the response headers; names matched case-insensitively; a value may be a String
     *                      (or any object, read by {@code toString()}), a Collection or an Object array:
     *                      the first element for single-value headers, all elements joined with ", " for the
     *                      structured {@code RateLimit} and {@code RateLimit-Policy} fields (RFC 9651 allows
     *                      splitting them over several lines). May be null.
     * @param wallMillisNow the local wall clock ({@link Clock#wallMillis()}), epoch ms: the base for epoch
     *                      resets when the response has no parseable {@code Date} header
     * @param maxReset      longest reset believed (&gt; 0), normally the limiter's {@code maxPause}
     * @param warnings      receives one short, log-safe text per odd value; may be null; must not throw
     * @return the quota, or {@link ProviderQuota#UNKNOWN} when nothing usable is there; never null
     * @throws IllegalArgumentException only when {@code maxReset} is null, zero or negative
     */
    public ProviderQuota parse(Map<String, ?> headers, long wallMillisNow, Duration maxReset,
            Consumer<String> warnings) {
        if (maxReset == null || maxReset.isNegative() || maxReset.isZero()) {
            throw new IllegalArgumentException("maxReset must be > 0: " + maxReset);
        }
        Consumer<String> sink = warnings == null ? w -> { } : warnings;
        if (headers == null || headers.isEmpty()) {
            return ProviderQuota.UNKNOWN;
        }
        Run run = new Run(headers, wallMillisNow, nanos(maxReset), sink);
        try {
            ProviderQuota q = run.structured();
            for (int i = 0; q.isEmpty() && i < families.size(); i++) {
                q = run.separate(families.get(i));
            }
            return q;
        } catch (RuntimeException e) {
            // belt and braces: header content must never fail an exchange
            sink.accept("quota headers ignored: internal error " + e.getClass().getSimpleName());
            return ProviderQuota.UNKNOWN;
        }
    }

    /**
     * Same as {@link #parse(Map, long, Duration, Consumer)} with {@code clock.wallMillis()} as the local clock.
     *
     * @param headers  the response headers, may be null
     * @param clock    the limiter's clock
     * @param maxReset longest reset believed (&gt; 0)
     * @param warnings receives odd values, may be null
     * @return the quota, or {@link ProviderQuota#UNKNOWN}; never null
     */
    public ProviderQuota parse(Map<String, ?> headers, Clock clock, Duration maxReset, Consumer<String> warnings) {
        return parse(headers, clock.wallMillis(), maxReset, warnings);
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Seconds (finite, >= 0) to nanoseconds, saturating. */
    static long secondsToNanos(double seconds) {
        double n = seconds * 1e9;
        return n >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(n);
    }

    /** A policy from RateLimit-Policy. name is null for draft-07's unnamed integer policies. */
    private record Policy(String name, long quota, long windowSeconds) {
    }

    /** One reading of remaining/reset (-1 unknown), with the limit of the same policy when known. */
    private record Candidate(long remaining, long resetNanos, long limit) {
    }

    /** The parse of one response: header access, Date cache, warnings. Not thread-safe; lives for one call. */
    private static final class Run {
        private final Map<String, ?> headers;
        private final long wallMillis;
        private final long maxResetNanos;
        private final Consumer<String> sink;
        private long baseMillis = Long.MIN_VALUE;
        private String baseName;

        Run(Map<String, ?> headers, long wallMillis, long maxResetNanos, Consumer<String> sink) {
            this.headers = headers;
            this.wallMillis = wallMillis;
            this.maxResetNanos = maxResetNanos;
            this.sink = sink;
        }

        // ---------------------------------------------------------------- IETF structured fields

        ProviderQuota structured() {
            String rl = joined(RATELIMIT);
            String rp = joined(RATELIMIT_POLICY);
            if (rl == null && rp == null) {
                return ProviderQuota.UNKNOWN;
            }
            List<Policy> policies = new ArrayList<>();
            Set<String> otherUnits = new HashSet<>();
            if (rp != null) {
                policies(rp, policies, otherUnits);
            }
            if (rl != null) {
                List<Object> list = null;
                String why = null;
                try {
                    list = StructuredFieldParser.parseList(rl);
                } catch (StructuredFieldParser.MalformedFieldException e) {
                    why = e.getMessage();
                }
                if (list != null) {
                    return serviceLimits(list, policies, otherUnits);
                }
                Map<String, Object> dict = null;
                try {
                    dict = StructuredFieldParser.parseDictionary(rl);
                } catch (StructuredFieldParser.MalformedFieldException e) {
                    // reported below with the list error
                }
                if (dict != null && (dict.containsKey("limit") || dict.containsKey("remaining")
                        || dict.containsKey("reset"))) {
                    return draft07(dict, policies);
                }
                warn(RATELIMIT + " " + show(rl) + " ignored: malformed structured field (" + why + ")");
            }
            return combine(null, policies, RATELIMIT_POLICY);
        }

        private void policies(String rp, List<Policy> out, Set<String> otherUnits) {
            List<Object> members;
            try {
                members = StructuredFieldParser.parseList(rp);
            } catch (StructuredFieldParser.MalformedFieldException e) {
                warn(RATELIMIT_POLICY + " " + show(rp) + " ignored: malformed structured field (" + e.getMessage()
                        + ")");
                return;
            }
            for (Object m : members) {
                if (!(m instanceof StructuredFieldParser.Item)) {
                    warn(RATELIMIT_POLICY + " inner list member ignored");
                    continue;
                }
                StructuredFieldParser.Item item = (StructuredFieldParser.Item) m;
                String name = nameOf(item.value());
                Object quotaValue;
                if (name != null) {
                    quotaValue = item.param("q");
                } else if (item.value() instanceof Long) {
                    quotaValue = item.value(); // draft-07: 100;w=60
                } else {
                    warn(RATELIMIT_POLICY + " member " + describe(item.value())
                            + " ignored: neither a named policy nor an integer quota");
                    continue;
                }
                String label = RATELIMIT_POLICY + (name == null ? "" : " \"" + printable(name) + "\"");
                Object unit = item.param("qu");
                if (unit != null) {
                    String u = nameOf(unit);
                    if (u == null) {
                        warn(label + " ignored: qu is not a string");
                        continue;
                    }
                    if (!u.equals("requests") && !u.equals("request")) {
                        if (name != null) {
                            otherUnits.add(name); // e.g. content-bytes: does not count requests
                        }
                        continue;
                    }
                }
                if (quotaValue == null) {
                    warn(label + " ignored: no q (quota)");
                    continue;
                }
                long q = count(label + " q", quotaValue);
                if (q < 0) {
                    continue;
                }
                long w = -1;
                Object wv = item.param("w");
                if (wv != null) {
                    w = window(label + " w", wv);
                }
                out.add(new Policy(name, q, w));
            }
        }

        private ProviderQuota serviceLimits(List<Object> members, List<Policy> policies, Set<String> otherUnits) {
            List<Candidate> candidates = new ArrayList<>();
            for (Object m : members) {
                if (!(m instanceof StructuredFieldParser.Item)) {
                    warn(RATELIMIT + " inner list member ignored");
                    continue;
                }
                StructuredFieldParser.Item item = (StructuredFieldParser.Item) m;
                String name = nameOf(item.value());
                if (name == null) {
                    warn(RATELIMIT + " member " + describe(item.value()) + " ignored: not a policy name");
                    continue;
                }
                if (otherUnits.contains(name)) {
                    continue;
                }
                String label = RATELIMIT + " \"" + printable(name) + "\"";
                Object rv = item.param("r");
                if (rv == null) {
                    warn(label + " ignored: no r (remaining)");
                    continue;
                }
                long r = count(label + " r", rv);
                if (r < 0) {
                    continue;
                }
                Object tv = item.param("t");
                long t = tv == null ? -1 : deltaSeconds(label + " t", tv);
                Policy p = named(policies, name);
                if (p != null && r > p.quota()) {
                    warn(label + " ignored: r=" + r + " exceeds the policy's q=" + p.quota());
                    continue;
                }
                candidates.add(new Candidate(r, t, p == null ? -1 : p.quota()));
            }
            return combine(select(candidates), policies, RATELIMIT);
        }

        private ProviderQuota draft07(Map<String, Object> dict, List<Policy> policies) {
            long limit = dictCount(dict, "limit");
            long remaining = dictCount(dict, "remaining");
            long reset = -1;
            Object rv = dict.get("reset");
            if (rv != null) {
                reset = rv instanceof StructuredFieldParser.Item
                        ? deltaSeconds(RATELIMIT + " reset", ((StructuredFieldParser.Item) rv).value())
                        : deltaSeconds(RATELIMIT + " reset", rv);
            }
            if (remaining >= 0 && limit >= 0 && remaining > limit) {
                warn(RATELIMIT + " remaining=" + remaining + " ignored: exceeds limit=" + limit);
                remaining = -1;
            }
            return combine(new Candidate(remaining, reset, limit), policies, RATELIMIT);
        }

        private long dictCount(Map<String, Object> dict, String key) {
            Object v = dict.get(key);
            if (v == null) {
                return -1;
            }
            return count(RATELIMIT + " " + key,
                    v instanceof StructuredFieldParser.Item ? ((StructuredFieldParser.Item) v).value() : v);
        }

        /** The tightest remaining/reset (see class doc) and the tightest limit/window, then clamped. */
        private ProviderQuota combine(Candidate best, List<Policy> policies, String source) {
            long limit = -1;
            long window = -1;
            Policy tight = null;
            for (Policy p : policies) {
                if (p.quota() > 0 && p.windowSeconds() > 0 && (tight == null
                        || (double) p.quota() * tight.windowSeconds() < (double) tight.quota() * p.windowSeconds())) {
                    tight = p;
                }
            }
            if (tight != null) {
                limit = tight.quota();
                window = tight.windowSeconds() * 1_000_000_000L;
            } else if (best != null && best.limit() >= 0) {
                limit = best.limit();
            }
            if (best == null) {
                return finish(limit, -1, -1, window, source);
            }
            return finish(limit, best.remaining(), best.resetNanos(), window, source);
        }

        // ---------------------------------------------------------------- separate headers

        ProviderQuota separate(QuotaHeaderNames names) {
            String limitText = first(names.limit());
            String remainingText = first(names.remaining());
            String resetText = first(names.reset());
            String afterText = first(names.resetAfter());
            String usedText = first(names.used());
            if (limitText == null && remainingText == null && resetText == null && afterText == null
                    && usedText == null) {
                return ProviderQuota.UNKNOWN;
            }
            long limit = -1;
            long window = -1;
            if (limitText != null) {
                long[] lw = limitField(names.limit(), limitText);
                limit = lw[0];
                window = lw[1];
            }
            long remaining = remainingText == null ? -1 : countText(names.remaining(), remainingText);
            long used = usedText == null ? -1 : countText(names.used(), usedText);
            long reset = afterText == null ? -1 : deltaText(names.resetAfter(), afterText);
            String resetSource = names.resetAfter();
            if (reset < 0 && resetText != null) {
                reset = resetValue(names.reset(), resetText);
                resetSource = names.reset();
            }
            if (remaining >= 0 && limit >= 0 && remaining > limit) {
                warn(names.remaining() + " " + remaining + " ignored: exceeds " + names.limit() + " " + limit);
                remaining = -1;
            }
            if (remaining < 0 && used >= 0 && limit >= 0) {
                if (used <= limit) {
                    remaining = limit - used;
                } else {
                    warn(names.used() + " " + used + " ignored: exceeds " + names.limit() + " " + limit);
                }
            }
            return finish(limit, remaining, reset, window, resetSource);
        }

        /**
         * A limit header: a plain count, or (older IETF drafts) a list whose first member is the limit and
         * whose member equal to it may carry the window: {@code 100, 100;w=60}. Returns {limit, windowNanos}.
         */
        private long[] limitField(String header, String text) {
            if (text.indexOf(',') < 0 && text.indexOf(';') < 0) {
                return new long[] {countText(header, text), -1};
            }
            List<Object> members;
            try {
                members = StructuredFieldParser.parseList(text);
            } catch (StructuredFieldParser.MalformedFieldException e) {
                warn(header + " " + show(text) + " ignored: neither a count nor a structured list");
                return new long[] {-1, -1};
            }
            if (members.isEmpty() || !(members.get(0) instanceof StructuredFieldParser.Item)) {
                warn(header + " " + show(text) + " ignored: no leading count");
                return new long[] {-1, -1};
            }
            long limit = count(header, ((StructuredFieldParser.Item) members.get(0)).value());
            long window = -1;
            if (limit >= 0) {
                for (Object m : members) {
                    if (m instanceof StructuredFieldParser.Item && Long.valueOf(limit)
                            .equals(((StructuredFieldParser.Item) m).value())) {
                        StructuredFieldParser.Item item = (StructuredFieldParser.Item) m;
                        Object w = item.param("w") != null ? item.param("w") : item.param("window");
                        if (w != null) {
                            long s = window(header + " w", w);
                            if (s > 0) {
                                window = s * 1_000_000_000L;
                                break;
                            }
                        }
                    }
                }
            }
            return new long[] {limit, window};
        }

        /** A separate reset header: epoch ms, epoch s or delta s by magnitude (see class doc). */
        private long resetValue(String header, String text) {
            double v = decimal(text);
            if (Double.isNaN(v)) {
                long date = httpDate(text);
                if (date != Long.MIN_VALUE) {
                    return fromEpoch(header, text, date);
                }
                warn(header + " " + show(text) + " ignored: neither seconds, an epoch nor an HTTP date");
                return -1;
            }
            if (v >= EPOCH_MILLIS_FROM) {
                return fromEpoch(header, text, v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.floor(v));
            }
            if (v >= EPOCH_SECONDS_FROM) {
                return fromEpoch(header, text, Math.round(v * 1000.0));
            }
            return secondsToNanos(v);
        }

        private long fromEpoch(String header, String text, long epochMillis) {
            long base = baseMillis();
            long delta = epochMillis - base;
            if (((epochMillis ^ base) & (epochMillis ^ delta)) < 0) { // overflow
                delta = epochMillis > base ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
            if (delta < 0) {
                if (delta < -PAST_RESET_TOLERANCE_MILLIS) {
                    warn(header + " " + show(text) + " lies " + seconds(-(double) delta * 1e6) + " s in the past of "
                            + baseName + "; taken as 0");
                }
                return 0;
            }
            return delta > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : delta * 1_000_000L;
        }

        /** The base for epoch resets: the response's Date when parseable, else the local wall clock. */
        private long baseMillis() {
            if (baseMillis != Long.MIN_VALUE) {
                return baseMillis;
            }
            baseMillis = wallMillis;
            baseName = "the local clock";
            String date = first(DATE);
            if (date != null) {
                long millis = httpDate(date);
                if (millis != Long.MIN_VALUE) {
                    baseMillis = millis;
                    baseName = "Date";
                } else {
                    warn(DATE + " " + show(date) + " is not an RFC 1123 date; epoch resets measured against the"
                            + " local clock");
                }
            }
            return baseMillis;
        }

        /** An IMF-fixdate (RFC 1123) as epoch ms, or Long.MIN_VALUE. */
        private static long httpDate(String text) {
            if (text.length() > 64) {
                return Long.MIN_VALUE;
            }
            try {
                return ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                return Long.MIN_VALUE;
            }
        }

        // ---------------------------------------------------------------- values

        /** A structured count: an Integer in [0, MAX_COUNT]; else -1 (warned). */
        private long count(String what, Object value) {
            if (!(value instanceof Long)) {
                warn(what + "=" + describe(value) + " ignored: not an integer");
                return -1;
            }
            long v = (Long) value;
            if (v < 0 || v > MAX_COUNT) {
                warn(what + "=" + v + " ignored: " + (v < 0 ? "negative" : "above " + MAX_COUNT));
                return -1;
            }
            return v;
        }

        /** A count header: plain digits, at most MAX_COUNT; else -1 (warned). */
        private long countText(String header, String text) {
            if (!allDigits(text, 0, text.length())) {
                warn(header + " " + show(text) + " ignored: not a non-negative integer");
                return -1;
            }
            int nonZero = 0;
            while (nonZero < text.length() - 1 && text.charAt(nonZero) == '0') {
                nonZero++;
            }
            if (text.length() - nonZero > 10 || Long.parseLong(text.substring(nonZero)) > MAX_COUNT) {
                warn(header + " " + show(text) + " ignored: above " + MAX_COUNT);
                return -1;
            }
            return Long.parseLong(text.substring(nonZero));
        }

        /** A structured policy window: an Integer of seconds in [1, MAX_WINDOW_SECONDS]; else -1 (warned). */
        private long window(String what, Object value) {
            if (value instanceof Long && (Long) value > 0 && (Long) value <= MAX_WINDOW_SECONDS) {
                return (Long) value;
            }
            warn(what + "=" + describe(value) + " ignored: not a window of 1 to " + MAX_WINDOW_SECONDS + " s");
            return -1;
        }

        /** Structured delta seconds: a non-negative Integer or Decimal, to nanoseconds; else -1 (warned). */
        private long deltaSeconds(String what, Object value) {
            double v;
            if (value instanceof Long) {
                v = (Long) value;
            } else if (value instanceof BigDecimal) {
                v = ((BigDecimal) value).doubleValue();
            } else {
                warn(what + "=" + describe(value) + " ignored: not a number of seconds");
                return -1;
            }
            if (v < 0) {
                warn(what + "=" + describe(value) + " ignored: negative");
                return -1;
            }
            return secondsToNanos(v);
        }

        /** A delta-seconds header (decimals allowed), to nanoseconds; else -1 (warned). */
        private long deltaText(String header, String text) {
            double v = decimal(text);
            if (Double.isNaN(v)) {
                warn(header + " " + show(text) + " ignored: not a non-negative number of seconds");
                return -1;
            }
            return secondsToNanos(v);
        }

        /** Plain decimal text {@code digits[.digits]} (at most 20 integer and 9 fraction digits); else NaN. */
        private static double decimal(String t) {
            int dot = t.indexOf('.');
            int intEnd = dot < 0 ? t.length() : dot;
            boolean ok = intEnd > 0 && intEnd <= 20 && allDigits(t, 0, intEnd)
                    && (dot < 0 || (t.length() - dot - 1 >= 1 && t.length() - dot - 1 <= 9
                            && allDigits(t, dot + 1, t.length())));
            return ok ? Double.parseDouble(t) : Double.NaN;
        }

        /** Applies the maxReset clamp (scaling remaining to keep its rate) and builds the quota. */
        private ProviderQuota finish(long limit, long remaining, long resetNanos, long windowNanos, String source) {
            if (resetNanos > maxResetNanos) {
                long scaled = remaining;
                if (remaining > 0) {
                    scaled = Math.max(1L, (long) Math.floor(remaining * ((double) maxResetNanos / resetNanos)));
                }
                warn(source + ": reset in " + seconds(resetNanos) + " s clamped to maxReset " + seconds(maxResetNanos)
                        + " s" + (remaining > 0 ? ", remaining " + remaining + " scaled to " + scaled : ""));
                remaining = scaled;
                resetNanos = maxResetNanos;
            }
            return new ProviderQuota(limit, remaining, resetNanos, windowNanos);
        }

        private void warn(String text) {
            sink.accept(text);
        }

        // ---------------------------------------------------------------- header access

        /** First value of a single-value header, trimmed; null when absent, empty or too long. */
        private String first(String name) {
            if (name == null) {
                return null;
            }
            List<String> values = values(name);
            return values.isEmpty() ? null : checked(name, values.get(0));
        }

        /** All lines of a structured field joined with ", "; null when absent, empty or too long. */
        private String joined(String name) {
            List<String> values = values(name);
            return values.isEmpty() ? null : checked(name, String.join(", ", values));
        }

        private String checked(String name, String value) {
            if (value.length() > MAX_VALUE_LENGTH) {
                warn(name + " ignored: longer than " + MAX_VALUE_LENGTH + " characters");
                return null;
            }
            String t = value.trim();
            return t.isEmpty() ? null : t;
        }

        private List<String> values(String name) {
            return HeaderValues.all(headers, name, StructuredFieldParser.MAX_MEMBERS);
        }
    }

    // -------------------------------------------------------------------- helpers

    /** Ranks service limits (see class doc); null when there is none. */
    private static Candidate select(List<Candidate> candidates) {
        Candidate best = null;
        for (Candidate c : candidates) {
            if (best == null || tighter(c, best)) {
                best = c;
            }
        }
        return best;
    }

    private static boolean tighter(Candidate a, Candidate b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return ra < rb;
        }
        switch (ra) {
            case 0:
                return a.resetNanos() > b.resetNanos();
            case 1:
                return (double) a.remaining() * b.resetNanos() < (double) b.remaining() * a.resetNanos();
            default:
                return a.remaining() >= 0 && (b.remaining() < 0 || a.remaining() < b.remaining());
        }
    }

    private static int rank(Candidate c) {
        if (c.resetNanos() > 0 && c.remaining() == 0) {
            return 0;
        }
        if (c.resetNanos() > 0 && c.remaining() > 0) {
            return 1;
        }
        return 2;
    }

    private static Policy named(List<Policy> policies, String name) {
        for (Policy p : policies) {
            if (name.equals(p.name())) {
                return p;
            }
        }
        return null;
    }

    /** The text of a String or Token bare item; null otherwise. */
    private static String nameOf(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof StructuredFieldParser.Token) {
            return ((StructuredFieldParser.Token) value).text();
        }
        return null;
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Nanoseconds as seconds for a warning: up to 3 decimals, no trailing zeros. */
    private static String seconds(double nanos) {
        double s = nanos / 1e9;
        if (!(s < 1e12)) {
            return String.format(Locale.ROOT, "%.3g", s);
        }
        return BigDecimal.valueOf(s).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** A structured bare item for a warning, in field syntax (strings quoted, bounded, printable). */
    static String describe(Object value) {
        if (value instanceof String) {
            return "\"" + printable((String) value) + "\"";
        }
        if (value instanceof StructuredFieldParser.Token) {
            return printable(((StructuredFieldParser.Token) value).text());
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "?1" : "?0";
        }
        if (value instanceof Long) {
            return value.toString();
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        return value == null ? "(none)" : "(" + value.getClass().getSimpleName() + ")";
    }

    /** A header value for a warning: printable ASCII, at most 48 characters, quoted. */
    static String show(String value) {
        String p = printable(value);
        return "'" + (p.length() > 48 ? p.substring(0, 45) + "..." : p) + "'";
    }

    private static String printable(String value) {
        StringBuilder b = new StringBuilder(Math.min(value.length(), 64));
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (value.length() > 64) {
            b.append("...");
        }
        return b.toString();
    }
}
