package io.github.camelratelimit.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Camel health check {@code ratelimit} (group {@code camel}, readiness only): UP while every limiter of the
 * component is fine; DOWN when a limiter has been paused (Retry-After, provider quota at zero), or its rate has
 * been at {@code minRate}, for longer than the component's {@code healthDownAfter} (default 5 min). A paused or
 * floored limiter is not a reason to restart the JVM, so the check is not a liveness check.
 *
 * <p>Details: {@code limiters} (count), {@code down} (names of limiters that are down, comma separated), and per
 * limiter {@code <limiter>.state} (ok, paused, floor), {@code <limiter>.rate}, {@code <limiter>.pausedMs},
 * {@code <limiter>.atFloorMs}, {@code <limiter>.pending}; {@code downAfterMs}. The component registers it in
 * Camel's health registry when camel-health is on the classpath (camel-main's health endpoint shows it);
 * exclude it with {@code camel.health.exclude-pattern=ratelimit}. Thread-safe.
 */
public final class RateLimitHealthCheck implements HealthCheck {

    /** The check's id. */
    public static final String ID = "ratelimit";

    private final RateLimitObserver observer;
    private volatile boolean enabled = true;

    public RateLimitHealthCheck(RateLimitObserver observer) {
        this.observer = observer;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder b = HealthCheckResultBuilder.on(this);
        try {
            List<LimiterWatch.Health> all = observer.health();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("limiters", all.size());
            d.put("downAfterMs", observer.getHealthDownAfter().toMillis());
            StringBuilder down = new StringBuilder();
            for (LimiterWatch.Health h : all) {
                LimiterWatch w = observer.watch(h.limiter());
                String p = h.limiter() + ".";
                d.put(p + "state", h.state());
                if (w != null) {
                    d.put(p + "rate", RateLimitEvents.round(w.lastSnapshot().rate()));
                    d.put(p + "pending", w.pending());
                    d.put(p + "store", w.limiter().store().kind());
                    if (w.limiter().store().isDegraded()) {
                        // still pacing, on a local fallback: a readiness DOWN would stop all traffic, so UP + detail
                        d.put(p + "storeDegraded", true);
                    }
                }
                d.put(p + "pausedMs", h.pausedMs());
                d.put(p + "atFloorMs", h.atFloorMs());
                if (h.down()) {
                    down.append(down.length() == 0 ? "" : ",").append(h.limiter());
                }
            }
            b.details(d);
            if (down.length() > 0) {
                b.detail("down", down.toString());
                return b.down().message("rate limiter(s) paused or at their floor longer than "
                        + observer.getHealthDownAfter().toMillis() + " ms: " + down).build();
            }
            return b.up().build();
        } catch (RuntimeException e) {
            return b.unknown().message(Masking.maskText(e.toString())).build();
        }
    }
}
