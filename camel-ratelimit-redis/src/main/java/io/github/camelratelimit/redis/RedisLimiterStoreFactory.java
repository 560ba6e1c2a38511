package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.core.LimiterStoreFactory;
import io.lettuce.core.RedisURI;

import java.util.Map;

/**
 * Creates {@link RedisLimiterStore}s for {@code store=redis}; found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.github.camelratelimit.core.LimiterStoreFactory}.
 *
 * <p>Options: {@code redisUri} (required, e.g. {@code redis://:password@127.0.0.1:6379/0}; {@code rediss://} for
 * TLS) and the ones of {@link RedisStoreSettings#fromOptions(Map)}. Each store gets its own Lettuce client and
 * connection, closed with the store. Stateless and thread-safe.
 */
public final class RedisLimiterStoreFactory implements LimiterStoreFactory {

    @Override
    public String kind() {
        return "redis";
    }

    /** @throws InvalidLimiterConfigException when {@code redisUri} is missing or malformed, or an option is bad */
    @Override
    public LimiterStore create(Map<String, String> options, Clock clock) {
        RedisStoreSettings settings = RedisStoreSettings.fromOptions(options);
        return RedisLimiterStore.create(parseUri(options == null ? null : options.get("redisUri")), settings, clock);
    }

    /** Parses {@code redisUri}; the exception never repeats a password. */
    public static RedisURI parseUri(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidLimiterConfigException("redisUri", null,
                    "must be set for store=redis, e.g. redis://:password@127.0.0.1:6379/0");
        }
        String t = text.trim();
        if (!(t.startsWith("redis://") || t.startsWith("rediss://") || t.startsWith("redis-socket://")
                || t.startsWith("redis-sentinel://") || t.startsWith("rediss-sentinel://"))) {
            throw new InvalidLimiterConfigException("redisUri", masked(t),
                    "must start with redis://, rediss:// (TLS), redis-socket:// or redis-sentinel://");
        }
        try {
            return RedisURI.create(t);
        } catch (RuntimeException e) {
            throw new InvalidLimiterConfigException("redisUri", masked(t), "is not a valid Redis URI ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The URI with any user info replaced by {@code ***}. */
    static String masked(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
    }
}
