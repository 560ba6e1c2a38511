package io.github.camelratelimit.core;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides whether a retry may happen at all: a token bucket that retries drain and successes refill, so retries
 * stop when most calls fail (a retry storm only adds load to a struggling API) and come back as calls succeed.
 *
 * <pre>
 * tokens starts at capacity
 * tryAcquireRetry(throttle): cost = throttle ? throttleCost : retryCost
 *                            tokens &gt;= cost ? (tokens -= cost; true) : false
 * onSuccess():               tokens = min(capacity, tokens + successRefill)
 * invariant:                 0 &lt;= tokens &lt;= capacity;  sum(granted costs) &lt;= capacity + successRefill * successes
 * </pre>
 *
 * <p>The numbers follow the AWS SDKs' "standard" retry mode (a 500-token retry quota, 5 tokens per retry, 10
 * per timeout retry, +1 per success): with the defaults a full bucket allows 100 throttle retries or 50 other
 * retries in a row, and at steady state one throttle retry per 5 successes (one other retry per 10), i.e.
 * retries stay under about 17 % (9 %) of calls, close to Google SRE's "retries &lt;= 10 % of requests" rule.
 * Throttle retries (429, or 503 with {@code Retry-After}) are the cheap ones here: the server did not process
 * the request and said when to come back, and the limiter already paces the retry; other retries (5xx,
 * timeouts) are charged double because they may mean a failing server.
 *
 * <p>Unlike AWS, a successful retry earns the same refill as any success (no refund of its cost), which keeps
 * the rule one line. Keep one budget per limiter (per API), not per exchange.
 *
 * <p>Thread-safe and lock-free: every change is one compare-and-set loop on an {@link AtomicInteger}.
 */
public final class RetryBudget {

    private final Config config;
    private final AtomicInteger tokens;
    private final LongAdder granted = new LongAdder();
    private final LongAdder denied = new LongAdder();

    /** A full budget with the defaults (500 tokens, 5 per throttle retry, 10 per other retry, +1 per success). */
    public RetryBudget() {
        this(Config.defaults());
    }

    /** A full budget. */
    public RetryBudget(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.tokens = new AtomicInteger(config.capacity());
    }

    /**
     * The budget's settings. Immutable; validated on construction, throwing
     * {@link InvalidLimiterConfigException} naming the option, the value and the rule.
     *
     * <table>
     * <caption>Options</caption>
     * <tr><th>option</th><th>unit</th><th>default</th><th>rule</th></tr>
     * <tr><td>retryBudgetCapacity</td><td>tokens</td><td>500</td><td>1..1,000,000; also the starting balance</td></tr>
     * <tr><td>retryBudgetThrottleCost</td><td>tokens</td><td>5</td><td>0..capacity; 0 = throttle retries are
     *     never refused</td></tr>
     * <tr><td>retryBudgetRetryCost</td><td>tokens</td><td>10</td><td>0..capacity; 0 = other retries are never
     *     refused</td></tr>
     * <tr><td>retryBudgetSuccessRefill</td><td>tokens</td><td>1</td><td>1..capacity, per successful call</td></tr>
     * </table>
     */
    public record Config(int capacity, int throttleCost, int retryCost, int successRefill) {

        public static final int DEFAULT_CAPACITY = 500;
        public static final int DEFAULT_THROTTLE_COST = 5;
        public static final int DEFAULT_RETRY_COST = 10;
        public static final int DEFAULT_SUCCESS_REFILL = 1;
        static final int MAX_CAPACITY = 1_000_000;

        public Config {
            if (capacity < 1 || capacity > MAX_CAPACITY) {
                throw new InvalidLimiterConfigException("retryBudgetCapacity", capacity,
                        "must be between 1 and " + MAX_CAPACITY);
            }
            inRange("retryBudgetThrottleCost", throttleCost, 0, capacity);
            inRange("retryBudgetRetryCost", retryCost, 0, capacity);
            inRange("retryBudgetSuccessRefill", successRefill, 1, capacity);
        }

        public static Config defaults() {
            return new Config(DEFAULT_CAPACITY, DEFAULT_THROTTLE_COST, DEFAULT_RETRY_COST, DEFAULT_SUCCESS_REFILL);
        }

        public Config withCapacity(int v) {
            return new Config(v, throttleCost, retryCost, successRefill);
        }

        public Config withThrottleCost(int v) {
            return new Config(capacity, v, retryCost, successRefill);
        }

        public Config withRetryCost(int v) {
            return new Config(capacity, throttleCost, v, successRefill);
        }

        public Config withSuccessRefill(int v) {
            return new Config(capacity, throttleCost, retryCost, v);
        }

        /** The tokens one retry of this kind costs. */
        public int cost(boolean throttle) {
            return throttle ? throttleCost : retryCost;
        }

        private static void inRange(String option, int v, int min, int capacity) {
            if (v < min || v > capacity) {
                throw new InvalidLimiterConfigException(option, v,
                        "must be between " + min + " and retryBudgetCapacity (" + capacity + ")");
            }
        }
    }

    /**
     * Takes the cost of one retry if the budget holds it.
     *
     * @param throttle {@code true} for a retry after a rate-limit response (429, or 503 with Retry-After);
     *                 {@code false} for any other retry
     * @return {@code true} if the retry may go ahead (its cost is taken); {@code false} if the budget is spent,
     *         in which case nothing is taken and the caller should fail the call instead of retrying
     */
    public boolean tryAcquireRetry(boolean throttle) {
        int cost = config.cost(throttle);
        while (true) {
            int current = tokens.get();
            if (current < cost) {
                denied.increment();
                return false;
            }
            if (tokens.compareAndSet(current, current - cost)) {
                granted.increment();
                return true;
            }
        }
    }

    /** Records a successful call (first try or retry): refills {@code successRefill} tokens, up to capacity. */
    public void onSuccess() {
        int refill = config.successRefill();
        int capacity = config.capacity();
        while (true) {
            int current = tokens.get();
            if (current >= capacity) {
                return;
            }
            if (tokens.compareAndSet(current, Math.min(capacity, current + refill))) {
                return;
            }
        }
    }

    /** The tokens left now, in [0, capacity]. */
    public int available() {
        return tokens.get();
    }

    /** Retries allowed so far. */
    public long grantedRetries() {
        return granted.sum();
    }

    /** Retries refused so far because the budget was spent. */
    public long deniedRetries() {
        return denied.sum();
    }

    public Config config() {
        return config;
    }

    @Override
    public String toString() {
        return "RetryBudget[" + tokens.get() + "/" + config.capacity() + " tokens, granted=" + granted.sum()
                + ", denied=" + denied.sum() + "]";
    }
}
