package io.github.camelratelimit.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.ProviderQuota;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.RateLimiterListener;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;

/**
 * The observability hub of one {@code ratelimit} component: hears every limiter (as its
 * {@link RateLimiterListener}) and every response fed back ({@link #record}), keeps a {@link LimiterWatch} per
 * limiter, and feeds the meters ({@code camel.ratelimit.*}, when Micrometer and a registry are there), the log
 * events ({@link RateLimitEvents}), the JMX MBeans, the health check and the dev console.
 *
 * <p>Figures are sampled from the stores every {@value #SAMPLE_SECONDS} s on the component's scheduler thread
 * (and on every throttled response, health check and console call), so that pauses ending and rates recovering
 * are logged even when no call is made. The pacing event is logged when a permit waited longer than
 * {@code pacingLogThreshold}, at most once per limiter per {@link #PACING_LOG_INTERVAL}.
 *
 * <p>Thread-safe. Listener callbacks are quick and never throw.
 */
public final class RateLimitObserver implements RateLimiterListener {

    /** Seconds between two samples of every limiter. */
    public static final int SAMPLE_SECONDS = 1;
    /** At most one {@code pacing_active} line per limiter per this interval. */
    public static final Duration PACING_LOG_INTERVAL = Duration.ofSeconds(5);

    /** What the JMX MBean and the console may change; the component implements it. */
    public interface LimiterControl {
        /** Replaces the limiter's min and max rate; throws when no such limiter runs or the values are invalid. */
        void reconfigure(String limiter, double minRate, double maxRate);

        /** Forgets the limiter's cuts and pauses. */
        void reset(String limiter);
    }

    private final CamelContext context;
    private final Clock clock;
    private final LimiterControl control;
    private final RateLimitEvents events = new RateLimitEvents();
    private final Map<String, LimiterWatch> watches = new ConcurrentHashMap<>();
    private final Map<String, IntSupplier> budgets = new ConcurrentHashMap<>();
    private final Map<String, Hook> hooks = new ConcurrentHashMap<>();
    private final JmxSupport jmx;
    private volatile Metrics metrics;
    private volatile Duration pacingLogThreshold = Duration.ofSeconds(1);
    private volatile long pacingLogThresholdNanos = pacingLogThreshold.toNanos(); // read per grant
    private volatile Duration healthDownAfter = Duration.ofMinutes(5);
    private ScheduledFuture<?> sampling;

    /**
     * @param context the Camel context (registry lookup, JMX names)
     * @param clock   the limiters' clock (read at each use, so a later {@code setClock} on the component holds)
     * @param control reconfigure and reset, for the JMX MBean
     */
    public RateLimitObserver(CamelContext context, Clock clock, LimiterControl control) {
        this.context = context;
        this.clock = clock;
        this.control = control;
        this.jmx = new JmxSupport(context);
    }

    /**
     * The listener to hand to a new limiter object of {@code limiter}'s name: this observer first, then
     * {@code user} (may be null). The previous listener of that name is retired: exchanges its (replaced)
     * limiter rejects as STOPPED are handed over, not counted as rejections.
     */
    public RateLimiterListener listener(String limiter, RateLimiterListener user) {
        Hook h = new Hook(user == null ? RateLimiterListener.NONE : user);
        Hook old = hooks.put(limiter, h);
        if (old != null) {
            old.retired = true;
        }
        return h;
    }

    /** One limiter object's listener. */
    private final class Hook implements RateLimiterListener {
        final RateLimiterListener user;
        volatile boolean retired;

        Hook(RateLimiterListener user) {
            this.user = user;
        }

        @Override
        public void onGranted(String limiter, Permit permit) {
            RateLimitObserver.this.onGranted(limiter, permit);
            user.onGranted(limiter, permit);
        }

        @Override
        public void onGrantedAtOnce(String limiter, long grantedAt) {
            RateLimitObserver.this.onGrantedAtOnce(limiter, grantedAt);
            user.onGrantedAtOnce(limiter, grantedAt);
        }

        @Override
        public void onQueued(String limiter, Acquisition acquisition) {
            RateLimitObserver.this.onQueued(limiter, acquisition);
            user.onQueued(limiter, acquisition);
        }

        @Override
        public void onRejected(String limiter, RateLimitExceededException reason) {
            if (!(retired && reason.getReason() == RateLimitExceededException.Reason.STOPPED)) {
                RateLimitObserver.this.onRejected(limiter, reason);
            }
            user.onRejected(limiter, reason);
        }
    }

    // ---- settings ----

    public Duration getPacingLogThreshold() {
        return pacingLogThreshold;
    }

