package io.github.camelratelimit.examples;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** camel-main's management server on loopback shows the ratelimit health check with its details. */
class HealthEndpointTest {

    @Test
    void healthEndpointShowsTheRateLimitCheck() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(100).build()) {
            sim.start();
            Main main = new Main(Demo.class);
            main.addInitialProperty("provider.url", sim.baseUrl());
            main.addOverrideProperty("camel.management.enabled", "true");
            main.addOverrideProperty("camel.management.dev-console-enabled", "true");
            main.addOverrideProperty("camel.health.exposure-level", "full");
            main.addOverrideProperty("camel.management.host", "127.0.0.1");
            main.addOverrideProperty("camel.management.port", Integer.toString(port));
            main.addOverrideProperty("camel.management.health-check-enabled", "true");
            main.start();
            try {
                Demo.run(main.getCamelContext(), 5);
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/observe/health?exposureLevel=full&data=true")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("ratelimit"), r.body());
                assertTrue(r.body().contains("provider"), "the limiter's details: " + r.body());
            } finally {
                main.stop();
            }
        }
    }
}
