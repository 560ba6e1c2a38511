package io.github.camelratelimit.benchmarks;

import java.util.function.Consumer;

/**
 * One way of calling a rate-limited provider, driven by {@link AdaptiveScenario}: the component, Camel's Throttle
 * EIP with redelivery, or the AWS SDK's adaptive retry strategy. Each sends {@code GET <base>/items} and retries
 * throttled calls by its own rules.
 */
interface AdaptiveClient extends AutoCloseable {

    /** Starts against the provider at {@code baseUrl}. */
    void start(String baseUrl) throws Exception;

    /** Sends one exchange (with its retries); {@code done} gets {@code true} when it finally succeeded. */
    void submit(Consumer<Boolean> done);

    /** The rate the client currently permits, calls/s; NaN when it has none (not limiting). */
    double permittedRate();

    @Override
    void close();
}