    /** A permit that waited longer than this logs {@code pacing_active} (rate-limited). Default 1 s. */
    public void setPacingLogThreshold(Duration threshold) {
        Duration t = threshold == null || threshold.isNegative() ? Duration.ZERO : threshold;
        this.pacingLogThreshold = t;
        this.pacingLogThresholdNanos = t.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : t.toNanos();
    }

    public Duration getHealthDownAfter() {
        return healthDownAfter;
    }

    /** The health check reports DOWN when a limiter is paused or at its floor longer than this. Default 5 min. */
    public void setHealthDownAfter(Duration downAfter) {
        this.healthDownAfter = downAfter == null || downAfter.isNegative() ? Duration.ZERO : downAfter;
    }

    LimiterControl control() {
        return control;
    }

    public Clock clock() {
        return clock;
    }

    public CamelContext context() {
        return context;
    }

    // ---- limiter lifecycle (the component calls these) ----

    /** A limiter was created for {@code delegate}'s endpoint: watch it, bind its meters and its MBean. */
    public void limiterStarted(RateLimiter limiter, Endpoint delegate) {
        LimiterWatch w = new LimiterWatch(limiter, clock, events);
        w.addDelegate(delegate);
        IntSupplier budget = budgets.get(limiter.name());
        if (budget != null) {
            w.retryBudget(budget);
        }
        w.sample();
        watches.put(limiter.name(), w);
        metrics().bind(w);
        jmx.register(w, this);
    }

    /** Another endpoint started using a running limiter. */
    public void endpointAdded(String limiter, Endpoint delegate) {
        LimiterWatch w = watches.get(limiter);
        if (w != null) {
            w.addDelegate(delegate);
        }
    }

    /** A reconfigure replaced the limiter's object (new config); meters and MBean stay. */
    public void limiterReplaced(RateLimiter limiter, LimiterConfig old) {
        LimiterWatch w = watches.get(limiter.name());
        if (w != null) {
            w.replace(limiter);
            w.sample();
        }
        events.limiterReconfigured(limiter.name(), old.minRate(), old.maxRate(), limiter.config().minRate(),
                limiter.config().maxRate());
    }

    /** The limiter was reset by an operator. */
    public void limiterReset(String limiter) {
        LimiterWatch w = watches.get(limiter);
        if (w != null) {
            w.sample();
        }
        events.limiterReset(limiter);
    }

    /** The limiter stopped (its last endpoint stopped): drop its meters and MBean. */
    public void limiterStopped(String limiter) {
        watches.remove(limiter);
        hooks.remove(limiter);
        metrics().unbind(limiter);
        jmx.unregister(limiter);
    }

    /** Samples every limiter every {@value #SAMPLE_SECONDS} s on {@code executor} until {@link #close()}. */
    public synchronized void startSampling(ScheduledExecutorService executor) {
        if (sampling == null && executor != null) {
            sampling = executor.scheduleWithFixedDelay(this::sampleAll, SAMPLE_SECONDS, SAMPLE_SECONDS,
                    TimeUnit.SECONDS);
        }
    }

    /** Samples every limiter now (runs the state machines; logs transitions). */
    public void sampleAll() {
        for (LimiterWatch w : watches.values()) {
            try {
                w.sample();
            } catch (RuntimeException e) {
                // a store that cannot answer must not stop sampling
            }
        }
    }

    /** Stops sampling and removes every meter and MBean. */
    public synchronized void close() {
        if (sampling != null) {
            sampling.cancel(false);
            sampling = null;
        }
        for (String name : List.copyOf(watches.keySet())) {
            limiterStopped(name);
        }
        Metrics m = metrics;
        if (m != null) {
            m.close();
        }
        metrics = null;
        jmx.close();
    }

    // ---- views ----

    /** The watched limiters, by name. */
    public List<LimiterWatch> watches() {
        List<LimiterWatch> l = new ArrayList<>(watches.values());
        l.sort((a, b) -> a.name().compareTo(b.name()));
        return l;
    }

    /** The watch of a running limiter, or {@code null}. */
    public LimiterWatch watch(String limiter) {
        return limiter == null ? null : watches.get(limiter);
    }

    /** True when meters are bound to a Micrometer registry. */
    public boolean metricsActive() {
        Metrics m = metrics;
        return m != null && m.active();
    }

    /** The JMX object name of a limiter's MBean, or {@code null} when it is not registered. */
    public javax.management.ObjectName objectName(String limiter) {
        return jmx.objectName(limiter);
    }

    private Metrics metrics() {
        Metrics m = metrics;
        if (m == null) {
            synchronized (this) {
                m = metrics;
                if (m == null) {
                    m = MetricsSupport.create(context);
                    metrics = m;
                }
            }
        }
        return m;
    }

    // ---- responses ----

