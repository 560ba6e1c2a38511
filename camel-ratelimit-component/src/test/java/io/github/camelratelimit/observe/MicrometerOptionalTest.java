package io.github.camelratelimit.observe;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Micrometer is an optional dependency: the component works on a class path without it. */
class MicrometerOptionalTest {

    @Test
    void componentWorksWhenMicrometerIsNotOnTheClassPath() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        int hidden = 0;
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (entry.replace('\\', '/').contains("/io/micrometer/")) {
                hidden++;
                continue;
            }
            urls.add(new File(entry).toURI().toURL());
        }
        assertTrue(hidden > 0, "the test class path has Micrometer to hide: " + cp);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(isolated);
            Class<?> scenario = isolated.loadClass(NoMicrometerScenario.class.getName());
            assertTrue(scenario.getClassLoader() == isolated, "loaded in isolation");
            String result = (String) scenario.getMethod("run").invoke(null);
            assertEquals("pong pong pong metrics=false granted=3 health=UP console=true retries=1", result);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void withoutARegistryBeanNoMicrometerMeterIsCreated() {
        // the lookup alone: with Micrometer present but no bean, MetricsSupport answers NONE
        org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext();
        assertTrue(MetricsSupport.micrometerPresent());
        assertEquals(Metrics.NONE, MetricsSupport.create(context));
    }
}
