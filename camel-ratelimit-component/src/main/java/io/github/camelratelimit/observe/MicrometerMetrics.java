package io.github.camelratelimit.observe;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.github.camelratelimit.core.ProviderQuota;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The {@code camel.ratelimit.*} meters (the table is in {@code observability.adoc}). The only class that names
 * Micrometer types; loaded only through {@link MetricsSupport} when Micrometer is on the classpath.
 *
 * <p>Tags: {@code camelContext} and {@code limiter} on every meter; besides, {@code reason} (rejections: one of
 * four values; retries: at most {@value #MAX_REASONS} distinct values per limiter, then {@code other}),
 * {@code status} (throttled responses: the HTTP status, only statuses the component treats as throttles) and
 * {@code state} (connection pool: leased, available, pending, max). Thread-safe.
 */
final class MicrometerMetrics implements Metrics {

    static final String PREFIX = "camel.ratelimit.";
    static final int MAX_REASONS = 8;
    private static final double[] PERCENTILES = {0.5, 0.9, 0.99};

    private final MeterRegistry registry;
    private final String contextName;
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();

    private MicrometerMetrics(MeterRegistry registry, String contextName) {
        this.registry = registry;
        this.contextName = contextName;
    }

    /** Meters on the context's registry, or {@code null} when it has none. */
    static MicrometerMetrics create(CamelContext context) {
        MeterRegistry r = lookup(context.getRegistry());
        return r == null ? null : new MicrometerMetrics(r, context.getName());
    }

    /** camel-micrometer's lookup, without its fallback of creating a registry. */
    static MeterRegistry lookup(Registry registry) {
        MeterRegistry r = lookup(registry, CompositeMeterRegistry.class);
        return r != null ? r : lookup(registry, MeterRegistry.class);
    }

    private static MeterRegistry lookup(Registry registry, Class<? extends MeterRegistry> type) {
        MeterRegistry r = registry.lookupByNameAndType(MetricsSupport.REGISTRY_NAME, type);
        if (r != null) {
            return r;
        }
        Set<? extends MeterRegistry> all = registry.findByType(type);
        return all != null && all.size() == 1 ? all.iterator().next() : null;
    }

    @Override
    public boolean active() {
        return true;
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Per-limiter meters. */
    private final class Bound {
        final Tags tags;
        final List<Meter> meters = new CopyOnWriteArrayList<>();
        final Counter granted;
        final Timer wait;
        final Map<RateLimitExceededException.Reason, Counter> rejected =
                new EnumMap<>(RateLimitExceededException.Reason.class);
        final Map<Integer, Counter> throttled = new ConcurrentHashMap<>();
        final Map<String, Counter> retries = new ConcurrentHashMap<>();
        final Map<String, Counter> exhausted = new ConcurrentHashMap<>();
        final Timer retryWait;

        Bound(LimiterWatch w) {
            tags = Tags.of("camelContext", contextName, "limiter", w.name());
            gauge("rate", "Permitted rate now, permits per second", w, x -> x.snapshot().rate());
            gauge("rate.min", "Configured floor of the adaptive rate, permits per second", w, x -> x.config().minRate());
            gauge("rate.max", "Configured ceiling of the adaptive rate, permits per second", w,
                    x -> x.config().maxRate());
            keep(TimeGauge.builder(PREFIX + "pause.remaining", w, TimeUnit.NANOSECONDS,
                    x -> x.snapshot().pauseRemainingNanos()).tags(tags)
                    .description("Time until the limiter's pause (Retry-After, quota at zero) ends; 0 when not paused")
                    .register(registry));
            gauge("pending", "Exchanges waiting for a permit in this JVM", w, LimiterWatch::pending);
            gauge("store.degraded", "1 while the limiter's shared store (Redis) answers from its local fallback, else 0",
                    w, x -> x.limiter().store().isDegraded() ? 1.0 : 0.0);
            keep(FunctionCounter.builder(PREFIX + "rate.cuts", w, x -> x.cutsObserved()).tags(tags)
                    .description("Rate cuts (one per congestion event)").register(registry));
            granted = keep(Counter.builder(PREFIX + "permits.granted").tags(tags).description("Permits granted")
                    .register(registry));
            for (RateLimitExceededException.Reason r : RateLimitExceededException.Reason.values()) {
                rejected.put(r, keep(Counter.builder(PREFIX + "permits.rejected").tags(tags)
                        .tag("reason", r.name().toLowerCase(Locale.ROOT))
                        .description("Exchanges refused a permit, by reason").register(registry)));
            }
            wait = keep(Timer.builder(PREFIX + "permit.wait").tags(tags)
                    .description("Time an exchange waited for its permit").publishPercentileHistogram()
                    .publishPercentiles(PERCENTILES).register(registry));
            retryWait = keep(Timer.builder(PREFIX + "retry.wait").tags(tags)
                    .description("Wait before each scheduled retry").publishPercentileHistogram()
                    .publishPercentiles(PERCENTILES).register(registry));
            gauge("retry.budget", "Retry budget tokens left (NaN when no budget is registered)", w,
                    x -> x.retryBudgetLeft() < 0 ? Double.NaN : x.retryBudgetLeft());
            gauge("provider.remaining", "Requests left in the provider's window as it last reported (NaN: never)", w,
                    x -> quota(x, true));
            gauge("provider.limit", "Requests per window as the provider last reported (NaN: never)", w,
                    x -> quota(x, false));
            String[] states = {"leased", "available", "pending", "max"};
            for (int i = 0; i < states.length; i++) {
                int idx = i;
                keep(Gauge.builder(PREFIX + "http.connections", w, x -> pool(x, idx)).tags(tags)
                        .tag("state", states[i])
                        .description("HTTP connection pool of the wrapped camel-http endpoints (NaN: no pool)")
                        .register(registry));
            }
        }

        private void gauge(String name, String description, LimiterWatch w, ToDoubleFunction<LimiterWatch> f) {
            keep(Gauge.builder(PREFIX + name, w, f).tags(tags).description(description).register(registry));
        }

        private <M extends Meter> M keep(M m) {
            meters.add(m);
            return m;
        }

        Counter throttled(int status) {
            return throttled.computeIfAbsent(status, s -> keep(Counter.builder(PREFIX + "responses.throttled")
                    .tags(tags).tag("status", Integer.toString(s))
                    .description("Rate-limit responses (429, 503 with Retry-After), by status").register(registry)));
        }

        Counter byReason(Map<String, Counter> map, String meter, String description, String reason) {
            String r = normalise(reason);
            if (!map.containsKey(r) && map.size() >= MAX_REASONS) {
                r = "other";
            }
            return map.computeIfAbsent(r, k -> keep(Counter.builder(PREFIX + meter).tags(tags).tag("reason", k)
                    .description(description).register(registry)));
        }
    }

    private static double quota(LimiterWatch w, boolean remaining) {
        ProviderQuota q = w.providerQuota();
        if (q == null) {
            return Double.NaN;
        }
        long v = remaining ? q.remaining() : q.limit();
        return v < 0 ? Double.NaN : v;
    }

    private static double pool(LimiterWatch w, int idx) {
        long[] s = HttpPools.stats(w.delegates());
        return s == null ? Double.NaN : s[idx];
    }

    /** A tag value from a free-form reason: lower case, [a-z0-9_], at most 32 characters. */
    static String normalise(String reason) {
        if (reason == null || reason.isBlank()) {
            return "unknown";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < reason.length() && b.length() < 32; i++) {
            char c = Character.toLowerCase(reason.charAt(i));
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return b.toString();
    }

    @Override
    public void bind(LimiterWatch watch) {
        Bound old = bound.remove(watch.name());
        if (old != null) {
            remove(old);
        }
        bound.put(watch.name(), new Bound(watch));
    }

    @Override
    public void unbind(String limiter) {
        Bound b = bound.remove(limiter);
        if (b != null) {
            remove(b);
        }
    }

    private void remove(Bound b) {
        for (Meter m : b.meters) {
            registry.remove(m);
        }
    }

    @Override
    public void granted(String limiter, long waitNanos) {
        Bound b = bound.get(limiter);
        if (b != null) {
            b.granted.increment();
            b.wait.record(Math.max(0L, waitNanos), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void rejected(String limiter, RateLimitExceededException.Reason reason) {
        Bound b = bound.get(limiter);
        if (b != null && reason != null) {
            b.rejected.get(reason).increment();
        }
    }

    @Override
    public void throttled(String limiter, int status) {
        Bound b = bound.get(limiter);
        if (b != null) {
            b.throttled(status).increment();
        }
    }

    @Override
    public void retryScheduled(String limiter, String reason, long waitMillis) {
        Bound b = bound.get(limiter);
        if (b != null) {
            b.byReason(b.retries, "retries.scheduled", "Retries scheduled, by reason", reason).increment();
            b.retryWait.record(Math.max(0L, waitMillis), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void retryExhausted(String limiter, String reason) {
        Bound b = bound.get(limiter);
        if (b != null) {
            b.byReason(b.exhausted, "retries.exhausted", "Exchanges that used up their retries, by reason", reason)
                    .increment();
        }
    }

    @Override
    public void close() {
        for (String name : List.copyOf(bound.keySet())) {
            unbind(name);
        }
    }
}
