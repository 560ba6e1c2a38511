package io.github.camelratelimit.core;

/**
 * The names of one family of separate quota headers ({@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining},
 * ...) read by {@link QuotaHeaderParser}. Immutable and thread-safe. Names are matched case-insensitively.
 *
 * <table>
 * <caption>Fields</caption>
 * <tr><th>field</th><th>meaning</th><th>value</th></tr>
 * <tr><td>limit</td><td>requests allowed in the current window</td><td>non-negative integer</td></tr>
 * <tr><td>remaining</td><td>requests left in the current window</td><td>non-negative integer</td></tr>
 * <tr><td>reset</td><td>when the window resets</td><td>delta seconds, or a Unix epoch in seconds or
 *     milliseconds (see {@link QuotaHeaderParser})</td></tr>
 * <tr><td>resetAfter</td><td>seconds until the window resets (Discord); wins over reset</td><td>non-negative
 *     decimal seconds</td></tr>
 * <tr><td>used</td><td>requests used in the current window (GitHub); gives remaining = limit - used when
 *     remaining is absent</td><td>non-negative integer</td></tr>
 * </table>
 *
 * Any name may be {@code null}: that field is not read. A name must not be blank and must not contain
 * whitespace or a colon.
 *
 * @param limit      header with the window's limit, or null
 * @param remaining  header with the requests left, or null
 * @param reset      header with the reset time (delta or epoch), or null
 * @param resetAfter header with the delta seconds to the reset, or null
 * @param used       header with the requests used, or null
 */
public record QuotaHeaderNames(String limit, String remaining, String reset, String resetAfter, String used) {

    /** GitHub, Discord and many others: {@code X-RateLimit-Limit}, {@code -Remaining}, {@code -Reset}, {@code -Reset-After}, {@code -Used}. */
    public static final QuotaHeaderNames X_RATELIMIT = withPrefix("X-RateLimit-");

    /** Okta and X (Twitter): {@code X-Rate-Limit-Limit}, {@code -Remaining}, {@code -Reset}, ... */
    public static final QuotaHeaderNames X_RATE_LIMIT = withPrefix("X-Rate-Limit-");

    /**
     * The separate fields of the IETF drafts up to draft-ietf-httpapi-ratelimit-headers-06:
     * {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (delta seconds).
     */
    public static final QuotaHeaderNames RATELIMIT_DRAFT = withPrefix("RateLimit-");

    /** Checks every name that is set; throws {@link IllegalArgumentException} naming the bad one. */
    public QuotaHeaderNames {
        check("limit", limit);
        check("remaining", remaining);
        check("reset", reset);
        check("resetAfter", resetAfter);
        check("used", used);
    }

    /**
     * The family {@code prefix + "Limit"}, {@code "Remaining"}, {@code "Reset"}, {@code "Reset-After"},
     * {@code "Used"}; e.g. {@code withPrefix("X-Api-RateLimit-")}.
     *
     * @param prefix the common start of the five names
     * @return the family
     */
    public static QuotaHeaderNames withPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("quota header prefix must be set");
        }
        return new QuotaHeaderNames(prefix + "Limit", prefix + "Remaining", prefix + "Reset",
                prefix + "Reset-After", prefix + "Used");
    }

    private static void check(String field, String name) {
        if (name == null) {
            return;
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("quota header name " + field + " must not be blank");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == ':' || c >= 0x7f) {
                throw new IllegalArgumentException(
                        "quota header name " + field + "='" + name + "' must be visible ASCII without ':'");
            }
        }
    }
}
