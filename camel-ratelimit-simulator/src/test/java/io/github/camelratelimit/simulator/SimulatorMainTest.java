package io.github.camelratelimit.simulator;

import static io.github.camelratelimit.simulator.Http.get;
import static io.github.camelratelimit.simulator.Http.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {

    @Test
    void optionsConfigureTheSimulator() throws Exception {
        try (ProviderSimulator sim = SimulatorMain.parse(new String[] {"0", "0.01", "--burst=2",
                "--retry-after=http-date", "--status=503", "--quota-headers=x-ratelimit"}).build()) {
            sim.start();
            assertEquals(200, get(sim.url("/a")).statusCode());
            HttpResponse<String> second = get(sim.url("/a"));
            assertEquals(200, second.statusCode());
            assertEquals("0", header(second, "X-RateLimit-Remaining"));
            HttpResponse<String> third = get(sim.url("/a"));
            assertEquals(503, third.statusCode());
            assertNotNull(ZonedDateTime.parse(header(third, "Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME));
            assertEquals(0.01, sim.currentCapacity());
        }
    }

    @Test
    void fixedWindowOption() throws Exception {
        try (ProviderSimulator sim = SimulatorMain.parse(new String[] {"0", "--fixed-window=1/30",
                "--quota-headers=ietf", "--latency-ms=1"}).build()) {
            sim.start();
            HttpResponse<String> first = get(sim.url("/w"));
            assertEquals("\"default\";q=1;w=30", header(first, "RateLimit-Policy"));
            HttpResponse<String> second = get(sim.url("/w"));
            assertEquals(429, second.statusCode());
            long retry = Long.parseLong(header(second, "Retry-After"));
            assertTrue(retry >= 1 && retry <= 30, "Retry-After " + retry);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertMessage("unknown option --nope", "--nope=1");
        assertMessage("port must be an integer, was x", "x");
        assertMessage("capacity must be a number, was fast", "0", "fast");
        assertMessage("--retry-after must be one of seconds, http-date, none, was later", "--retry-after=later");
        assertMessage("throttleStatus must be 429 or 503, was 500", "--status=500");
        assertMessage("--fixed-window must be N/SECONDS, was 10", "--fixed-window=10");
        assertMessage("option without value: --burst", "--burst");
        assertMessage("unexpected argument 3", "0", "1", "3");
    }

    private static void assertMessage(String message, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(args));
        assertEquals(message, e.getMessage());
    }
}
