package io.github.camelratelimit.examples;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's YAML route, loaded by camel-main with application.properties, against the simulator: options from
 * camel.component.ratelimit.* reach the limiter, every exchange is delivered, 429s are retried, none lost.
 */
class DemoRouteTest {

    @Test
    void yamlRouteThroughCamelMainDeliversEveryExchange() throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(40).burst(4)
                .retryAfter(ProviderSimulator.RetryAfterMode.SECONDS).build()) {
            sim.start();
            Main main = new Main(Demo.class);
            main.addInitialProperty("provider.url", sim.baseUrl());
            main.addOverrideProperty("camel.component.ratelimit.max-rate", "80");
            main.start();
            try {
                RateLimitComponent rl = main.getCamelContext().getComponent("ratelimit", RateLimitComponent.class);
                assertEquals(80.0, rl.getConfiguration().getMaxRate());
                assertEquals(2.0, rl.getConfiguration().getMinRate(), "from application.properties");
                Demo.Summary s = Demo.run(main.getCamelContext(), 150);
                assertEquals(150, s.ok() + s.failed(), "none lost");
                assertEquals(0, s.failed());
                RateLimiter l = rl.getLimiter("provider");
                assertEquals(80.0, l.config().maxRate());
                assertEquals(300_000L, l.config().maxWait().toMillis(), "max-wait = 5m from application.properties");
                assertEquals(sim.stats().ok(), 150, "each exchange reached the provider once successfully");
                assertEquals(sim.stats().throttled(), s.retries(), "every 429 was retried once");
                assertTrue(sim.stats().requests() >= 150);
            } finally {
                main.stop();
            }
        }
    }
}
