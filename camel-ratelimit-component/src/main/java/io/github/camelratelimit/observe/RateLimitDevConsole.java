package io.github.camelratelimit.observe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.ProviderQuota;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * Dev console {@code ratelimit} (camel-console; {@code camel cmd}/JBang, the developer HTTP console): every
 * running limiter's rate, min/max, pause, pending callers, counters and most recent throttled responses.
 *
 * <p>JSON: {@code {"limiters": [ {...} ]}}, one object per limiter with {@code name, store, state, rate, minRate,
 * maxRate, pauseRemainingMs, pausedMs, atFloorMs, pending, granted, rejected, throttled, cuts, retriesScheduled,
 * retriesExhausted, retryBudget} (-1: none), {@code providerRemaining, providerLimit} (-1: not reported), and
 * {@code recentThrottles}: up to 20 objects {@code time} (ISO-8601), {@code status}, {@code retryAfterMs} (-1:
 * none), {@code pauseMs}, {@code rateCut}. Rates are permits per second. Thread-safe.
 */
@DevConsole(name = "ratelimit", displayName = "Rate Limit", description = "Rate limiters: rate, pause, pending, recent 429s")
public class RateLimitDevConsole extends AbstractDevConsole {

    public RateLimitDevConsole() {
        super("camel", "ratelimit", "Rate Limit", "Rate limiters: rate, pause, pending, recent 429s");
    }

    static List<RateLimitObserver> observers(CamelContext context) {
        List<RateLimitObserver> out = new ArrayList<>();
        if (context == null) {
            return out;
        }
        for (String name : context.getComponentNames()) {
            Component c = context.hasComponent(name);
            if (c instanceof RateLimitComponent rc && rc.getObserver() != null) {
                out.add(rc.getObserver());
            }
        }
        return out;
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        JsonArray limiters = new JsonArray();
        for (RateLimitObserver o : observers(getCamelContext())) {
            long now = o.clock().nanoTime();
            for (LimiterWatch w : o.watches()) {
                limiters.add(toJson(w, now, o));
            }
        }
        JsonObject root = new JsonObject();
        root.put("limiters", limiters);
        return root;
    }

    static JsonObject toJson(LimiterWatch w, long now, RateLimitObserver o) {
        LimiterSnapshot s = w.sample();
        LimiterWatch.Health h = w.health(now, o.getHealthDownAfter());
        JsonObject m = new JsonObject();
        m.put("name", w.name());
        m.put("store", w.limiter().store().kind());
        m.put("state", h.state());
        m.put("rate", RateLimitEvents.round(s.rate()));
        m.put("minRate", s.minRate());
        m.put("maxRate", s.maxRate());
        m.put("pauseRemainingMs", TimeUnit.NANOSECONDS.toMillis(s.pauseRemainingNanos()));
        m.put("pausedMs", h.pausedMs());
        m.put("atFloorMs", h.atFloorMs());
        m.put("pending", w.pending());
        m.put("granted", w.granted());
        m.put("rejected", w.rejected());
        m.put("throttled", w.throttled());
        m.put("cuts", w.cutsObserved());
        m.put("retriesScheduled", w.retriesScheduled());
        m.put("retriesExhausted", w.retriesExhausted());
        m.put("retryBudget", w.retryBudgetLeft());
        ProviderQuota q = w.providerQuota();
        m.put("providerRemaining", q == null ? -1L : q.remaining());
        m.put("providerLimit", q == null ? -1L : q.limit());
        JsonArray recent = new JsonArray();
        for (LimiterWatch.Throttle t : w.recentThrottles()) {
            JsonObject r = new JsonObject();
            r.put("time", Instant.ofEpochMilli(t.wallMillis()).toString());
            r.put("status", t.status());
            r.put("retryAfterMs", t.retryAfterMillis());
            r.put("pauseMs", t.pauseMillis());
            r.put("rateCut", t.rateCut());
            recent.add(r);
        }
        m.put("recentThrottles", recent);
        return m;
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder sb = new StringBuilder();
        for (RateLimitObserver o : observers(getCamelContext())) {
            long now = o.clock().nanoTime();
            for (LimiterWatch w : o.watches()) {
                Map<String, Object> m = toJson(w, now, o);
                sb.append(String.format(Locale.ROOT, "Limiter: %s (%s, %s)%n", m.get("name"), m.get("store"),
                        m.get("state")));
                sb.append(String.format(Locale.ROOT, "    Rate: %s/s (min %s, max %s)  Pause: %d ms  Pending: %d%n",
                        m.get("rate"), m.get("minRate"), m.get("maxRate"), (Long) m.get("pauseRemainingMs"),
                        (Integer) m.get("pending")));
                sb.append(String.format(Locale.ROOT,
                        "    Granted: %d  Rejected: %d  Throttled: %d  Cuts: %d  Retries: %d (exhausted %d)%n",
                        (Long) m.get("granted"), (Long) m.get("rejected"), (Long) m.get("throttled"),
                        (Long) m.get("cuts"), (Long) m.get("retriesScheduled"), (Long) m.get("retriesExhausted")));
                for (LimiterWatch.Throttle t : w.recentThrottles()) {
                    sb.append(String.format(Locale.ROOT, "    %s  %d  retryAfter=%d ms  pause=%d ms%s%n",
                            Instant.ofEpochMilli(t.wallMillis()), t.status(), t.retryAfterMillis(), t.pauseMillis(),
                            t.rateCut() ? "  rate cut" : ""));
                }
            }
        }
        return sb.toString();
    }
}
