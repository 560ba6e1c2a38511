package io.github.camelratelimit.observe;

import io.github.camelratelimit.RateLimitComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.console.DevConsole;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs inside a class loader that hides Micrometer ({@link MicrometerOptionalTest}): the component, its health
 * check, console and retry API must work, and nothing may need a Micrometer class.
 */
public final class NoMicrometerScenario {

    private NoMicrometerScenario() {
    }

    public static String run() throws Exception {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, NoMicrometerScenario.class.getClassLoader());
            return "Micrometer is visible: the class loader does not hide it";
        } catch (ClassNotFoundException expected) {
            // as it should be
        }
        CamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("no-micrometer");
        try {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:a").to("ratelimit:direct:b?limiter=plain&maxRate=1000");
                    from("direct:b").setBody(constant("pong"));
                }
            });
            context.start();
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                out.append(context.createProducerTemplate().requestBody("direct:a", "ping", String.class)).append(' ');
            }
            RateLimitComponent c = context.getComponent("ratelimit", RateLimitComponent.class);
            out.append("metrics=").append(c.getObserver().metricsActive());
            out.append(" granted=").append(c.getObserver().watch("plain").granted());
            HealthCheck check = HealthCheckRegistry.get(context).getCheck(RateLimitHealthCheck.ID).orElseThrow();
            out.append(" health=").append(check.call().getState());
            RateLimitDevConsole console = new RateLimitDevConsole();
            console.setCamelContext(context);
            out.append(" console=").append(console.call(DevConsole.MediaType.JSON) != null);
            RateLimitMetrics.retryScheduled(context, "plain", 1, 10, "throttled");
            out.append(" retries=").append(c.getObserver().watch("plain").retriesScheduled());
            return out.toString();
        } finally {
            context.stop();
        }
    }
}
