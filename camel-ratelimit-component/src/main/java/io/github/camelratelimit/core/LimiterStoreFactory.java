package io.github.camelratelimit.core;

import java.util.Map;

/**
 * Creates a {@link LimiterStore} of one kind from string options; found with {@link java.util.ServiceLoader}
 * (file {@code META-INF/services/io.github.camelratelimit.core.LimiterStoreFactory}), so a store that needs a
 * client library (Redis) lives in its own module and is picked by the option {@code store=<kind>}.
 */
public interface LimiterStoreFactory {

    /** The name users give in {@code store=}, e.g. {@code redis}. */
    String kind();

    /**
     * Creates a store.
     *
     * @param options the component's store options, e.g. {@code redisUri}; unknown keys are ignored
     * @param clock   the clock for local fallbacks (a shared store keeps its own time)
     * @throws InvalidLimiterConfigException when an option is missing or malformed
     */
    LimiterStore create(Map<String, String> options, Clock clock);
}
