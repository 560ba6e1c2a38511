package io.github.camelratelimit.springboot;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.jayway.jsonpath.JsonPath;
import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.RateLimitConfiguration;
import io.github.camelratelimit.core.Backoff;
import io.github.camelratelimit.retry.RetryAfterRedelivery;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.util.StringHelper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auto-configuration in a bare Spring context with Camel, and the IDE metadata against the component. */
class RateLimitComponentAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CamelAutoConfiguration.class,
                    RateLimitComponentAutoConfiguration.class));

    @Test
    void propertiesReachTheComponent() {
        runner.withPropertyValues("camel.component.ratelimit.max-rate=12.5",
                        "camel.component.ratelimit.min-rate=0.5", "camel.component.ratelimit.quota=100",
                        "camel.component.ratelimit.quota-window=1h", "camel.component.ratelimit.max-wait=2m",
                        "camel.component.ratelimit.max-pause=90s", "camel.component.ratelimit.limiter=api",
                        "camel.component.ratelimit.learn-from-headers=false",
                        "camel.component.ratelimit.quota-header-prefix=X-Api-RateLimit-",
                        "camel.component.ratelimit.worker-pool-size=7")
                .run(ctx -> {
                    assertTrue(ctx.getStartupFailure() == null, () -> String.valueOf(ctx.getStartupFailure()));
                    RateLimitComponent bean = ctx.getBean("ratelimit", RateLimitComponent.class);
                    RateLimitComponent c = ctx.getBean(CamelContext.class).getComponent("ratelimit",
                            RateLimitComponent.class);
                    assertSame(bean, c, "Camel uses the bean");
                    RateLimitConfiguration conf = c.getConfiguration();
                    assertEquals(12.5, conf.getMaxRate());
                    assertEquals(0.5, conf.getMinRate());
                    assertEquals(100, conf.getQuota());
                    assertEquals(Duration.ofHours(1).toMillis(), conf.getQuotaWindow());
                    assertEquals(Duration.ofMinutes(2).toMillis(), conf.getMaxWait());
                    assertEquals(90_000, conf.getMaxPause());
                    assertEquals("api", conf.getLimiter());
                    assertFalse(conf.isLearnFromHeaders());
                    assertEquals("X-Api-RateLimit-", conf.getQuotaHeaderPrefix());
                    assertEquals(7, c.getWorkerPoolSize());
                    assertEquals(Duration.ofHours(1), conf.toLimiterConfig().quotaWindow());
                });
    }

    @Test
    void withoutPropertiesTheComponentKeepsItsDefaults() {
        runner.run(ctx -> {
            RateLimitComponent c = ctx.getBean(CamelContext.class).getComponent("ratelimit", RateLimitComponent.class);
            assertEquals(new RateLimitConfiguration().toLimiterConfig(), c.getConfiguration().toLimiterConfig());
            assertEquals(20, c.getWorkerPoolSize());
        });
    }

    @Test
    void anApplicationsOwnComponentBeanIsConfiguredToo() {
        runner.withUserConfiguration(OwnComponent.class).withPropertyValues("camel.component.ratelimit.max-rate=3")
                .run(ctx -> {
                    RateLimitComponent c = ctx.getBean(CamelContext.class).getComponent("ratelimit",
                            RateLimitComponent.class);
                    assertSame(OwnComponent.INSTANCE, c);
                    assertEquals(3.0, c.getConfiguration().getMaxRate());
                    assertEquals(1, ctx.getBeansOfType(RateLimitComponent.class).size());
                });
    }

    @Test
    void enabledFalseTurnsTheAutoConfigurationOff() {
        runner.withPropertyValues("camel.component.ratelimit.enabled=false", "camel.component.ratelimit.max-rate=3")
                .run(ctx -> {
                    assertTrue(ctx.getBeansOfType(RateLimitComponent.class).isEmpty());
                    RateLimitComponent c = ctx.getBean(CamelContext.class).getComponent("ratelimit",
                            RateLimitComponent.class);
                    assertEquals(60.0, c.getConfiguration().getMaxRate(), "not configured from Spring");
                });
    }

    /**
     * Every option in the component's catalog is a Spring property with IDE metadata: same name (kebab-case),
     * same default, a description; and {@link RateLimitComponentProperties#toComponentOptions()} binds each one.
     */
    @Test
    void metadataCoversEveryComponentOptionWithItsDefault() throws IOException {
        Object catalog = json("META-INF/io/github/camelratelimit/ratelimit.json");
        Object metadata = json("META-INF/spring-configuration-metadata.json");
        Map<String, Map<String, Object>> options = JsonPath.read(catalog, "$.componentProperties");
        List<Map<String, Object>> props = JsonPath.read(metadata, "$.properties");
        Map<String, Map<String, Object>> byName = new HashMap<>();
        props.forEach(p -> byName.put((String) p.get("name"), p));

        TreeSet<String> expected = new TreeSet<>(options.keySet());
        expected.remove("configuration"); // the nested options object itself, its options are listed one by one
        RateLimitComponentProperties all = new RateLimitComponentProperties();
        all.setLimiter("l");
        all.setQuotaHeaderPrefix("X-");
        all.setLimiterKey("${header.tenant}");
        all.setRedisUri("redis://127.0.0.1");
        assertEquals(expected, new TreeSet<>(all.toComponentOptions().keySet()),
                "toComponentOptions binds exactly the component's options");
        for (String option : expected) {
            String name = RateLimitComponentProperties.PREFIX + "." + StringHelper.camelCaseToDash(option);
            Map<String, Object> p = byName.get(name);
            assertNotNull(p, "metadata for " + name);
            String description = (String) p.get("description");
            assertTrue(description != null && description.length() > 20, "description of " + name);
            Object catalogDefault = options.get(option).get("defaultValue");
            Object springDefault = p.get("defaultValue");
            if (catalogDefault == null) {
                assertEquals(null, springDefault, name);
            } else if ("java.time.Duration".equals(p.get("type"))) {
                assertEquals(DurationStyle.detectAndParse(catalogDefault.toString()),
                        DurationStyle.detectAndParse(springDefault.toString()), "default of " + name);
            } else if (catalogDefault instanceof Number n) {
                assertEquals(n.doubleValue(), ((Number) springDefault).doubleValue(), "default of " + name);
            } else {
                assertEquals(catalogDefault.toString(), String.valueOf(springDefault), "default of " + name);
            }
        }
        assertNotNull(byName.get(RateLimitComponentProperties.PREFIX + ".enabled"));
    }

    @Test
    void theRetryAfterErrorHandlerIsAReadyBean() {
        runner.withPropertyValues("camel.ratelimit.retry-after.max-attempts=3",
                        "camel.ratelimit.retry-after.max-retry-after=2m",
                        "camel.ratelimit.retry-after.backoff-jitter=equal",
                        "camel.ratelimit.retry-after.retry-budget-capacity=50")
                .run(ctx -> {
                    RetryAfterRedelivery bean = ctx.getBean("retryAfter", RetryAfterRedelivery.class);
                    assertEquals(3, bean.getMaxAttempts());
                    assertEquals(Duration.ofMinutes(2), bean.getMaxRetryAfter());
                    assertEquals(Backoff.Jitter.EQUAL, bean.getBackoffJitter());
                    assertEquals(50, bean.getRetryBudgetCapacity());
                    assertSame(bean, ctx.getBean(CamelContext.class).getRegistry().lookupByName("retryAfter"),
                            "routes find it by name");
                });
    }

    @Test
    void anInvalidRetryAfterSettingFailsTheStart() {
        runner.withPropertyValues("camel.ratelimit.retry-after.max-attempts=0").run(ctx -> {
            assertNotNull(ctx.getStartupFailure());
            Throwable root = ctx.getStartupFailure();
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertTrue(root.getMessage().contains("maxAttempts"), root.getMessage());
        });
    }

    @Test
    void theRetryAfterBeanCanBeTurnedOffOrReplaced() {
        runner.withPropertyValues("camel.ratelimit.retry-after.enabled=false")
                .run(ctx -> assertTrue(ctx.getBeansOfType(RetryAfterRedelivery.class).isEmpty()));
        runner.withUserConfiguration(OwnRetryAfter.class)
                .run(ctx -> assertSame(OwnRetryAfter.INSTANCE, ctx.getBean("retryAfter")));
        runner.withPropertyValues("camel.component.ratelimit.enabled=false")
                .run(ctx -> assertNotNull(ctx.getBean("retryAfter"), "independent of the component's switch"));
    }

    /** The initial values of the Spring properties are the bean's own defaults. */
    @Test
    void retryAfterPropertyDefaultsAreTheBeansDefaults() {
        RetryAfterRedelivery defaults = new RetryAfterRedelivery();
        RetryAfterRedelivery applied = new RetryAfterRedelivery();
        applied.setMaxAttempts(99);
        applied.setRetryBudgetCapacity(1);
        applied.setBackoffJitter(Backoff.Jitter.NONE);
        new RetryAfterProperties().applyTo(applied);
        assertEquals(defaults.getOptions(), applied.getOptions());
    }

    private static Object json(String resource) throws IOException {
        try (InputStream in = RateLimitComponentAutoConfigurationTest.class.getClassLoader()
                .getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return com.jayway.jsonpath.Configuration.defaultConfiguration().jsonProvider().parse(in, "UTF-8");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRetryAfter {
        static final RetryAfterRedelivery INSTANCE = new RetryAfterRedelivery();

        @Bean("retryAfter")
        RetryAfterRedelivery myRetryAfter() {
            return INSTANCE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnComponent {
        static final RateLimitComponent INSTANCE = new RateLimitComponent();

        @Bean("ratelimit")
        RateLimitComponent myRateLimit() {
            return INSTANCE;
        }
    }
}
