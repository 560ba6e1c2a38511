package io.github.camelratelimit;

import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A CamelContext per test and a scripted {@link TestHttpServer} on 127.0.0.1, with the helpers the route tests share. */
abstract class RateLimitHttpTestSupport extends CamelTestSupport {

    protected TestHttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new TestHttpServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** Adds the route {@code from -> to}. */
    protected void route(String from, String to) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).to(to);
            }
        });
    }

    protected RateLimitComponent component() {
        return context.getComponent("ratelimit", RateLimitComponent.class);
    }

    /** The named limiter's state, read through its store. */
    protected LimiterSnapshot snapshot(String limiter) throws Exception {
        RateLimiter l = component().getLimiter(limiter);
        return l.store().snapshot(limiter, l.config()).toCompletableFuture().get();
    }
}
