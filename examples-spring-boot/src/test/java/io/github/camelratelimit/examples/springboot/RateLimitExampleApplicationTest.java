package io.github.camelratelimit.examples.springboot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.github.camelratelimit.retry.RetryAfterRedelivery;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example application as it ships (application.yaml) against the provider simulator: the settings from
 * application.yaml reach the component and the limiter, every call is delivered despite 429s, and Actuator shows
 * the ratelimit health check and meters.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitExampleApplicationTest {

    /** The provider really allows 20 calls/s (burst 5); the catalog limiter starts at 30/s. */
    private static final ProviderSimulator SIM = ProviderSimulator.builder().capacity(20).burst(5).build();

    @DynamicPropertySource
    static void catalogUrl(DynamicPropertyRegistry registry) throws Exception {
        SIM.start();
        registry.add("catalog.url", SIM::baseUrl);
    }

    @AfterAll
    static void stopSimulator() {
        SIM.stop();
    }

    @Autowired
    CamelContext camel;

    @Autowired
    RateLimitComponent ratelimit;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    RetryAfterRedelivery retryAfter;

    @Autowired
    TestRestTemplate http;

    @Test
    void applicationYamlReachesTheLimiterAndEveryCallIsDelivered() throws Exception {
        assertEquals(40.0, ratelimit.getConfiguration().getMaxRate(), "camel.component.ratelimit.max-rate");
        assertEquals(2.0, ratelimit.getConfiguration().getMinRate(), "camel.component.ratelimit.min-rate");

        List<CompletableFuture<Exchange>> calls = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            int id = i;
            calls.add(producer.asyncSend("direct:catalog-item", e -> e.getMessage().setHeader("itemId", id)));
        }
        for (int i = 0; i < calls.size(); i++) {
            Exchange e = calls.get(i).get();
            assertNull(e.getException(), "call " + (i + 1));
            assertEquals("{\"id\":\"" + (i + 1) + "\",\"ok\":true}", e.getMessage().getBody(String.class));
        }

        LimiterConfig catalog = ratelimit.getLimiter("catalog").config();
        assertEquals(30.0, catalog.maxRate(), "ratelimit.limiter.catalog.max-rate");
        assertEquals(2.0, catalog.minRate(), "camel.component.ratelimit.min-rate");
        assertEquals(Duration.ofMinutes(2), catalog.maxWait(), "camel.component.ratelimit.max-wait");
        assertEquals(5000, catalog.quota(), "camel.component.ratelimit.quota");
        assertEquals(Duration.ofHours(1), catalog.quotaWindow(), "camel.component.ratelimit.quota-window");
        assertEquals(60, SIM.stats().ok(), "each call reached the provider once successfully");
        assertEquals(SIM.stats().requests(), 60 + SIM.stats().throttled(), "every 429 was retried");
        assertTrue(camel.getComponent("ratelimit") == ratelimit, "the starter's bean is the component Camel uses");
        assertEquals(10, retryAfter.getMaxAttempts(), "camel.ratelimit.retry-after.max-attempts");
        assertEquals(Set.of("ratelimit:catalog"), retryAfter.getRetryBudgetKeys(), "429s were retried by retryAfter");

        // Actuator: the health check ...
        ResponseEntity<String> health = http.getForEntity("/actuator/health", String.class);
        assertEquals(200, health.getStatusCode().value(), health.getBody());
        DocumentContext h = JsonPath.parse(health.getBody());
        assertEquals("UP", h.read("$.status"));
        assertEquals("UP", h.read("$.components.camelHealth.details['ratelimit']", String.class), health.getBody());
        assertEquals("ok", h.read("$.components.camelHealth.details['ratelimit.data']['catalog.state']", String.class));
        assertEquals("1", h.read("$.components.camelHealth.details['ratelimit.data']['limiters']", String.class));
        // ... and the meters
        DocumentContext granted = JsonPath.parse(http.getForObject(
                "/actuator/metrics/camel.ratelimit.permits.granted?tag=limiter:catalog", String.class));
        assertEquals(60.0 + SIM.stats().throttled(), granted.read("$.measurements[0].value", Double.class),
                "a permit for each call and each retry");
        DocumentContext rate = JsonPath.parse(http.getForObject(
                "/actuator/metrics/camel.ratelimit.rate.max?tag=limiter:catalog", String.class));
        assertEquals(30.0, rate.read("$.measurements[0].value", Double.class));
        DocumentContext throttled = JsonPath.parse(http.getForObject(
                "/actuator/metrics/camel.ratelimit.responses.throttled?tag=limiter:catalog", String.class));
        assertEquals((double) SIM.stats().throttled(), throttled.read("$.measurements[0].value", Double.class));
    }
}
