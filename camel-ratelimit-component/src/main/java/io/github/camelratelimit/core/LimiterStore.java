package io.github.camelratelimit.core;

import java.util.concurrent.CompletionStage;

/**
 * Where limiter state lives: the SPI between the enforcing {@link RateLimiter} and the algorithm's state.
 *
 * <p>Each call names the limiter and passes its config, so a store can create the state on first use. Every
 * operation must be atomic per limiter name (a shared store runs the whole decision where the state lives, in
 * one round trip, with its own clock). Wait times are relative nanoseconds, so callers never compare clocks
 * with the store; {@link Acquisition#grantedAt()} is an opaque time stamp in the store's clock that callers
 * hand back in {@link Feedback}.
 *
 * <p>Implementations are thread-safe. A {@link CompletionStage} may complete on any thread (the in-memory
 * store completes before returning); it completes exceptionally when the store cannot answer. Every stage must
 * complete, within the store's own timeout (the Redis store's {@code redisTimeout}): waiting exchanges wait for
 * {@code tryAcquire}, and a throttled exchange continues only once its {@code record} has completed.
 */
public interface LimiterStore extends AutoCloseable {

    /** Takes one permit now, or answers how long until one can be had. */
    CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config);

    /** Feeds one response back. Completes with {@code true} when it cut the rate. */
    CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback);

    /** The limiter's current figures. */
    CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config);

    /** Forgets cuts and pauses of the limiter (an operator's reset). */
    CompletionStage<Void> reset(String limiter, LimiterConfig config);

    /**
     * {@code true} when every returned stage is already complete (the in-memory store): the enforcer may then ask
     * the store from several callers at once instead of queueing behind the one that is asking.
     */
    default boolean completesSynchronously() {
        return false;
    }

    /**
     * {@code true} while a shared store cannot reach its back end and answers from a local fallback (limits are
     * then not shared). Reported by the health check and the {@code camel.ratelimit.store.degraded} gauge.
     */
    default boolean isDegraded() {
        return false;
    }

    /** A short name for logs and metrics, e.g. {@code memory} or {@code redis}. */
    String kind();

    @Override
    default void close() {
    }
}
