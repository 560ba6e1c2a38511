package io.github.camelratelimit.redis;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one real {@code redis-server} per test class ({@link RedisServer}), started before the
 * class and stopped after it. Register with {@code @RegisterExtension static RedisServerExtension redis = ...}.
 *
 * <p>When redis-server is not installed: with {@code CI=true} the class FAILS (CI must install it: {@code
 * apt-get install -y redis-server}); elsewhere it is skipped with a loud message on stderr.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (RedisServer.findBinary() == null) {
            String msg = "redis-server is not installed (not on PATH, not /usr/bin/redis-server): the Redis tests of "
                    + context.getDisplayName() + " cannot run. Install it with: apt-get install -y redis-server";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true and " + msg);
            }
            System.err.println("\n!!!!!!!! SKIPPED: " + msg + " !!!!!!!!\n");
            Assumptions.abort(msg);
        }
        server = RedisServer.startNew();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
    }

    public RedisServer server() {
        return server;
    }

    public String uri() {
        return server.uri();
    }

    /** Kills the server (an abrupt outage). */
    public void stop() throws InterruptedException {
        server.stop();
    }

    /** Starts it again on the same port. */
    public void start() throws Exception {
        server.start();
    }
}
