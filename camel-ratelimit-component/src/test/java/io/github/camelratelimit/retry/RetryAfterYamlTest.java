package io.github.camelratelimit.retry;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.simulator.ProviderSimulator;
import io.github.camelratelimit.simulator.ProviderSimulator.Reply;
import io.github.camelratelimit.simulator.RecordedRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.main.Main;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The YAML route files in the repository's {@code routes/} folder, loaded as users load them: the bean declared
 * in the YAML {@code beans:} section or through camel-main {@code camel.beans.*} properties, no Java code.
 */
class RetryAfterYamlTest extends CamelTestSupport {

    private static final String ROUTES = "file:../routes/";

    private ProviderSimulator sim;

    @BeforeEach
    void startProvider() throws Exception {
        sim = ProviderSimulator.builder().capacity(1000).build();
        sim.start();
    }

    @AfterEach
    void stopProvider() {
        sim.stop();
    }

    private void load(String file) throws Exception {
        Properties p = new Properties();
        p.setProperty("api.url", sim.baseUrl());
        context.getPropertiesComponent().setOverrideProperties(p);
        context.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
        Resource r = PluginHelper.getResourceLoader(context).resolveResource(ROUTES + file);
        PluginHelper.getRoutesLoader(context).loadRoutes(r);
    }

    private long gapMillis(int from, int to) {
        List<RecordedRequest> r = sim.requests();
        return TimeUnit.NANOSECONDS.toMillis(r.get(to).arrivalNanos() - r.get(from).arrivalNanos());
    }

    @Test
    void onExceptionInARouteConfiguration() throws Exception {
        load("retry-after.camel.yaml");
        RetryAfterRedelivery bean = context.getRegistry().lookupByNameAndType("retryAfter", RetryAfterRedelivery.class);
        assertEquals(4, bean.getMaxAttempts(), "bean properties from the YAML");
        assertEquals(java.time.Duration.ofMinutes(2), bean.getMaxRetryAfter());

        sim.script(Reply.of(429).header("Retry-After", "1"));
        Exchange ok = template.send("direct:retry-after-fetch", e -> e.getIn().setHeader("itemId", "7"));
        assertNull(ok.getException());
        assertEquals("/items/7", sim.requests().get(1).path());
        assertTrue(gapMillis(0, 1) >= 1000, "gap " + gapMillis(0, 1));

        sim.script(Reply.of(429).header("Retry-After", "999999999"));
        Exchange gaveUp = template.send("direct:retry-after-fetch", e -> e.getIn().setHeader("itemId", "8"));
        RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, gaveUp.getException());
        assertTrue(x.getMessage().contains("maxRetryAfter (120 s): Retry-After: 999999999"), x.getMessage());
        assertEquals(3, sim.requests().size());
    }

    @Test
    void throwExceptionOnFailureFalseWithTheCheckInASubRoute() throws Exception {
        load("retry-no-throw.camel.yaml");

        sim.script(Reply.of(503).header("Retry-After", "1"));
        Exchange ok = template.send("direct:retry-no-throw-fetch", e -> e.getIn().setHeader("itemId", "1"));
        assertNull(ok.getException());
        assertEquals(200, ok.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals(2, sim.requests().size());
        assertTrue(gapMillis(0, 1) >= 1000, "gap " + gapMillis(0, 1));

        sim.script(Reply.of(404));
        Exchange notFound = template.send("direct:retry-no-throw-fetch", e -> e.getIn().setHeader("itemId", "2"));
        assertNull(notFound.getException());
        assertEquals(404, notFound.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals(3, sim.requests().size());
    }

    /** camel-main binds the bean from {@code camel.beans.*}; the YAML only references it by name. */
    @Test
    void errorHandlerBehindRateLimitWithTheBeanFromCamelMainProperties() throws Exception {
        Main main = new Main();
        main.addInitialProperty("camel.beans.retryAfter", "#class:" + RetryAfterRedelivery.class.getName());
        main.addInitialProperty("camel.beans.retryAfter.maxAttempts", "2");
        main.addInitialProperty("camel.beans.retryAfter.backoffBaseDelay", "20ms");
        main.addInitialProperty("camel.main.routesIncludePattern", ROUTES + "retry-ratelimit.camel.yaml");
        main.addInitialProperty("api.url", sim.baseUrl());
        main.start();
        try {
            CamelContext camel = main.getCamelContext();
            RetryAfterRedelivery bean = camel.getRegistry().lookupByNameAndType("retryAfter",
                    RetryAfterRedelivery.class);
            assertEquals(2, bean.getMaxAttempts());
            ProducerTemplate producer = camel.createProducerTemplate();

            sim.script(Reply.of(429).header("Retry-After", "1"));
            long start = System.nanoTime();
            Exchange ok = producer.send("direct:retry-ratelimit-fetch", e -> e.getIn().setHeader("itemId", "3"));
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertNull(ok.getException());
            assertEquals("/items/3", sim.requests().get(1).path());
            // the limiter's pause and the redelivery are not added up
            assertTrue(gapMillis(0, 1) >= 1000 && elapsed < 1900, "gap " + gapMillis(0, 1) + ", took " + elapsed);

            sim.script(Reply.of(503), Reply.of(503));
            Exchange failed = producer.send("direct:retry-ratelimit-fetch", e -> e.getIn().setHeader("itemId", "4"));
            RetryExhaustedException x = assertInstanceOf(RetryExhaustedException.class, failed.getException());
            assertTrue(x.getMessage().startsWith("Gave up after 2 attempts (last HTTP status 503"), x.getMessage());
            assertEquals(4, sim.requests().size());
        } finally {
            main.stop();
        }
    }
}
