package io.github.camelratelimit.retry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import io.github.camelratelimit.RateLimitConstants;
import io.github.camelratelimit.observe.RateLimitMetrics;
import io.github.camelratelimit.core.Backoff;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.RetryAfterParser;
import io.github.camelratelimit.core.RetryAfterParser.RetryAfter;
import io.github.camelratelimit.core.RetryBudget;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retry-After-aware redelivery for routes that call rate-limited HTTP APIs: one bean that is both the error
 * handler's {@code onExceptionOccurred} {@link Processor} (it computes the wait and sets
 * {@link Exchange#REDELIVERY_DELAY}) and its {@code retryWhile} {@link Predicate} (it decides whether to retry).
 * Configure both: the error handler calls the processor first, on the exchange itself, and the decision it makes
 * is kept on the exchange (once per failure); the predicate then answers from it. (The predicate alone decides
 * too, but may run on a copy, as through {@code retryWhileRef}, where the delay it sets would be lost.)
 * Redelivery must be {@code asyncDelayedRedelivery}, so a waiting exchange holds a scheduled task, not a thread.
 *
 * <pre>
 * // Java DSL, one line (bind the bean as "retryAfter" to use it from YAML or XML too)
 * onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();
 * </pre>
 *
 * <p><b>What is retried.</b> 429 always; 503 always; other 5xx and I/O errors only for idempotent methods (GET,
 * HEAD, OPTIONS, PUT, DELETE, TRACE) unless {@code retryNonIdempotent}, since a POST that got a 500 may have been
 * processed; a refused connection (the request never left) for any method. Everything else (4xx, validation
 * errors, a {@code ratelimit:} limiter's refusal) is not retried and fails with its own exception. The response
 * comes from camel-http's {@code HttpOperationFailedException} (header names matched in any case) or, with
 * {@code throwExceptionOnFailure=false}, from a {@link RetryableHttpStatusException} thrown by
 * {@link RetryableHttpStatusCheck}.
 *
 * <p><b>How long to wait</b> before retry number {@code n} (formulas in {@link Backoff}):
 * <pre>
 * w      = Retry-After (delay-seconds or HTTP-date, measured against the response's Date; parsed by
 *          {@link RetryAfterParser}), or none when absent or malformed (logged once per distinct value)
 * wait   = max(w * (1 + U(0, retryAfterJitter)), backoff(n))    with a server wait: a floor, jitter only adds
 *        = backoff(n)                                            without: capped exponential, FULL jitter
 * delay  = max(0, wait - limiterPause)                           CamelRedeliveryDelay, in whole ms rounded up
 * </pre>
 * {@code limiterPause} is the exchange property {@code CamelRateLimitPause} that a {@code ratelimit:} endpoint sets
 * after a throttled response: its limiter already holds every exchange, this retry included, until the pause
 * ends, so the redelivery only adds what is left (usually the jitter) and the exchange does not wait twice.
 *
 * <p><b>When to give up</b> (checked in this order; the exchange then fails with a {@link RetryExhaustedException}
 * naming the last HTTP status, the attempts made and the total wait, with the last failure as its cause):
 * {@code maxAttempts} calls made; a {@code Retry-After} above {@code maxRetryAfter} (unless
 * {@code clampRetryAfter}, which waits {@code maxRetryAfter} instead); the retry would start later than
 * {@code retryDeadline} after the first failure; the API's {@link RetryBudget} is spent. Camel's
 * {@code maximumRedeliveries} plays no part: with {@code retryWhile} only the predicate stops retries.
 *
 * <p><b>Retry budget.</b> One {@link RetryBudget} per API: per limiter behind {@code ratelimit:}, else per
 * {@code scheme://host:port} of the failing endpoint. A retry takes 5 tokens after a throttle and 10 after other
 * failures, each successful call to the same API (seen through Camel's {@code ExchangeSentEvent}, from a notifier
 * this bean adds to the context at its first decision) gives 1 back, out of 500. So a full budget absorbs 100
 * throttle retries in a row, and in the long run retries stay under about one per five successful calls: when an
 * API is down, exchanges fail fast instead of multiplying its load.
 *
 * <p><b>Exchange properties</b> set on each decision: {@link #ATTEMPTS}, {@link #DELAY} (when retrying),
 * {@link #TOTAL_WAIT}. The redelivery header is removed when giving up.
 *
 * <p><b>Configuration.</b> JavaBean properties, so camel-main ({@code camel.beans.retryAfter.maxAttempts=3}),
 * YAML {@code beans:} and Spring {@code <property>} can set them; durations accept {@code 500ms}, {@code 5s},
 * {@code 2m} or ISO-8601. Defaults and rules: {@link RetryAfterOptions}. Invalid values fail at the first use
 * (or at {@link #validate()}) with an exception naming option, value and rule. Configure before use; the bean is
 * thread-safe once configured and is meant to be shared by all routes calling the same APIs.
 */
public class RetryAfterRedelivery implements Processor, Predicate, CamelContextAware {

    /** Exchange property: calls made so far, the first one included (Integer). */
    public static final String ATTEMPTS = "CamelRetryAfterAttempts";
    /** Exchange property: the redelivery delay just scheduled, in milliseconds (Long). */
    public static final String DELAY = "CamelRetryAfterDelay";
    /** Exchange property: time waited for retries so far, in milliseconds (Long); see {@link RetryExhaustedException#getTotalWait()}. */
    public static final String TOTAL_WAIT = "CamelRetryAfterTotalWait";
    /** Exchange property holding the decision state between attempts (internal). */
    static final String STATE = "CamelRetryAfterState";

    /** Budget key for APIs beyond {@link #MAX_BUDGETS}, and for failures with no endpoint. */
    static final String OTHER_BUDGET = "*";
    static final int MAX_BUDGETS = 256;
    private static final int MAX_LOGGED_VALUES = 1024;
    private static final int MAX_LOGGED_LENGTH = 200;

    private static final Logger LOG = LoggerFactory.getLogger(RetryAfterRedelivery.class);

    // options, see RetryAfterOptions
    private volatile int maxAttempts = RetryAfterOptions.DEFAULT_MAX_ATTEMPTS;
    private volatile Duration retryDeadline = RetryAfterOptions.DEFAULT_RETRY_DEADLINE;
    private volatile Duration maxRetryAfter = RetryAfterOptions.DEFAULT_MAX_RETRY_AFTER;
    private volatile boolean clampRetryAfter;
    private volatile boolean retryNonIdempotent;
    private volatile Duration backoffBaseDelay = Backoff.DEFAULT_BASE_DELAY;
    private volatile double backoffMultiplier = Backoff.DEFAULT_MULTIPLIER;
    private volatile Duration backoffMaxDelay = Backoff.DEFAULT_MAX_DELAY;
    private volatile Backoff.Jitter backoffJitter = Backoff.DEFAULT_JITTER;
    private volatile double retryAfterJitter = Backoff.DEFAULT_RETRY_AFTER_JITTER;
    private volatile boolean retryBudgetEnabled = true;
    private volatile int retryBudgetCapacity = RetryBudget.Config.DEFAULT_CAPACITY;
    private volatile int retryBudgetThrottleCost = RetryBudget.Config.DEFAULT_THROTTLE_COST;
    private volatile int retryBudgetRetryCost = RetryBudget.Config.DEFAULT_RETRY_COST;
    private volatile int retryBudgetSuccessRefill = RetryBudget.Config.DEFAULT_SUCCESS_REFILL;

    /** The validated options; {@code null} after a setter until the next use. */
    private volatile RetryAfterOptions options;
    private volatile Clock clock = Clock.system();
    /** {@code null}: {@link ThreadLocalRandom#current()} of the deciding thread. */
    private volatile RandomGenerator random;
    private volatile CamelContext camelContext;

    private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();
    private final Map<CamelContext, Boolean> refills = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<String> loggedValues = ConcurrentHashMap.newKeySet();

    /** With the defaults of {@link RetryAfterOptions}. */
    public RetryAfterRedelivery() {
    }

    /** With the given options. */
    public RetryAfterRedelivery(RetryAfterOptions options) {
        setOptions(options);
    }

    /** The decision state of one exchange between attempts. Immutable. */
    record State(int attempts, String endpoint, long firstFailureNanos, long totalWaitMillis, Duration lastWait,
            Throwable decidedOn, Throwable replacement, boolean retry) {
    }

    // ---------------------------------------------------------------- Camel roles

    /** The {@code onExceptionOccurred} role: decides, and when retrying sets {@code CamelRedeliveryDelay}. */
    @Override
    public void process(Exchange exchange) {
        decide(exchange);
    }

    /** The {@code retryWhile} role: {@code true} to retry. Runs the decision if the processor has not yet. */
    @Override
    public boolean matches(Exchange exchange) {
        return decide(exchange);
    }

    /**
     * Decides once per failure (memoised in the exchange property {@link #STATE}, keyed by the failure): either
     * schedules a retry (header {@code CamelRedeliveryDelay}) and returns {@code true}, or returns {@code false},
     * after replacing the exchange's exception with a {@link RetryExhaustedException} when a retryable failure ran
     * out of retries.
     */
    boolean decide(Exchange exchange) {
        // a predicate referenced through the bean language (retryWhileRef) sees a copy without the exception;
        // the error handler has put it in CamelExceptionCaught before calling anything
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            return false;
        }
        State prev = exchange.getProperty(STATE, State.class);
        if (prev != null && (prev.decidedOn == failure || prev.replacement == failure)) {
            return prev.retry;
        }
        RetryAfterOptions o = getOptions();
        HttpFailure f = HttpFailure.read(exchange, failure);
        if (f.kind == HttpFailure.Kind.OTHER) {
            return false;
        }
        String routeId = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        if (f.checkRouteId != null && f.checkRouteId.equals(routeId)) {
            // the check ran in the route being retried: a redelivery would repeat the check, not the call
            boolean first = loggedValues.size() < MAX_LOGGED_VALUES && loggedValues.add("route:" + routeId);
            (first ? LOG.atWarn() : LOG.atDebug()).setMessage("not retried: the status check ran in the route that "
                    + "would be retried, and Camel redelivers only the failing step, so the HTTP call would not be "
                    + "repeated. Put the call and the check in a sub-route with errorHandler noErrorHandler and "
                    + "retry the calling route").addKeyValue("event", "retry_misplaced").addKeyValue("route", routeId)
                    .log();
            return false;
        }
        if (!retryable(f, o)) {
            LOG.atDebug().setMessage("failure is not retried").addKeyValue("event", "retry_not_applicable")
                    .addKeyValue("failure", f.description).addKeyValue("method", f.method).log();
            return false;
        }
        ensureRefill(exchange.getContext());

        int attempts = Math.max(1, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class));
        String endpoint = exchange.getProperty(ExchangePropertyKey.TO_ENDPOINT, String.class);
        Clock c = clock;
        long now = c.nanoTime();
        boolean continues = prev != null && prev.retry && prev.attempts == attempts - 1
                && Objects.equals(prev.endpoint, endpoint);
        long firstFailure = continues ? prev.firstFailureNanos : now;
        long totalWait = continues ? prev.totalWaitMillis : 0L;
        Duration previousWait = continues ? prev.lastWait : null;
        if (continues && isRateLimited(endpoint)) {
            // the limiter's wait before this retry (its pause, its pacing) was waiting too
            Long waited = exchange.getProperty(RateLimitConstants.WAITED_MILLIS, Long.class);
            totalWait = saturatedAdd(totalWait, waited == null ? 0L : Math.max(0L, waited));
        }
        String retryAfterText = f.retryAfterText();

        if (attempts >= o.maxAttempts()) {
            return giveUp(exchange, f, failure, RetryExhaustedException.Reason.MAX_ATTEMPTS,
                    "maxAttempts (" + o.maxAttempts() + ") reached", attempts, endpoint, firstFailure, totalWait,
                    retryAfterText);
        }
        Duration serverWait = null;
        RetryAfter ra = RetryAfterParser.parse(f.headers, c, o.maxRetryAfter());
        switch (ra.kind()) {
            case SECONDS, HTTP_DATE -> serverWait = ra.delay();
            case INVALID -> logOddValue(ra, "ignored; using the backoff instead");
            case CLAMPED -> {
                if (!o.clampRetryAfter()) {
                    logOddValue(ra, "ends the retries (clampRetryAfter=false)");
                    return giveUp(exchange, f, failure, RetryExhaustedException.Reason.RETRY_AFTER_TOO_LONG,
                            "the server asked to wait longer than maxRetryAfter (" + fmt(o.maxRetryAfter())
                                    + "): Retry-After: " + truncate(ra.raw()),
                            attempts, endpoint, firstFailure, totalWait, retryAfterText);
                }
                logOddValue(ra, "clamped to maxRetryAfter " + fmt(o.maxRetryAfter()));
                serverWait = ra.delay();
            }
            default -> {
                // ABSENT: the backoff alone
            }
        }
        Duration wait = o.backoff().retryDelay(attempts, previousWait, serverWait, random());
        long pauseMillis = limiterPauseMillis(exchange, endpoint);
        Duration delay = wait.minusMillis(pauseMillis);
        if (delay.isNegative()) {
            delay = Duration.ZERO;
        }
        long elapsedNanos = Math.max(0L, now - firstFailure);
        if (Duration.ofNanos(elapsedNanos).plus(wait).compareTo(o.retryDeadline()) > 0) {
            return giveUp(exchange, f, failure, RetryExhaustedException.Reason.DEADLINE,
                    "the next retry, in " + fmt(wait) + ", would start more than retryDeadline ("
                            + fmt(o.retryDeadline()) + ") after the first failure",
                    attempts, endpoint, firstFailure, totalWait, retryAfterText);
        }
        boolean throttle = f.throttle();
        if (o.retryBudgetEnabled()) {
            String key = budgetKey(endpoint, exchange);
            RetryBudget budget = budget(key, o, exchange.getContext());
            if (!budget.tryAcquireRetry(throttle)) {
                return giveUp(exchange, f, failure, RetryExhaustedException.Reason.BUDGET,
                        "the retry budget of '" + key + "' is spent (" + budget.available() + " of "
                                + budget.config().capacity() + " tokens left, " + (throttle ? "a throttle retry"
                                : "a retry") + " costs " + budget.config().cost(throttle)
                                + "): most recent calls to this API failed, so retries would only add load",
                        attempts, endpoint, firstFailure, totalWait, retryAfterText);
            }
        }
        long delayMillis = Backoff.toMillisCeil(delay);
        totalWait = saturatedAdd(totalWait, delayMillis);
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delayMillis);
        exchange.setProperty(ATTEMPTS, attempts);
        exchange.setProperty(DELAY, delayMillis);
        exchange.setProperty(TOTAL_WAIT, totalWait);
        exchange.setProperty(STATE, new State(attempts, endpoint, firstFailure, totalWait, wait, failure, null, true));
        retryScheduled(exchange, attempts, delayMillis, reasonWord(f));
        LOG.atDebug().setMessage("retry scheduled").addKeyValue("event", "retry_scheduled")
                .addKeyValue("attempt", attempts).addKeyValue("failure", f.description)
                .addKeyValue("retryAfter", retryAfterText).addKeyValue("waitMs", wait.toMillis())
                .addKeyValue("limiterPauseMs", pauseMillis).addKeyValue("delayMs", delayMillis).log();
        return true;
    }

    private static boolean retryable(HttpFailure f, RetryAfterOptions o) {
        if (f.kind == HttpFailure.Kind.IO) {
            return f.connectFailure || f.idempotent() || o.retryNonIdempotent();
        }
        if (f.status == 429 || f.status == 503) {
            return true;
        }
        if (f.status >= 500 && f.status <= 599) {
            return f.idempotent() || o.retryNonIdempotent();
        }
        return false;
    }

    private boolean giveUp(Exchange exchange, HttpFailure f, Throwable failure, RetryExhaustedException.Reason reason,
            String why, int attempts, String endpoint, long firstFailure, long totalWait, String retryAfterText) {
        String last = f.kind == HttpFailure.Kind.HTTP ? "last HTTP status " + f.status : "last error " + f.description;
        String message = "Gave up after " + attempts + (attempts == 1 ? " attempt" : " attempts") + " (" + last
                + ", waited " + totalWait + " ms in total): " + why;
        RetryExhaustedException e = new RetryExhaustedException(reason, f.status, attempts,
                Duration.ofMillis(totalWait), retryAfterText, message, failure);
        if (exchange.getException() != null) {
            exchange.setException(e);
            // the error handler restores this one when the exchange ends up not handled
            exchange.setProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, e);
        }
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        exchange.removeProperty(DELAY);
        exchange.setProperty(ATTEMPTS, attempts);
        exchange.setProperty(TOTAL_WAIT, totalWait);
        exchange.setProperty(STATE, new State(attempts, endpoint, firstFailure, totalWait, null, failure, e, false));
        retriesExhausted(exchange, attempts, reason.name().toLowerCase(Locale.ROOT));
        LOG.atDebug().setMessage("retries exhausted").addKeyValue("event", "retry_exhausted")
                .addKeyValue("reason", reason).addKeyValue("attempts", attempts).addKeyValue("status", f.status)
                .addKeyValue("totalWaitMs", totalWait).log();
        return false;
    }

    /** A stable word for meters and logs: {@code throttled}, {@code server_error} or {@code io_error}. */
    static String reasonWord(HttpFailure f) {
        if (f.kind == HttpFailure.Kind.IO) {
            return "io_error";
        }
        return f.throttle() ? "throttled" : "server_error";
    }

    // Observability hooks. The component's observability (meters camel.ratelimit.retries.scheduled, retry.wait,
    // retries.exhausted, retry.budget; events; console) is merged separately: these are the places to call it.

    /** A retry is scheduled for {@code exchange}: retry number {@code attempt}, after {@code delayMillis}. */
    void retryScheduled(Exchange exchange, int attempt, long delayMillis, String reason) {
        RateLimitMetrics.retryScheduled(exchange, attempt, delayMillis, reason);
    }

    /** {@code exchange} will not be retried again after {@code attempts} calls. */
    void retriesExhausted(Exchange exchange, int attempts, String reason) {
        RateLimitMetrics.retriesExhausted(exchange, attempts, reason);
    }

    /** A budget was created for API {@code key} ({@code ratelimit:<limiter>} behind a limiter). */
    void budgetCreated(CamelContext context, String key, RetryBudget budget) {
        if (key.startsWith("ratelimit:")) {
            RateLimitMetrics.budgetLeft(context, key.substring("ratelimit:".length()), budget::available);
        }
    }

    private static long limiterPauseMillis(Exchange exchange, String endpoint) {
        if (!isRateLimited(endpoint)) {
            return 0L;
        }
        Long pause = exchange.getProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS, Long.class);
        return pause == null ? 0L : Math.max(0L, pause);
    }

    private static boolean isRateLimited(String endpoint) {
        return endpoint != null && endpoint.startsWith("ratelimit:");
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void logOddValue(RetryAfter ra, String outcome) {
        String raw = truncate(ra.raw());
        boolean first = loggedValues.size() < MAX_LOGGED_VALUES && loggedValues.add(raw);
        (first ? LOG.atWarn() : LOG.atDebug()).setMessage("odd Retry-After header: " + outcome)
                .addKeyValue("event", "odd_header").addKeyValue("header", RetryAfterParser.RETRY_AFTER)
                .addKeyValue("value", raw).addKeyValue("kind", ra.kind()).addKeyValue("reason", ra.reason()).log();
    }

    private static String truncate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > MAX_LOGGED_LENGTH ? s.substring(0, MAX_LOGGED_LENGTH) + "..." : s;
    }

    static String fmt(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return String.format(Locale.ROOT, "%.3f s", ms / 1000.0);
    }

    private RandomGenerator random() {
        RandomGenerator r = random;
        return r != null ? r : ThreadLocalRandom.current();
    }

    // ---------------------------------------------------------------- retry budgets

    /**
     * The API a failure or success belongs to: {@code ratelimit:<limiter>} behind a {@code ratelimit:} endpoint
     * (the limiter name from the exchange), else {@code scheme://host:port} of the endpoint URI, else the URI
     * without its query; {@value #OTHER_BUDGET} without an endpoint.
     */
    static String budgetKey(String endpointUri, Exchange exchange) {
        if (endpointUri == null || endpointUri.isBlank()) {
            return OTHER_BUDGET;
        }
        String uri = endpointUri;
        if (isRateLimited(uri)) {
            String limiter = exchange == null ? null : exchange.getProperty(RateLimitConstants.LIMITER, String.class);
            if (limiter != null) {
                return "ratelimit:" + limiter;
            }
            uri = uri.substring("ratelimit:".length());
        }
        try {
            URI u = new URI(uri);
            if (u.getScheme() != null && u.getHost() != null) {
                return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT)
                        + (u.getPort() >= 0 ? ":" + u.getPort() : "");
            }
        } catch (URISyntaxException e) {
            // not a URI: use the text
        }
        int q = uri.indexOf('?');
        String s = q >= 0 ? uri.substring(0, q) : uri;
        return s.length() > MAX_LOGGED_LENGTH ? s.substring(0, MAX_LOGGED_LENGTH) : s;
    }

    private RetryBudget budget(String key, RetryAfterOptions o, CamelContext context) {
        RetryBudget b = budgets.get(key);
        if (b != null) {
            return b;
        }
        String k = budgets.size() >= MAX_BUDGETS ? OTHER_BUDGET : key;
        return budgets.computeIfAbsent(k, x -> {
            RetryBudget created = new RetryBudget(o.retryBudget());
            budgetCreated(context, x, created);
            return created;
        });
    }

    /** A successful call to the API {@code key}: refills its budget, if it has one. */
    void onSuccess(String key) {
        RetryBudget b = budgets.get(key);
        if (b != null) {
            b.onSuccess();
        }
    }

    boolean hasBudgets() {
        return !budgets.isEmpty();
    }

    private void ensureRefill(CamelContext context) {
        if (context == null || refills.putIfAbsent(context, Boolean.TRUE) != null) {
            return;
        }
        RetryBudgetRefill refill = new RetryBudgetRefill(this);
        try {
            context.addService(refill, true, true);
            context.getManagementStrategy().addEventNotifier(refill);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
    }

    /** The retry budget of an API (see {@link #budgetKey}), or {@code null} when none was needed yet. */
    public RetryBudget getRetryBudget(String key) {
        return budgets.get(key);
    }

    /** The APIs that have a retry budget so far. */
    public Set<String> getRetryBudgetKeys() {
        return Set.copyOf(budgets.keySet());
    }

    // ---------------------------------------------------------------- options

    /**
     * The validated options.
     *
     * @throws io.github.camelratelimit.core.InvalidLimiterConfigException naming the first invalid option
     */
    public RetryAfterOptions getOptions() {
        RetryAfterOptions o = options;
        if (o == null) {
            Backoff backoff = Backoff.builder().baseDelay(backoffBaseDelay).multiplier(backoffMultiplier)
                    .maxDelay(backoffMaxDelay).jitter(backoffJitter).retryAfterJitter(retryAfterJitter).build();
            RetryBudget.Config budget = new RetryBudget.Config(retryBudgetCapacity, retryBudgetThrottleCost,
                    retryBudgetRetryCost, retryBudgetSuccessRefill);
            o = new RetryAfterOptions(maxAttempts, retryDeadline, maxRetryAfter, clampRetryAfter, retryNonIdempotent,
                    backoff, retryBudgetEnabled, budget);
            options = o;
        }
        return o;
    }

    /** Sets every option at once. */
    public void setOptions(RetryAfterOptions o) {
        Objects.requireNonNull(o, "options");
        maxAttempts = o.maxAttempts();
        retryDeadline = o.retryDeadline();
        maxRetryAfter = o.maxRetryAfter();
        clampRetryAfter = o.clampRetryAfter();
        retryNonIdempotent = o.retryNonIdempotent();
        backoffBaseDelay = o.backoff().baseDelay();
        backoffMultiplier = o.backoff().multiplier();
        backoffMaxDelay = o.backoff().maxDelay();
        backoffJitter = o.backoff().jitter();
        retryAfterJitter = o.backoff().retryAfterJitter();
        retryBudgetEnabled = o.retryBudgetEnabled();
        retryBudgetCapacity = o.retryBudget().capacity();
        retryBudgetThrottleCost = o.retryBudget().throttleCost();
        retryBudgetRetryCost = o.retryBudget().retryCost();
        retryBudgetSuccessRefill = o.retryBudget().successRefill();
        options = o;
    }

    /**
     * Validates the options now instead of at the first failure.
     *
     * @throws io.github.camelratelimit.core.InvalidLimiterConfigException naming the first invalid option
     */
    public void validate() {
        getOptions();
    }

    private void changed() {
        options = null;
    }

    public int getMaxAttempts() { return maxAttempts; }
    /** Calls in total, the first included (1 = never retry); default 5. */
    public void setMaxAttempts(int v) { maxAttempts = v; changed(); }

    public Duration getRetryDeadline() { return retryDeadline; }
    /** No retry starts later than this after the first failure; default 10m. */
    public void setRetryDeadline(Duration v) { retryDeadline = v; changed(); }

    public Duration getMaxRetryAfter() { return maxRetryAfter; }
    /** Longest honoured Retry-After; default 5m. */
    public void setMaxRetryAfter(Duration v) { maxRetryAfter = v; changed(); }

    public boolean isClampRetryAfter() { return clampRetryAfter; }
    /** {@code true}: wait maxRetryAfter on a longer Retry-After; {@code false} (default): give up at once. */
    public void setClampRetryAfter(boolean v) { clampRetryAfter = v; changed(); }

    public boolean isRetryNonIdempotent() { return retryNonIdempotent; }
    /** {@code true}: retry 5xx and I/O errors for POST and PATCH too; default {@code false}. */
    public void setRetryNonIdempotent(boolean v) { retryNonIdempotent = v; changed(); }

    public Duration getBackoffBaseDelay() { return backoffBaseDelay; }
    /** The first retry's backoff ceiling; default 500ms. */
    public void setBackoffBaseDelay(Duration v) { backoffBaseDelay = v; changed(); }

    public double getBackoffMultiplier() { return backoffMultiplier; }
    /** Growth per attempt; default 2. */
    public void setBackoffMultiplier(double v) { backoffMultiplier = v; changed(); }

    public Duration getBackoffMaxDelay() { return backoffMaxDelay; }
    /** Cap of the computed backoff (not of a server's wait); default 30s. */
    public void setBackoffMaxDelay(Duration v) { backoffMaxDelay = v; changed(); }

    public Backoff.Jitter getBackoffJitter() { return backoffJitter; }
    /** FULL (default), EQUAL, DECORRELATED or NONE. */
    public void setBackoffJitter(Backoff.Jitter v) { backoffJitter = v; changed(); }

    public double getRetryAfterJitter() { return retryAfterJitter; }
    /** Most a server's wait is lengthened, as a fraction in [0, 1]; default 0.1. */
    public void setRetryAfterJitter(double v) { retryAfterJitter = v; changed(); }

    public boolean isRetryBudgetEnabled() { return retryBudgetEnabled; }
    /** {@code false}: never refuse a retry for lack of budget; default {@code true}. */
    public void setRetryBudgetEnabled(boolean v) { retryBudgetEnabled = v; changed(); }

    public int getRetryBudgetCapacity() { return retryBudgetCapacity; }
    /** Tokens per API budget, also the start balance; default 500. Applies to budgets created afterwards. */
    public void setRetryBudgetCapacity(int v) { retryBudgetCapacity = v; changed(); }

    public int getRetryBudgetThrottleCost() { return retryBudgetThrottleCost; }
    /** Tokens a retry after 429 (or 503 with Retry-After) takes; default 5. */
    public void setRetryBudgetThrottleCost(int v) { retryBudgetThrottleCost = v; changed(); }

    public int getRetryBudgetRetryCost() { return retryBudgetRetryCost; }
    /** Tokens any other retry takes; default 10. */
    public void setRetryBudgetRetryCost(int v) { retryBudgetRetryCost = v; changed(); }

    public int getRetryBudgetSuccessRefill() { return retryBudgetSuccessRefill; }
    /** Tokens a successful call gives back; default 1. */
    public void setRetryBudgetSuccessRefill(int v) { retryBudgetSuccessRefill = v; changed(); }

    public Clock getClock() { return clock; }
    /** The time source for deadlines and HTTP-date Retry-After values; tests pass a {@code ManualClock}. */
    public void setClock(Clock clock) { this.clock = Objects.requireNonNull(clock, "clock"); }

    public RandomGenerator getRandom() { return random; }
    /**
     * The jitter's randomness; {@code null} (default) uses {@link ThreadLocalRandom}. A generator set here is
     * shared by all threads, so it must be thread-safe ({@link java.util.Random} is); tests pass a seeded one.
     */
    public void setRandom(RandomGenerator random) { this.random = random; }

    @Override
    public CamelContext getCamelContext() { return camelContext; }

    @Override
    public void setCamelContext(CamelContext camelContext) { this.camelContext = camelContext; }

    @Override
    public String toString() {
        return "RetryAfterRedelivery[maxAttempts=" + maxAttempts + ", retryDeadline=" + retryDeadline
                + ", maxRetryAfter=" + maxRetryAfter + ", clampRetryAfter=" + clampRetryAfter + ", budgets="
                + budgets.size() + "]";
    }
}
