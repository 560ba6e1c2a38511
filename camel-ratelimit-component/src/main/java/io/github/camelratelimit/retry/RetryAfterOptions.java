package io.github.camelratelimit.retry;

import java.time.Duration;
import java.util.Objects;

import io.github.camelratelimit.core.Backoff;
import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.RetryBudget;

/**
 * The settings of a {@link RetryAfterRedelivery}: when to give up, how long to wait, how many retries the API may
 * absorb. Immutable; the canonical constructor validates and throws {@link InvalidLimiterConfigException} naming
 * the option, the value and the rule. Users normally set these through the bean's JavaBean setters (e.g.
 * {@code camel.beans.retryAfter.maxAttempts=5}), not through this record.
 *
 * <table>
 * <caption>Options (bean property names)</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>maxAttempts</td><td>5</td><td>calls in total, the first one included (1 = never retry); 1..1000</td></tr>
 * <tr><td>retryDeadline</td><td>10m</td><td>no retry is scheduled to start later than this after the exchange's
 *     first failure; &gt; 0</td></tr>
 * <tr><td>maxRetryAfter</td><td>5m</td><td>longest server-asked wait ({@code Retry-After}) that is honoured;
 *     &gt; 0 and &lt;= 1 day</td></tr>
 * <tr><td>clampRetryAfter</td><td>false</td><td>what a longer {@code Retry-After} does: {@code false} ends the
 *     retries at once with a {@link RetryExhaustedException} naming the wait; {@code true} waits
 *     {@code maxRetryAfter} and retries</td></tr>
 * <tr><td>retryNonIdempotent</td><td>false</td><td>also retry 5xx other than 503, and I/O errors, for POST and
 *     PATCH (the server may have processed the request)</td></tr>
 * <tr><td>backoffBaseDelay, backoffMultiplier, backoffMaxDelay, backoffJitter, retryAfterJitter</td>
 *     <td>500ms, 2.0, 30s, FULL, 0.1</td><td>the wait when the server names none, and the extra added to a
 *     server's wait; see {@link Backoff}</td></tr>
 * <tr><td>retryBudgetEnabled</td><td>true</td><td>refuse retries when most calls to an API fail</td></tr>
 * <tr><td>retryBudgetCapacity, retryBudgetThrottleCost, retryBudgetRetryCost, retryBudgetSuccessRefill</td>
 *     <td>500, 5, 10, 1</td><td>the budget's token bucket; see {@link RetryBudget}</td></tr>
 * </table>
 *
 * @param maxAttempts        calls in total, including the first
 * @param retryDeadline      latest start of a retry, measured from the first failure
 * @param maxRetryAfter      longest honoured {@code Retry-After}
 * @param clampRetryAfter    {@code true}: wait {@code maxRetryAfter} instead of giving up on a longer value
 * @param retryNonIdempotent {@code true}: retry 5xx and I/O errors whatever the HTTP method
 * @param backoff            the wait computation
 * @param retryBudgetEnabled {@code false}: never refuse a retry for lack of budget
 * @param retryBudget        the budget's settings, one budget per API (limiter, or scheme://host:port)
 */
public record RetryAfterOptions(int maxAttempts, Duration retryDeadline, Duration maxRetryAfter,
        boolean clampRetryAfter, boolean retryNonIdempotent, Backoff backoff, boolean retryBudgetEnabled,
        RetryBudget.Config retryBudget) {

    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_RETRY_DEADLINE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);
    static final int MAX_MAX_ATTEMPTS = 1000;
    static final Duration MAX_RETRY_AFTER_LIMIT = Duration.ofDays(1);

    public RetryAfterOptions {
        if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
            throw new InvalidLimiterConfigException("maxAttempts", maxAttempts,
                    "must be between 1 and " + MAX_MAX_ATTEMPTS);
        }
        positive("retryDeadline", retryDeadline);
        positive("maxRetryAfter", maxRetryAfter);
        if (maxRetryAfter.compareTo(MAX_RETRY_AFTER_LIMIT) > 0) {
            throw new InvalidLimiterConfigException("maxRetryAfter", maxRetryAfter, "must be <= 1 day");
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(retryBudget, "retryBudget");
    }

    /** The defaults listed on the class. */
    public static RetryAfterOptions defaults() {
        return new RetryAfterOptions(DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DEADLINE, DEFAULT_MAX_RETRY_AFTER, false,
                false, Backoff.defaults(), true, RetryBudget.Config.defaults());
    }

    private static void positive(String option, Duration d) {
        if (d == null) {
            throw new InvalidLimiterConfigException(option, null, "must be set");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidLimiterConfigException(option, d, "must be > 0");
        }
    }
}
