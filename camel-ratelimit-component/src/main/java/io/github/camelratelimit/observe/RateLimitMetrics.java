package io.github.camelratelimit.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.RateLimitConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Exchange;

/**
 * The entry points for code outside the component that retries exchanges (the Retry-After error handler):
 * each call counts the meter ({@code camel.ratelimit.retries.scheduled}, {@code retry.wait},
 * {@code retries.exhausted}, {@code retry.budget}), logs the event ({@code retry_scheduled},
 * {@code retries_exhausted}) and updates the dev console and JMX figures of the limiter.
 *
 * <p>The limiter is the one the exchange went through ({@link RateLimitConstants#LIMITER}); {@code reason}
 * should be one of a few stable words ({@code throttled}, {@code server_error}, {@code io_error}): it becomes a
 * meter tag (at most 8 distinct values per limiter, further ones count as {@code other}). Events for an
 * exchange that went through no limiter are logged with limiter {@code none} and not counted. Never throws.
 */
public final class RateLimitMetrics {

    /** Limiter name used when an exchange went through no limiter. */
    public static final String NO_LIMITER = "none";

    private RateLimitMetrics() {
    }

    /** A retry of {@code exchange} is scheduled: {@code attempt} (1 = first retry), after {@code waitMillis}. */
    public static void retryScheduled(Exchange exchange, int attempt, long waitMillis, String reason) {
        retryScheduled(exchange.getContext(), limiterOf(exchange), attempt, waitMillis, reason);
    }

    /** A retry is scheduled for an exchange of {@code limiter}. */
    public static void retryScheduled(CamelContext context, String limiter, int attempt, long waitMillis,
            String reason) {
        try {
            String l = limiter == null ? NO_LIMITER : limiter;
            RateLimitObserver o = observerOf(context, l);
            if (o != null) {
                o.retryScheduled(l, attempt, waitMillis, reason);
            } else {
                new RateLimitEvents().retryScheduled(l, attempt, waitMillis, reason);
            }
        } catch (RuntimeException e) {
            // observability never fails an exchange
        }
    }

    /** {@code exchange} will not be retried again after {@code attempts} attempts. */
    public static void retriesExhausted(Exchange exchange, int attempts, String reason) {
        retriesExhausted(exchange.getContext(), limiterOf(exchange), attempts, reason);
    }

    /** An exchange of {@code limiter} will not be retried again. */
    public static void retriesExhausted(CamelContext context, String limiter, int attempts, String reason) {
        try {
            String l = limiter == null ? NO_LIMITER : limiter;
            RateLimitObserver o = observerOf(context, l);
            if (o != null) {
                o.retriesExhausted(l, attempts, reason);
            } else {
                new RateLimitEvents().retriesExhausted(l, attempts, reason);
            }
        } catch (RuntimeException e) {
            // observability never fails an exchange
        }
    }

    /**
     * Publishes a retry budget's tokens left for {@code limiter} (gauge {@code camel.ratelimit.retry.budget},
     * console, JMX), e.g. {@code budgetLeft(ctx, "github", budget::available)}. May be called before the limiter
     * starts; the supplier is read on every scrape and must be quick and thread-safe.
     */
    public static void budgetLeft(CamelContext context, String limiter, IntSupplier tokensLeft) {
        if (context == null || limiter == null || tokensLeft == null) {
            return;
        }
        List<RateLimitObserver> all = observers(context);
        if (all.isEmpty()) {
            Component c = context.getComponent("ratelimit");
            if (c instanceof RateLimitComponent rc && rc.getObserver() != null) {
                all.add(rc.getObserver());
            }
        }
        for (RateLimitObserver o : all) {
            o.retryBudget(limiter, tokensLeft);
        }
    }

    private static String limiterOf(Exchange exchange) {
        return exchange == null ? null : exchange.getProperty(RateLimitConstants.LIMITER, String.class);
    }

    private static List<RateLimitObserver> observers(CamelContext context) {
        return context == null ? new ArrayList<>() : RateLimitDevConsole.observers(context);
    }

    /** The observer that watches {@code limiter}, else the first observer, else null. */
    private static RateLimitObserver observerOf(CamelContext context, String limiter) {
        List<RateLimitObserver> all = observers(context);
        for (RateLimitObserver o : all) {
            if (o.watch(limiter) != null) {
                return o;
            }
        }
        return all.isEmpty() ? null : all.get(0);
    }
}
