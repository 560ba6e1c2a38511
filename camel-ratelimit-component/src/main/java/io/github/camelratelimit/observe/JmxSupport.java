package io.github.camelratelimit.observe;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ManagementAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers each limiter's {@link RateLimiterMXBean}: through Camel's management agent when Camel's JMX is on
 * (its MBean server and domain), else on the platform MBean server under {@code org.apache.camel}. Names:
 * {@code <domain>:context=<context management name>,type=ratelimiters,name="<limiter>"}. A failed registration
 * (e.g. a name taken by another context of the same name) is logged once and skipped. Thread-safe.
 */
final class JmxSupport {

    static final String TYPE = "ratelimiters";
    private static final Logger LOG = LoggerFactory.getLogger(JmxSupport.class);

    private final CamelContext context;
    private final Map<String, ObjectName> registered = new ConcurrentHashMap<>();

    JmxSupport(CamelContext context) {
        this.context = context;
    }

    private ManagementAgent agent() {
        try {
            return context.getManagementStrategy() == null ? null
                    : context.getManagementStrategy().getManagementAgent();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private MBeanServer server() {
        ManagementAgent a = agent();
        if (a != null && a.getMBeanServer() != null) {
            return a.getMBeanServer();
        }
        return ManagementFactory.getPlatformMBeanServer();
    }

    ObjectName name(String limiter) throws JMException {
        ManagementAgent a = agent();
        String domain = a != null && a.getMBeanObjectDomainName() != null ? a.getMBeanObjectDomainName()
                : "org.apache.camel";
        String ctx = context.getManagementName() != null ? context.getManagementName() : context.getName();
        return new ObjectName(domain + ":context=" + ctx.replaceAll("[,=:*?\"\\s]", "_") + ",type=" + TYPE
                + ",name=" + ObjectName.quote(limiter));
    }

    void register(LimiterWatch watch, RateLimitObserver observer) {
        ObjectName on = null;
        try {
            on = name(watch.name());
            // a name taken (another context of the same name in this JVM) fails below: never take it over
            server().registerMBean(new ManagedRateLimiter(watch, observer), on);
            registered.put(watch.name(), on);
        } catch (JMException | RuntimeException e) {
            LOG.atWarn().setMessage("ratelimit could not register its MBean").addKeyValue("event", "jmx_failed")
                    .addKeyValue("limiter", watch.name()).addKeyValue("objectName", String.valueOf(on))
                    .addKeyValue("error", Masking.maskText(e.toString())).log();
        }
    }

    void unregister(String limiter) {
        ObjectName on = registered.remove(limiter);
        if (on == null) {
            return;
        }
        try {
            MBeanServer server = server();
            if (server.isRegistered(on)) {
                server.unregisterMBean(on);
            }
        } catch (JMException | RuntimeException e) {
            LOG.debug("could not unregister {}: {}", on, e.toString());
        }
    }

    ObjectName objectName(String limiter) {
        return registered.get(limiter);
    }

    void close() {
        for (String l : java.util.List.copyOf(registered.keySet())) {
            unregister(l);
        }
    }
}
