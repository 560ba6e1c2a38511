package io.github.camelratelimit.redis;

/**
 * The Redis limiter store could not answer (failure, timeout, closed) and {@code redisFallback=fail}. The
 * message names the Redis server (without credentials) and what went wrong; the cause is Lettuce's exception or
 * a {@link java.util.concurrent.TimeoutException}.
 */
public class RedisLimiterStoreException extends RuntimeException {

    public RedisLimiterStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
