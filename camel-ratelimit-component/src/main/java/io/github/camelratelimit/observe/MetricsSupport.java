package io.github.camelratelimit.observe;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Micrometer registry the way camel-micrometer does and binds meters to it; Micrometer is optional.
 *
 * <p>Lookup: a bean named {@value #REGISTRY_NAME} ({@code CompositeMeterRegistry} first, then any
 * {@code MeterRegistry}), else the single {@code CompositeMeterRegistry} bean, else the single
 * {@code MeterRegistry} bean. Unlike camel-micrometer, which creates and binds a {@code SimpleMeterRegistry}
 * when it finds none, this component then binds no meters: a registry nobody exports is only cost. An
 * application that uses camel-micrometer (which binds its registry as {@value #REGISTRY_NAME}) or Spring Boot
 * / Quarkus (which provide one) gets the meters. No Micrometer class is loaded unless Micrometer is on the
 * classpath; when it is but no registry bean exists, only the registry lookup touches it.
 */
final class MetricsSupport {

    /** The bean name camel-micrometer uses for its registry. */
    static final String REGISTRY_NAME = "metricsRegistry";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsSupport.class);
    private static final boolean MICROMETER = isPresent("io.micrometer.core.instrument.MeterRegistry");

    private MetricsSupport() {
    }

    /** True when Micrometer is on the classpath. */
    static boolean micrometerPresent() {
        return MICROMETER;
    }

    /** Meters for {@code context}, or {@link Metrics#NONE} when Micrometer or a registry bean is missing. */
    static Metrics create(CamelContext context) {
        if (!MICROMETER) {
            return Metrics.NONE;
        }
        try {
            Metrics m = MicrometerMetrics.create(context);
            if (m == null) {
                LOG.debug("no Micrometer MeterRegistry bean: ratelimit binds no meters");
                return Metrics.NONE;
            }
            return m;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("ratelimit could not bind Micrometer meters: {}", Masking.maskText(e.toString()));
            return Metrics.NONE;
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, MetricsSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
