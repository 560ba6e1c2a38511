package io.github.camelratelimit;

import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.core.LimiterStoreFactory;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.core.RateLimiterListener;
import io.github.camelratelimit.core.Scheduler;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
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

    private Clock clock = Clock.system();
    private RateLimiterListener listener = RateLimiterListener.NONE;

    private final Map<String, LimiterHandle> limiters = new HashMap<>();
    private final Map<String, LimiterStore> stores = new HashMap<>();
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
            throw new IllegalArgumentException("ratelimit endpoint " + URISupport.sanitizeUri(uri)
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
            if (!h.limiter.config().equals(config) || !h.storeKey.equals(storeKey)) {
                throw new IllegalArgumentException("ratelimit limiter '" + name + "' is used by "
                        + URISupport.sanitizeUri(h.firstEndpointUri) + " with " + describe(h.limiter.config(), h.storeKey)
                        + " but " + URISupport.sanitizeUri(endpoint.getEndpointUri()) + " asks for "
                        + describe(config, storeKey)
                        + ": endpoints that share a limiter must agree (set the options once, e.g. as"
                        + " camel.component.ratelimit.* or " + LIMITER_PROPERTY_PREFIX + name + ".*)");
            }
            h.refs++;
            return h.limiter;
        }
        ensureExecutors();
        LimiterStore store = store(conf, storeKey);
        RateLimiter limiter = new RateLimiter(name, config, store, clock, scheduler, workers, listener);
        limiters.put(name, new LimiterHandle(limiter, storeKey, endpoint.getEndpointUri()));
        LOG.atInfo().setMessage("ratelimit limiter created").addKeyValue("event", "limiter_created")
                .addKeyValue("limiter", name).addKeyValue("store", store.kind())
                .addKeyValue("minRate", config.minRate()).addKeyValue("maxRate", config.maxRate())
                .addKeyValue("quota", config.quota()).addKeyValue("quotaWindow", config.quotaWindow()).log();
        return limiter;
    }

    /** Releases an endpoint's use of a limiter; the last user closes it (waiters fail with STOPPED). */
    synchronized void releaseLimiter(String name) {
        LimiterHandle h = limiters.get(name);
        if (h == null) {
            return;
        }
        if (--h.refs <= 0) {
            limiters.remove(name);
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
        return "memory".equals(kind) ? kind
                : kind + "|" + URISupport.sanitizeUri(conf.storeOptions().toString()).replaceAll("//[^@/\\s,}]*@", "//***@");
    }

    private LimiterStore store(RateLimitConfiguration conf, String key) {
        LimiterStore s = stores.get(key);
        if (s != null) {
            return s;
        }
        String kind = conf.getStore() == null ? "memory" : conf.getStore().trim().toLowerCase(Locale.ROOT);
        if ("memory".equals(kind)) {
            s = new InMemoryLimiterStore(clock);
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
        }
        if (workers == null) {
            ThreadPoolProfile profile = new ThreadPoolProfileBuilder("RateLimitWorker").poolSize(workerPoolSize)
                    .maxPoolSize(workerPoolSize).maxQueueSize(-1).allowCoreThreadTimeOut(true).build();
            workers = getCamelContext().getExecutorServiceManager().newThreadPool(this, "RateLimitWorker", profile);
        }
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (this) {
            for (LimiterHandle h : limiters.values()) {
                h.limiter.close();
            }
            limiters.clear();
            for (LimiterStore s : stores.values()) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.warn("ratelimit store {} did not close cleanly: {}", s.kind(), e.toString());
                }
            }
            stores.clear();
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

    private static final class LimiterHandle {
        final RateLimiter limiter;
        final String storeKey;
        final String firstEndpointUri;
        int refs = 1;

        LimiterHandle(RateLimiter limiter, String storeKey, String firstEndpointUri) {
            this.limiter = limiter;
            this.storeKey = storeKey;
            this.firstEndpointUri = firstEndpointUri;
        }
    }
}