    /**
     * Feeds a response back to the limiter and makes it visible: throttled responses are counted by status and
     * logged ({@code rate_limit_response}), a cut logs {@code rate_decreased}, a pause {@code limiter_paused}.
     * For a throttled response or a provider quota report the limiter is sampled before and after, so the
     * logged old and new rates are exact for a store that answers at once.
     *
     * @return the store's answer: whether the response cut the rate
     */
    public CompletableFuture<Boolean> record(RateLimiter limiter, Feedback feedback) {
        LimiterWatch w = watches.get(limiter.name());
        boolean throttled = feedback.outcome() == Feedback.Outcome.THROTTLED;
        boolean interesting = throttled || feedback.providerQuota() != null;
        if (w != null && interesting) {
            w.sample();
            w.onProviderQuota(feedback.providerQuota());
        }
        CompletableFuture<Boolean> f = limiter.record(feedback);
        f.whenComplete((cut, ex) -> {
            try {
                if (ex != null) {
                    events.recordFailed(limiter.name(), ex);
                    return;
                }
                if (!interesting) {
                    return;
                }
                LimiterSnapshot s = w == null ? null : w.sample();
                if (throttled) {
                    long pause = s == null ? 0L : s.pauseRemainingNanos();
                    boolean c = Boolean.TRUE.equals(cut);
                    if (w != null) {
                        w.onThrottled(feedback.statusCode(), feedback.retryAfterNanos(), pause, c);
                    }
                    metrics().throttled(limiter.name(), feedback.statusCode());
                    ProviderQuota q = feedback.providerQuota();
                    events.rateLimitResponse(limiter.name(), feedback.statusCode(), feedback.retryAfterNanos(), pause,
                            q != null && q.remaining() >= 0 ? q.remaining() : null, c,
                            s == null ? Double.NaN : s.rate());
                }
            } catch (RuntimeException e) {
                // observability never fails an exchange
            }
        });
        return f;
    }

    // ---- RateLimiterListener ----

    @Override
    public void onGranted(String limiter, Permit permit) {
        try {
            metrics().granted(limiter, permit.waitedNanos());
            if (permit.waitedNanos() <= pacingLogThresholdNanos) {
                return; // the common case: granted at once (the limiter counts its grants itself)
            }
            LimiterWatch w = watches.get(limiter);
            if (w != null && w.pacingLogDue(clock.nanoTime(), PACING_LOG_INTERVAL.toNanos())) {
                events.pacingActive(limiter, permit.waitedNanos(), w.lastWaitReason(), w.pending(),
                        w.takeSuppressed());
            }
        } catch (RuntimeException e) {
            // never fail a grant
        }
    }

    /** Like {@link #onGranted} for a permit that did not wait: counted, never logged. */
    @Override
    public void onGrantedAtOnce(String limiter, long grantedAt) {
        try {
            metrics().granted(limiter, 0L);
        } catch (RuntimeException e) {
            // never fail a grant
        }
    }

    @Override
    public void onQueued(String limiter, Acquisition acquisition) {
        LimiterWatch w = watches.get(limiter);
        if (w != null && acquisition.reason() != null) {
            w.lastWaitReason(acquisition.reason().name().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void onRejected(String limiter, RateLimitExceededException reason) {
        try {
            LimiterWatch w = watches.get(limiter);
            if (w != null) {
                w.onRejected(reason.getReason());
            }
            metrics().rejected(limiter, reason.getReason());
        } catch (RuntimeException e) {
            // never fail a rejection
        }
    }

    // ---- retries (RateLimitMetrics calls these) ----

    void retryScheduled(String limiter, int attempt, long waitMillis, String reason) {
        LimiterWatch w = watch(limiter);
        if (w != null) {
            w.onRetryScheduled();
        }
        metrics().retryScheduled(limiter, reason, waitMillis);
        events.retryScheduled(limiter, attempt, waitMillis, reason);
    }

    void retriesExhausted(String limiter, int attempts, String reason) {
        LimiterWatch w = watch(limiter);
        if (w != null) {
            w.onRetryExhausted();
        }
        metrics().retryExhausted(limiter, reason);
        events.retriesExhausted(limiter, attempts, reason);
    }

    void retryBudget(String limiter, IntSupplier tokensLeft) {
        budgets.put(limiter, tokensLeft);
        LimiterWatch w = watch(limiter);
        if (w != null) {
            w.retryBudget(tokensLeft);
        }
    }

    // ---- health ----

    /** Samples every limiter and reports each one's health against {@link #getHealthDownAfter()}. */
    public List<LimiterWatch.Health> health() {
        long now = clock.nanoTime();
        List<LimiterWatch.Health> out = new ArrayList<>();
        for (LimiterWatch w : watches()) {
            w.sample();
            out.add(w.health(now, healthDownAfter));
        }
        return out;
    }
}
