package io.github.camelratelimit;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.core.LimiterStoreFactory;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.RateLimiterListener;
import io.github.camelratelimit.core.Scheduler;
import io.github.camelratelimit.observe.Masking;
import io.github.camelratelimit.observe.RateLimitHealthCheck;
import io.github.camelratelimit.observe.RateLimitObserver;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;
import org.apache.camel.util.StringHelper;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ratelimit:} component: {@code ratelimit:<delegate-uri>[?options]} paces the calls to the delegate
 * endpoint through a named limiter. Options this component knows are consumed; every other option is passed to
 * the delegate untouched ({@code RAW()} values and secrets included).
 *
 * <p>Owns the limiters (one per name, shared by every endpoint that names it, reference counted), the stores, one
 * scheduler thread that wakes limiters, and the worker pool on which exchanges that waited call their delegate.
 *
 * <p>Option precedence for an endpoint: its URI, then the properties
 * {@code ratelimit.limiter.<name>.<option>} (kebab-case option names; per-limiter overrides), then the
 * component's options ({@code camel.component.ratelimit.*}), then the built-in defaults.
 */
@Component("ratelimit")
public class RateLimitComponent extends HealthCheckComponent {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitComponent.class);

    /** Prefix of per-limiter override properties: {@code ratelimit.limiter.<name>.<option>}. */
    public static final String LIMITER_PROPERTY_PREFIX = "ratelimit.limiter.";

    @Metadata(description = "Default options for every ratelimit endpoint")
    private RateLimitConfiguration configuration = new RateLimitConfiguration();

    @Metadata(label = "advanced", defaultValue = "20", description = "Threads that run the delegate for exchanges that"
            + " waited for a permit (exchanges that need not wait run in the caller's thread).")
    private int workerPoolSize = 20;

    @Metadata(label = "advanced,health", defaultValue = "5m", javaType = "java.time.Duration",
            description = "The ratelimit health check reports DOWN when a limiter has been paused (Retry-After,"
                    + " provider quota at zero), or its rate at minRate, for longer than this.")
    private long healthDownAfter = 300_000L;

    @Metadata(label = "advanced", defaultValue = "1s", javaType = "java.time.Duration",
            description = "A permit that waited longer than this logs the pacing_active event (at most once per"
                    + " limiter per 5 s, with a count of the waits not logged).")
    private long pacingLogThreshold = 1_000L;

    private volatile Clock clock = Clock.system();
    private RateLimiterListener listener = RateLimiterListener.NONE;

    // ---- observability (io.github.camelratelimit.observe) ----
    private volatile RateLimitObserver observer;
    private RateLimitHealthCheck healthCheck;
    /** The running limiter object of each name, read without the lock by producers (a reconfigure replaces it). */
    private final Map<String, RateLimiter> live = new ConcurrentHashMap<>();
    /** A reconfigure has replaced a limiter object: producers look the running one up in {@link #live}. */
    private volatile boolean replacedAny;

    private final Map<String, LimiterHandle> limiters = new HashMap<>();
    private final Map<String, LimiterStore> stores = new HashMap<>();
    /** Hears the JVM's GC pauses for the in-memory store (see {@link JvmPauseWatch}); null until that store exists. */
    private JvmPauseWatch pauseWatch;
    /** Per-key limiters (limiterKey), in access order: least recently used first. Guarded by this. */
    private final Map<String, KeyedHandle> keyed = new LinkedHashMap<>(16, 0.75f, true);
    private java.util.concurrent.ScheduledFuture<?> idleSweep;
    private ScheduledExecutorService schedulerExecutor;
    private ExecutorService workers;
    private Scheduler scheduler;

    public RateLimitComponent() {
    }

    @Override
    public boolean useRawUri() {
        return true; // the delegate URI is passed on as the user wrote it
    }

    @Override
    protected boolean resolveRawParameterValues() {
        return false; // keep RAW(...) for the delegate; never decode/re-encode its secrets
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RateLimitEndpoint endpoint = new RateLimitEndpoint(uri, this);
        RateLimitConfiguration conf = configuration.copy();
        endpoint.setConfiguration(conf);
        Map<String, Object> given = new LinkedHashMap<>(parameters);
        Object explicit = parameters.remove("delegateUri");
        setProperties(endpoint, parameters);
        String path = remaining == null ? "" : remaining;
        String delegate;
        if (explicit != null) {
            // ratelimit:<name>?delegateUri=RAW(<uri>): the path names the limiter
            delegate = unwrapRaw(explicit.toString());
            if (!path.isBlank() && (conf.getLimiter() == null || conf.getLimiter().isBlank())) {
                conf.setLimiter(path);
            }
        } else {
            delegate = path;
        }
        if (delegate.isBlank()) {
            throw new IllegalArgumentException("ratelimit endpoint " + Masking.maskUri(uri)
                    + " names no delegate: write ratelimit:<delegate-uri>, e.g. ratelimit:https://api.example.com/items,"
                    + " or ratelimit:<limiter>?delegateUri=RAW(<delegate-uri>)");
        }
        // what setProperties did not consume belongs to the delegate, passed on as written
        if (!parameters.isEmpty()) {
            String query = URISupport.createQueryString(parameters, false);
            delegate = delegate + (delegate.contains("?") ? "&" : "?") + query;
        }
        parameters.clear();
        endpoint.setDelegateUri(delegate);
        if (conf.getLimiter() == null || conf.getLimiter().isBlank()) {
            conf.setLimiter(defaultLimiterName(delegate));
        }
        applyLimiterOverrides(endpoint, given.keySet());
        return endpoint;
    }

    private static String unwrapRaw(String v) {
        String t = v.trim();
        if ((t.startsWith("RAW(") && t.endsWith(")")) || (t.startsWith("RAW{") && t.endsWith("}"))) {
            return t.substring(4, t.length() - 1);
        }
        return t;
    }

    /**
     * Applies {@code ratelimit.limiter.<name>.<option>} properties for options the URI did not give. Only for
     * limiter names that are plain property keys (letters, digits, '.', '_', '-'): a default name such as
     * {@code https://host:443} cannot be one.
     */
    private void applyLimiterOverrides(RateLimitEndpoint endpoint, java.util.Set<String> givenKeys) throws Exception {
        PropertiesComponent pc = getCamelContext().getPropertiesComponent();
        String name = endpoint.getConfiguration().getLimiter();
        if (!name.matches("[A-Za-z0-9._-]+")) {
            return;
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (String option : RateLimitEndpoint.LIMITER_OPTIONS) {
            if (givenKeys.stream().anyMatch(k -> k.equalsIgnoreCase(option))) {
                continue;
            }
            Optional<String> v = pc.resolveProperty(LIMITER_PROPERTY_PREFIX + name + "." + StringHelper.camelCaseToDash(option));
            if (v.isEmpty()) {
                v = pc.resolveProperty(LIMITER_PROPERTY_PREFIX + name + "." + option);
            }
            v.ifPresent(s -> overrides.put(option, s));
        }
        if (!overrides.isEmpty()) {
            setProperties(endpoint, overrides);
        }
    }

    /**
     * The default limiter name: the delegate's scheme, host and port ({@code https://api.example.com:443}), or
     * its scheme and path when it has no host.
     */
    static String defaultLimiterName(String delegateUri) {
        String raw = delegateUri;
        int q = raw.indexOf('?');
        if (q >= 0) {
            raw = raw.substring(0, q);
        }
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return raw;
        }
        String scheme = raw.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = raw.substring(colon + 1);
        // camel-http accepts http:host/path as well as http://host/path
        if (!rest.startsWith("//") && !scheme.startsWith("http")) {
            return scheme + ":" + rest;
        }
        String httpLike = rest.startsWith("//") ? rest : "//" + rest;
        try {
            URI u = new URI(scheme + ":" + httpLike);
            if (u.getHost() != null) {
                int port = u.getPort();
                if (port < 0) {
                    port = scheme.startsWith("https") ? 443 : scheme.startsWith("http") ? 80 : -1;
                }
                String base = scheme + "://" + u.getHost().toLowerCase(Locale.ROOT);
                return port < 0 ? base : base + ":" + port;
            }
        } catch (Exception e) {
            // not a URI with a host: fall through
        }
        return scheme + ":" + rest;
    }

    // ---- limiters ----

    /**
     * Returns the shared limiter for an endpoint, creating it on first use.
     *
     * @throws IllegalArgumentException when another endpoint already uses the limiter with different settings
     */
    synchronized RateLimiter acquireLimiter(RateLimitEndpoint endpoint) {
        RateLimitConfiguration conf = endpoint.getConfiguration();
        String name = conf.getLimiter();
        LimiterConfig config = conf.toLimiterConfig();
        String storeKey = storeKey(conf);
        LimiterHandle h = limiters.get(name);
        if (h != null) {
            if (!h.baseConfig.equals(config) || !h.storeKey.equals(storeKey)) {
                throw new IllegalArgumentException("ratelimit limiter '" + name + "' is used by "
                        + Masking.maskUri(h.firstEndpointUri) + " with " + describe(h.baseConfig, h.storeKey)
                        + " but " + Masking.maskUri(endpoint.getEndpointUri()) + " asks for "
                        + describe(config, storeKey)
                        + ": endpoints that share a limiter must agree (set the options once, e.g. as"
                        + " camel.component.ratelimit.* or " + LIMITER_PROPERTY_PREFIX + name + ".*)");
            }
            h.refs++;
            getObserver().endpointAdded(name, endpoint.delegate());
            return h.limiter;
        }
        ensureExecutors();
        LimiterStore store = store(conf, storeKey);
        RateLimiter limiter = new RateLimiter(name, config, store, clock, scheduler, workers,
                getObserver().listener(name, listener));
        limiters.put(name, new LimiterHandle(limiter, config, storeKey, endpoint.getEndpointUri()));
        live.put(name, limiter);
        getObserver().limiterStarted(limiter, endpoint.delegate());
        LOG.atInfo().setMessage("ratelimit limiter created").addKeyValue("event", "limiter_created")
                .addKeyValue("limiter", name).addKeyValue("store", store.kind())
                .addKeyValue("minRate", config.minRate()).addKeyValue("maxRate", config.maxRate())
                .addKeyValue("quota", config.quota()).addKeyValue("quotaWindow", config.quotaWindow()).log();
        return limiter;
    }

    /**
     * The per-key limiter {@code <limiter>[<key>]} of an endpoint with {@code limiterKey}, created on first use with
     * the endpoint's settings. Evicts per-key limiters of the same endpoint idle for {@code limiterIdleTimeout}
     * (nobody waiting, nothing granted meanwhile); when {@code maxLimiters} remain, the least recently used idle one
     * goes.
     *
     * @throws RateLimitExceededException (MAX_LIMITERS) when {@code maxLimiters} are in use and none is idle
     */
    synchronized RateLimiter keyedLimiter(RateLimitEndpoint endpoint, String key) {
        RateLimitConfiguration conf = endpoint.getConfiguration();
        String name = conf.getLimiter() + "[" + boundedKey(key) + "]";
        long now = clock.nanoTime();
        KeyedHandle h = keyed.get(name); // access order: this one becomes the most recently used
        if (h != null && h.endpoint == endpoint) {
            h.lastUsed = now;
            return h.limiter;
        }
        evictIdleKeyed(endpoint, now);
        long mine = keyed.values().stream().filter(k -> k.endpoint == endpoint).count();
        if (mine >= conf.getMaxLimiters()) {
            KeyedHandle lru = null;
            for (KeyedHandle k : keyed.values()) { // least recently used first
                if (k.endpoint == endpoint && k.limiter.pending() == 0) {
                    lru = k;
                    break;
                }
            }
            if (lru == null) {
                throw RateLimitExceededException.maxLimiters(name, conf.getMaxLimiters());
            }
            closeKeyed(lru, "max_limiters");
        }
        ensureExecutors();
        String storeKey = storeKey(conf);
        LimiterStore store = store(conf, storeKey);
        RateLimiter limiter = new RateLimiter(name, conf.toLimiterConfig(), store, clock, scheduler, workers,
                getObserver().listener(name, listener));
        keyed.put(name, new KeyedHandle(limiter, endpoint, now));
        getObserver().limiterStarted(limiter, endpoint.delegate());
        ensureIdleSweep();
        return limiter;
    }

    /** Evicts every idle per-key limiter of {@code endpoint} (all endpoints when null). Caller holds the lock. */
    private void evictIdleKeyed(RateLimitEndpoint endpoint, long now) {
        for (KeyedHandle k : new java.util.ArrayList<>(keyed.values())) {
            if ((endpoint == null || k.endpoint == endpoint) && k.limiter.pending() == 0
                    && now - k.lastUsed >= k.endpoint.getConfiguration().getLimiterIdleTimeout() * 1_000_000L) {
                closeKeyed(k, "idle");
            }
        }
    }

    private void closeKeyed(KeyedHandle k, String why) {
        String name = k.limiter.name();
        keyed.remove(name);
        if (observer != null) {
            observer.limiterStopped(name);
        }
        k.limiter.close();
        if (k.limiter.store() instanceof InMemoryLimiterStore mem) {
            mem.remove(name);
        }
        LOG.atDebug().setMessage("per-key limiter evicted").addKeyValue("event", "limiter_evicted")
                .addKeyValue("limiter", Masking.maskText(name)).addKeyValue("reason", why).log();
    }

    private void ensureIdleSweep() {
        if (idleSweep == null && schedulerExecutor != null) {
            idleSweep = schedulerExecutor.scheduleWithFixedDelay(() -> {
                synchronized (this) {
                    evictIdleKeyed(null, clock.nanoTime());
                }
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Keys longer than 64 characters are cut and tagged with a hash, so names (and metric tags) stay short. */
    static String boundedKey(String key) {
        String k = key.strip().replaceAll("[\\p{Cntrl}\\[\\]]", "_");
        return k.length() <= 64 ? k : k.substring(0, 55) + "~" + Integer.toHexString(k.hashCode());
    }

    /** Names of the running per-key limiters. */
    public synchronized java.util.Set<String> getKeyedLimiterNames() {
        return new java.util.TreeSet<>(keyed.keySet());
    }

    /** The running per-key limiter of that name, or {@code null}. */
    public synchronized RateLimiter getKeyedLimiter(String name) {
        KeyedHandle h = keyed.get(name);
        return h == null ? null : h.limiter;
    }

    /** Releases an endpoint's use of a limiter; the last user closes it (waiters fail with STOPPED). */
    synchronized void releaseLimiter(String name, RateLimitEndpoint endpoint) {
        for (KeyedHandle k : new java.util.ArrayList<>(keyed.values())) {
            if (k.endpoint == endpoint) {
                closeKeyed(k, "endpoint_stopped");
            }
        }
        releaseLimiter(name);
    }

    /** Releases an endpoint's use of a limiter; the last user closes it (waiters fail with STOPPED). */
    synchronized void releaseLimiter(String name) {
        LimiterHandle h = limiters.get(name);
        if (h == null) {
            return;
        }
        if (--h.refs <= 0) {
            limiters.remove(name);
            live.remove(name);
            if (observer != null) {
                observer.limiterStopped(name);
            }
            h.limiter.close();
            if (h.limiter.store() instanceof InMemoryLimiterStore mem) {
                mem.remove(name);
            }
        }
    }

    /** The running limiter of that name, or {@code null}. */
    public synchronized RateLimiter getLimiter(String name) {
        LimiterHandle h = limiters.get(name);
        return h == null ? null : h.limiter;
    }

    /**
     * The running limiter object of {@code limiter}'s name: {@code limiter} itself unless a
     * {@link #reconfigureLimiter reconfigure} replaced it (or it stopped). Lock-free; producers call it per
     * exchange.
     */
    RateLimiter liveLimiter(RateLimiter limiter) {
        if (limiter == null || !replacedAny) {
            return limiter; // no reconfigure yet: a started endpoint's limiter is the running one
        }
        RateLimiter l = live.get(limiter.name());
        return l == null ? limiter : l;
    }

    /**
     * Changes a running limiter's min and max rate (JMX, operators). {@link LimiterConfig} is immutable, so the
     * limiter object is replaced by one with the new config on the same store: new exchanges use it at once;
     * exchanges waiting in the old one are handed over to it (their wait starts again). The store keeps state per
     * config, so the limiter starts afresh at the new maxRate: cuts and pauses are forgotten, and so is the strict
     * quota's memory of starts in the current window (up to {@code quota} more calls may start in it).
     * Endpoints that start later must still agree with the options the limiter was created with.
     *
     * @return the new limiter (the old one when nothing changes)
     * @throws IllegalArgumentException when no limiter of that name runs
     * @throws io.github.camelratelimit.core.InvalidLimiterConfigException when the rates are invalid
     */
    public RateLimiter reconfigureLimiter(String name, double minRate, double maxRate) {
        RateLimiter old;
        RateLimiter replacement;
        synchronized (this) {
            LimiterHandle h = limiters.get(name);
            if (h == null) {
                throw new IllegalArgumentException("no running ratelimit limiter '" + name + "'");
            }
            old = h.limiter;
            LimiterConfig config = old.config().toBuilder().minRate(minRate).maxRate(maxRate).build();
            if (config.equals(old.config())) {
                return old;
            }
            replacement = new RateLimiter(name, config, old.store(), clock, scheduler, workers,
                    getObserver().listener(name, listener));
            h.limiter = replacement;
            live.put(name, replacement);
            replacedAny = true;
            getObserver().limiterReplaced(replacement, old.config());
        }
        // hand the waiters over off the caller's thread: a handed-over exchange may call its delegate at once
        workers.execute(old::close);
        return replacement;
    }

    /**
     * Forgets a running limiter's cuts and pauses (the strict quota's memory of starts stays).
     *
     * @throws IllegalArgumentException when no limiter of that name runs
     */
    public void resetLimiter(String name) {
        RateLimiter l = getLimiter(name);
        if (l == null) {
            throw new IllegalArgumentException("no running ratelimit limiter '" + name + "'");
        }
        l.store().reset(name, l.config()).toCompletableFuture().join();
        getObserver().limiterReset(name);
    }

    /**
     * The observability hub of this component (meters, log events, health, console, JMX); created on first use.
     */
    public RateLimitObserver getObserver() {
        RateLimitObserver o = observer; // lock-free on the per-response path
        return o != null ? o : createObserver();
    }

    private synchronized RateLimitObserver createObserver() {
        if (observer == null && getCamelContext() != null) {
            Clock current = new Clock() { // follows setClock
                @Override
                public long nanoTime() {
                    return clock.nanoTime();
                }

                @Override
                public long wallMillis() {
                    return clock.wallMillis();
                }
            };
            observer = new RateLimitObserver(getCamelContext(), current, new RateLimitObserver.LimiterControl() {
                @Override
                public void reconfigure(String limiter, double minRate, double maxRate) {
                    reconfigureLimiter(limiter, minRate, maxRate);
                }

                @Override
                public void reset(String limiter) {
                    resetLimiter(limiter);
                }
            });
            observer.setHealthDownAfter(Duration.ofMillis(healthDownAfter));
            observer.setPacingLogThreshold(Duration.ofMillis(pacingLogThreshold));
        }
        return observer;
    }

    /** Names of the running limiters. */
    public synchronized java.util.Set<String> getLimiterNames() {
        return new java.util.TreeSet<>(limiters.keySet());
    }

    private static String describe(LimiterConfig c, String storeKey) {
        return "{minRate=" + c.minRate() + ", maxRate=" + c.maxRate() + ", recoveryScale=" + c.recoveryScale()
                + ", quota=" + c.quota() + ", quotaWindow=" + c.quotaWindow() + ", maxWait=" + c.maxWait()
                + ", maxPending=" + c.maxPending() + ", store=" + storeKey + "}";
    }

    private static String storeKey(RateLimitConfiguration conf) {
        String kind = conf.getStore() == null ? "memory" : conf.getStore().trim().toLowerCase(Locale.ROOT);
        // credentials never enter the key: it appears in error messages
        return "memory".equals(kind) ? kind : kind + "|" + Masking.maskUri(conf.storeOptions().toString());
    }

    private LimiterStore store(RateLimitConfiguration conf, String key) {
        LimiterStore s = stores.get(key);
        if (s != null) {
            return s;
        }
        String kind = conf.getStore() == null ? "memory" : conf.getStore().trim().toLowerCase(Locale.ROOT);
        if ("memory".equals(kind)) {
            InMemoryLimiterStore memory = new InMemoryLimiterStore(clock);
            if (pauseWatch == null) {
                pauseWatch = JvmPauseWatch.start(memory);
            }
            s = memory;
        } else {
            LimiterStoreFactory factory = null;
            for (LimiterStoreFactory f : ServiceLoader.load(LimiterStoreFactory.class,
                    getCamelContext().getApplicationContextClassLoader() != null
                            ? getCamelContext().getApplicationContextClassLoader()
                            : RateLimitComponent.class.getClassLoader())) {
                if (f.kind().equalsIgnoreCase(kind)) {
                    factory = f;
                }
            }
            if (factory == null) {
                throw new io.github.camelratelimit.core.InvalidLimiterConfigException("store", conf.getStore(),
                        "must be memory, or a store kind found on the classpath (redis needs the"
                                + " camel-ratelimit-redis module)");
            }
            s = factory.create(conf.storeOptions(), clock);
        }
        stores.put(key, s);
        return s;
    }

    private void ensureExecutors() {
        if (schedulerExecutor == null) {
            schedulerExecutor = getCamelContext().getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "RateLimitScheduler");
            scheduler = Scheduler.of(schedulerExecutor);
            getObserver().startSampling(schedulerExecutor);
        }
        if (workers == null) {
            ThreadPoolProfile profile = new ThreadPoolProfileBuilder("RateLimitWorker").poolSize(workerPoolSize)
                    .maxPoolSize(workerPoolSize).maxQueueSize(-1).allowCoreThreadTimeOut(true).build();
            workers = getCamelContext().getExecutorServiceManager().newThreadPool(this, "RateLimitWorker", profile);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        HealthCheckRegistry registry = HealthCheckRegistry.get(getCamelContext());
        RateLimitObserver o = getObserver();
        if (registry != null && o != null) {
            healthCheck = new RateLimitHealthCheck(o);
            registry.register(healthCheck);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (healthCheck != null) {
            HealthCheckRegistry registry = HealthCheckRegistry.get(getCamelContext());
            if (registry != null) {
                registry.unregister(healthCheck);
            }
            healthCheck = null;
        }
        synchronized (this) {
            live.clear();
            if (observer != null) {
                observer.close();
            }
            for (LimiterHandle h : limiters.values()) {
                h.limiter.close();
            }
            limiters.clear();
            for (KeyedHandle k : keyed.values()) {
                k.limiter.close();
            }
            keyed.clear();
            if (idleSweep != null) {
                idleSweep.cancel(false);
                idleSweep = null;
            }
            for (LimiterStore s : stores.values()) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.warn("ratelimit store {} did not close cleanly: {}", s.kind(), Masking.maskText(e.toString()));
                }
            }
            stores.clear();
            if (pauseWatch != null) {
                pauseWatch.close();
                pauseWatch = null;
            }
        }
        if (schedulerExecutor != null) {
            getCamelContext().getExecutorServiceManager().shutdown(schedulerExecutor);
            schedulerExecutor = null;
        }
        if (workers != null) {
            getCamelContext().getExecutorServiceManager().shutdownGraceful(workers);
            workers = null;
        }
        super.doStop();
    }

    // ---- options ----

    public RateLimitConfiguration getConfiguration() {
        return configuration;
    }

    /** Default options for every ratelimit endpoint. */
    public void setConfiguration(RateLimitConfiguration configuration) {
        this.configuration = configuration;
    }

    public int getWorkerPoolSize() {
        return workerPoolSize;
    }

    public void setWorkerPoolSize(int workerPoolSize) {
        if (workerPoolSize < 1) {
            throw new io.github.camelratelimit.core.InvalidLimiterConfigException("workerPoolSize", workerPoolSize,
                    "must be >= 1");
        }
        this.workerPoolSize = workerPoolSize;
    }

    public long getHealthDownAfter() {
        return healthDownAfter;
    }

    /** Milliseconds a limiter may stay paused or at its floor before the health check reports DOWN. */
    public void setHealthDownAfter(long healthDownAfter) {
        if (healthDownAfter < 0) {
            throw new io.github.camelratelimit.core.InvalidLimiterConfigException("healthDownAfter",
                    healthDownAfter + "ms", "must be >= 0");
        }
        this.healthDownAfter = healthDownAfter;
        synchronized (this) {
            if (observer != null) {
                observer.setHealthDownAfter(Duration.ofMillis(healthDownAfter));
            }
        }
    }

    public long getPacingLogThreshold() {
        return pacingLogThreshold;
    }

    /** Milliseconds a permit may wait before the pacing_active event is logged (rate-limited). */
    public void setPacingLogThreshold(long pacingLogThreshold) {
        if (pacingLogThreshold < 0) {
            throw new io.github.camelratelimit.core.InvalidLimiterConfigException("pacingLogThreshold",
                    pacingLogThreshold + "ms", "must be >= 0");
        }
        this.pacingLogThreshold = pacingLogThreshold;
        synchronized (this) {
            if (observer != null) {
                observer.setPacingLogThreshold(Duration.ofMillis(pacingLogThreshold));
            }
        }
    }

    public Clock getClock() {
        return clock;
    }

    /** The clock for limiters and stores (tests inject a manual one). Not an endpoint option. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public RateLimiterListener getListener() {
        return listener;
    }

    /** Hears every limiter's grants, queueing and rejections (metrics). Not an endpoint option. */
    public void setListener(RateLimiterListener listener) {
        this.listener = listener == null ? RateLimiterListener.NONE : listener;
    }

    private static final class KeyedHandle {
        final RateLimiter limiter;
        final RateLimitEndpoint endpoint;
        long lastUsed;

        KeyedHandle(RateLimiter limiter, RateLimitEndpoint endpoint, long lastUsed) {
            this.limiter = limiter;
            this.endpoint = endpoint;
            this.lastUsed = lastUsed;
        }
    }

    private static final class LimiterHandle {
        /** The running limiter; a reconfigure replaces it. */
        RateLimiter limiter;
        /** The config the endpoints agreed on (later endpoints must match it, whatever a reconfigure set). */
        final LimiterConfig baseConfig;
        final String storeKey;
        final String firstEndpointUri;
        int refs = 1;

        LimiterHandle(RateLimiter limiter, LimiterConfig baseConfig, String storeKey, String firstEndpointUri) {
            this.limiter = limiter;
            this.baseConfig = baseConfig;
            this.storeKey = storeKey;
            this.firstEndpointUri = firstEndpointUri;
        }
    }
}
