package io.github.camelratelimit.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.camelratelimit.observe.RateLimitEvents;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** logback-json.xml writes one JSON object per event, with the SLF4J key-values as fields, secrets masked. */
class JsonLogTest {

    @Test
    void eventsBecomeJsonLinesWithKeyValueFields() throws Exception {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            lc.reset();
            JoranConfigurator jc = new JoranConfigurator();
            jc.setContext(lc);
            jc.doConfigure(getClass().getResource("/logback-json.xml"));
            RateLimitEvents.oddHeader("github", "X-Api-Key", "k-SECRET", "not a number");
        } finally {
            System.setOut(out);
            lc.reset();
            new ContextInitializer(lc).autoConfig();
        }
        String line = buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("odd_header")).findFirst()
                .orElseThrow(() -> new AssertionError("no JSON line in: " + buf));
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("odd_header", json.get("event").asText());
        assertEquals("github", json.get("limiter").asText());
        assertEquals("X-Api-Key", json.get("header").asText());
        assertEquals("xxxxxx", json.get("value").asText());
        assertEquals("WARN", json.get("level").asText());
        assertEquals(RateLimitEvents.LOGGER, json.get("logger_name").asText());
        assertTrue(json.has("@timestamp"));
        assertFalse(line.contains("k-SECRET"));
    }
}
