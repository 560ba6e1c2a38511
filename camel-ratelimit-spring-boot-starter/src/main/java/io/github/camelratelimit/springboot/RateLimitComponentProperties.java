package io.github.camelratelimit.springboot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ratelimit} component's options as Spring properties {@code camel.component.ratelimit.*} (kebab-case,
 * e.g. {@code camel.component.ratelimit.max-rate=20}). They are the defaults of every {@code ratelimit:} endpoint;
 * an endpoint URI option wins over them, and {@code ratelimit.limiter.<name>.<option>} properties override them for
 * one named limiter. Durations take Spring's forms ({@code 500ms}, {@code 30s}, {@code 1h}; a bare number is
 * milliseconds).
 *
 * <p>The initial values are the component's own defaults, repeated here so that IDEs show them (a test checks
 * that they agree with the component's catalog); an option set to {@code null} is not applied at all. Not
 * thread-safe: Spring binds it once at start-up.
 */
@ConfigurationProperties(prefix = RateLimitComponentProperties.PREFIX)
public class RateLimitComponentProperties {

    /** The prefix of these properties. */
    public static final String PREFIX = "camel.component.ratelimit";

    /**
     * Whether to auto-configure the ratelimit component: register it as the bean "ratelimit" and apply these
     * properties to it. Default true.
     */
    private Boolean enabled;

    /**
     * Name of the limiter for endpoints that name none. Every endpoint naming the same limiter shares one limiter
     * (one provider quota). Default: the delegate's scheme, host and port, e.g. https://api.example.com:443.
     */
    private String limiter;

    /** Floor of the adaptive rate in permits per second: rate-limit signals never cut the rate below it. */
    private Double minRate = 1.0;

    /** Ceiling and starting value of the adaptive rate in permits per second. */
    private Double maxRate = 60.0;

    /**
     * Cap of the recovery scaling constant C. C starts at 500 and doubles on every rate cut up to this value; a
     * larger C recovers more slowly (time back to the old peak is cbrt(peak x 0.3 x C) seconds).
     */
    private Double recoveryScale = 100000.0;

    /** Factor applied to the rate on a cut, between 0 and 1 (exclusive). */
    private Double decreaseFactor = 0.7;

    /**
     * Strict quota: at most this many calls start in any sliding window of quota-window, whatever the adaptive
     * rate. 0 turns it off.
     */
    private Integer quota = 0;

    /** Length of the strict quota's sliding window, e.g. 1h for 100 per hour. */
    private Duration quotaWindow = Duration.ofSeconds(1);

    /**
     * Longest time an exchange may wait for a permit. When the wait needed is longer, the exchange fails at once
     * with a RateLimitExceededException that names the limiter, the wait needed and this bound.
     */
    private Duration maxWait = Duration.ofSeconds(60);

    /**
     * Most exchanges that may wait for a permit of one limiter (per JVM); beyond it exchanges fail at once with a
     * RateLimitExceededException.
     */
    private Integer maxPending = 10000;

    /**
     * Longest pause a provider can impose through Retry-After or an exhausted quota; longer values are clamped
     * to it.
     */
    private Duration maxPause = Duration.ofMinutes(15);

    /**
     * After a rate cut, further rate-limit responses within this time, or for calls started before the cut,
     * belong to the same congestion event and do not cut again.
     */
    private Duration signalCooldown = Duration.ofSeconds(1);

    /** Share of a provider-reported quota (rate-limit headers) left unused when pacing by it. */
    private Double quotaSafetyMargin = 0.1;

    /**
     * Read the provider's quota headers on every response (IETF RateLimit and RateLimit-Policy, and the
     * RateLimit-, X-RateLimit- and X-Rate-Limit- families) and pace so the reported remaining calls last until the
     * reset; pause at remaining 0; lower the ceiling to a reported limit.
     */
    private Boolean learnFromHeaders = true;

    /**
     * A Simple expression, e.g. ${header.tenant}: each value gets its own limiter named &lt;limiter&gt;[&lt;value&gt;]
     * with this endpoint's settings (per-tenant or per-account quotas). Bounded by maxLimiters; limiters idle for
     * limiterIdleTimeout are evicted. An empty value uses the endpoint's own limiter.
     */
    private String limiterKey;

    /**
     * Most per-key limiters (limiterKey) one endpoint keeps; when reached, the least recently used idle one is
     * evicted, or the exchange fails with RateLimitExceededException (reason MAX_LIMITERS) when none is idle.
     */
    private Integer maxLimiters = 1000;

    /**
     * A per-key limiter (limiterKey) with no exchange waiting and none granted for this long is evicted, its state
     * dropped.
     */
    private Duration limiterIdleTimeout = Duration.ofMinutes(10);

    /**
     * Header name prefix of a provider's own quota headers, read before the standard families, e.g.
     * X-Api-RateLimit- for X-Api-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Used.
     */
    private String quotaHeaderPrefix;

    /**
     * When true, camel-http's own automatic retries (which retry a 429/503 and sleep the calling thread for
     * Retry-After) are disabled on the wrapped endpoint's client, so that the limiter and Camel's redelivery
     * decide.
     */
    private Boolean disableHttpRetries = true;

    /**
     * Where limiter state lives: memory (this JVM) or redis (shared by every JVM naming the limiter; needs
     * camel-ratelimit-redis on the classpath).
     */
    private String store = "memory";

    /** Redis URI for store=redis, e.g. redis://:password@127.0.0.1:6379/0 (rediss:// for TLS). */
    private String redisUri;

    /**
     * A permit that waited longer than this logs the pacing_active event (at most once per limiter per 5 s, with a
     * count of the waits not logged).
     */
    private Duration pacingLogThreshold = Duration.ofSeconds(1);

    /**
     * The ratelimit health check reports DOWN when a limiter has been paused (Retry-After, provider quota at zero),
     * or its rate at min-rate, for longer than this.
     */
    private Duration healthDownAfter = Duration.ofMinutes(5);

    /**
     * Timeout of every Redis call (store=redis); on timeout or error the redis-fallback applies.
     */
    private Duration redisTimeout = Duration.ofMillis(200);

    /**
     * When Redis is down or slow: local keeps pacing in this JVM at redis-fallback-share of the limits (logged
     * loudly, reported as degraded) and switches back when Redis answers; fail rejects the exchanges with
     * STORE_FAILED.
     */
    private String redisFallback = "local";

    /**
     * Share of max-rate, min-rate and quota this JVM keeps while falling back to local pacing (0 means 1).
     */
    private Double redisFallbackShare = 0.5;

    /**
     * How often a store that fell back checks whether Redis answers again.
     */
    private Duration redisProbeInterval = Duration.ofSeconds(1);

    /**
     * Prefix of the Redis keys; a limiter's keys are {prefix:limiter}:state and {prefix:limiter}:starts (one
     * Cluster slot).
     */
    private String redisKeyPrefix = "camel-ratelimit";

    /**
     * A limiter's Redis keys expire after this long without use.
     */
    private Duration redisIdleExpiry = Duration.ofHours(1);

    /**
     * Threads that run the delegate for exchanges that waited for a permit (exchanges that need not wait run in
     * the caller's thread).
     */
    private Integer workerPoolSize = 20;

    /**
     * Whether the producer should be started lazily (on the first message), so that the route can start even when
     * the producer cannot yet.
     */
    private Boolean lazyStartProducer = false;

    /**
     * Whether autowiring is enabled: options marked as autowired are looked up in the registry when there is a
     * single bean of the matching type.
     */
    private Boolean autowiredEnabled = true;

    /** Whether the component's consumer health checks are enabled (the ratelimit component has no consumers). */
    private Boolean healthCheckConsumerEnabled = true;

    /**
     * Whether the component's producer health checks are enabled; Camel runs producer checks only when
     * camel.health.producers-enabled is true as well.
     */
    private Boolean healthCheckProducerEnabled = true;

    /**
     * The options to bind on the component, keyed by the component's option names (camelCase, as in its catalog);
     * options that are {@code null} are left out, {@code enabled} is not a component option.
     */
    public Map<String, Object> toComponentOptions() {
        Map<String, Object> o = new LinkedHashMap<>();
        put(o, "limiter", limiter);
        put(o, "minRate", minRate);
        put(o, "maxRate", maxRate);
        put(o, "recoveryScale", recoveryScale);
        put(o, "decreaseFactor", decreaseFactor);
        put(o, "quota", quota);
        put(o, "quotaWindow", quotaWindow);
        put(o, "maxWait", maxWait);
        put(o, "maxPending", maxPending);
        put(o, "maxPause", maxPause);
        put(o, "signalCooldown", signalCooldown);
        put(o, "quotaSafetyMargin", quotaSafetyMargin);
        put(o, "learnFromHeaders", learnFromHeaders);
        put(o, "quotaHeaderPrefix", quotaHeaderPrefix);
        put(o, "limiterKey", limiterKey);
        put(o, "maxLimiters", maxLimiters);
        put(o, "limiterIdleTimeout", limiterIdleTimeout);
        put(o, "disableHttpRetries", disableHttpRetries);
        put(o, "store", store);
        put(o, "redisUri", redisUri);
        put(o, "pacingLogThreshold", pacingLogThreshold);
        put(o, "healthDownAfter", healthDownAfter);
        put(o, "redisTimeout", redisTimeout);
        put(o, "redisFallback", redisFallback);
        put(o, "redisFallbackShare", redisFallbackShare);
        put(o, "redisProbeInterval", redisProbeInterval);
        put(o, "redisKeyPrefix", redisKeyPrefix);
        put(o, "redisIdleExpiry", redisIdleExpiry);
        put(o, "workerPoolSize", workerPoolSize);
        put(o, "lazyStartProducer", lazyStartProducer);
        put(o, "autowiredEnabled", autowiredEnabled);
        put(o, "healthCheckConsumerEnabled", healthCheckConsumerEnabled);
        put(o, "healthCheckProducerEnabled", healthCheckProducerEnabled);
        return o;
    }

    private static void put(Map<String, Object> options, String name, Object value) {
        if (value != null) {
            options.put(name, value);
        }
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getLimiter() {
        return limiter;
    }

    public void setLimiter(String limiter) {
        this.limiter = limiter;
    }

    public Double getMinRate() {
        return minRate;
    }

    public void setMinRate(Double minRate) {
        this.minRate = minRate;
    }

    public Double getMaxRate() {
        return maxRate;
    }

    public void setMaxRate(Double maxRate) {
        this.maxRate = maxRate;
    }

    public Double getRecoveryScale() {
        return recoveryScale;
    }

    public void setRecoveryScale(Double recoveryScale) {
        this.recoveryScale = recoveryScale;
    }

    public Double getDecreaseFactor() {
        return decreaseFactor;
    }

    public void setDecreaseFactor(Double decreaseFactor) {
        this.decreaseFactor = decreaseFactor;
    }

    public Integer getQuota() {
        return quota;
    }

    public void setQuota(Integer quota) {
        this.quota = quota;
    }

    public Duration getQuotaWindow() {
        return quotaWindow;
    }

    public void setQuotaWindow(Duration quotaWindow) {
        this.quotaWindow = quotaWindow;
    }

    public Duration getMaxWait() {
        return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
        this.maxWait = maxWait;
    }

    public Integer getMaxPending() {
        return maxPending;
    }

    public void setMaxPending(Integer maxPending) {
        this.maxPending = maxPending;
    }

    public Duration getMaxPause() {
        return maxPause;
    }

    public void setMaxPause(Duration maxPause) {
        this.maxPause = maxPause;
    }

    public Duration getSignalCooldown() {
        return signalCooldown;
    }

    public void setSignalCooldown(Duration signalCooldown) {
        this.signalCooldown = signalCooldown;
    }

    public Double getQuotaSafetyMargin() {
        return quotaSafetyMargin;
    }

    public void setQuotaSafetyMargin(Double quotaSafetyMargin) {
        this.quotaSafetyMargin = quotaSafetyMargin;
    }

    public Boolean getLearnFromHeaders() {
        return learnFromHeaders;
    }

    public void setLearnFromHeaders(Boolean learnFromHeaders) {
        this.learnFromHeaders = learnFromHeaders;
    }

    public String getLimiterKey() {
        return limiterKey;
    }

    public void setLimiterKey(String limiterKey) {
        this.limiterKey = limiterKey;
    }

    public Integer getMaxLimiters() {
        return maxLimiters;
    }

    public void setMaxLimiters(Integer maxLimiters) {
        this.maxLimiters = maxLimiters;
    }

    public Duration getLimiterIdleTimeout() {
        return limiterIdleTimeout;
    }

    public void setLimiterIdleTimeout(Duration limiterIdleTimeout) {
        this.limiterIdleTimeout = limiterIdleTimeout;
    }

    public String getQuotaHeaderPrefix() {
        return quotaHeaderPrefix;
    }

    public void setQuotaHeaderPrefix(String quotaHeaderPrefix) {
        this.quotaHeaderPrefix = quotaHeaderPrefix;
    }

    public Boolean getDisableHttpRetries() {
        return disableHttpRetries;
    }

    public void setDisableHttpRetries(Boolean disableHttpRetries) {
        this.disableHttpRetries = disableHttpRetries;
    }

    public String getStore() {
        return store;
    }

    public void setStore(String store) {
        this.store = store;
    }

    public String getRedisUri() {
        return redisUri;
    }

    public void setRedisUri(String redisUri) {
        this.redisUri = redisUri;
    }

    public Integer getWorkerPoolSize() {
        return workerPoolSize;
    }

    public void setWorkerPoolSize(Integer workerPoolSize) {
        this.workerPoolSize = workerPoolSize;
    }

    public Boolean getLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(Boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public Boolean getAutowiredEnabled() {
        return autowiredEnabled;
    }

    public void setAutowiredEnabled(Boolean autowiredEnabled) {
        this.autowiredEnabled = autowiredEnabled;
    }

    public Boolean getHealthCheckConsumerEnabled() {
        return healthCheckConsumerEnabled;
    }

    public void setHealthCheckConsumerEnabled(Boolean healthCheckConsumerEnabled) {
        this.healthCheckConsumerEnabled = healthCheckConsumerEnabled;
    }

    public Boolean getHealthCheckProducerEnabled() {
        return healthCheckProducerEnabled;
    }

    public void setHealthCheckProducerEnabled(Boolean healthCheckProducerEnabled) {
        this.healthCheckProducerEnabled = healthCheckProducerEnabled;
    }

    public Duration getPacingLogThreshold() {
        return pacingLogThreshold;
    }

    public void setPacingLogThreshold(Duration pacingLogThreshold) {
        this.pacingLogThreshold = pacingLogThreshold;
    }

    public Duration getHealthDownAfter() {
        return healthDownAfter;
    }

    public void setHealthDownAfter(Duration healthDownAfter) {
        this.healthDownAfter = healthDownAfter;
    }

    public Duration getRedisTimeout() {
        return redisTimeout;
    }

    public void setRedisTimeout(Duration redisTimeout) {
        this.redisTimeout = redisTimeout;
    }

    public String getRedisFallback() {
        return redisFallback;
    }

    public void setRedisFallback(String redisFallback) {
        this.redisFallback = redisFallback;
    }

    public Double getRedisFallbackShare() {
        return redisFallbackShare;
    }

    public void setRedisFallbackShare(Double redisFallbackShare) {
        this.redisFallbackShare = redisFallbackShare;
    }

    public Duration getRedisProbeInterval() {
        return redisProbeInterval;
    }

    public void setRedisProbeInterval(Duration redisProbeInterval) {
        this.redisProbeInterval = redisProbeInterval;
    }

    public String getRedisKeyPrefix() {
        return redisKeyPrefix;
    }

    public void setRedisKeyPrefix(String redisKeyPrefix) {
        this.redisKeyPrefix = redisKeyPrefix;
    }

    public Duration getRedisIdleExpiry() {
        return redisIdleExpiry;
    }

    public void setRedisIdleExpiry(Duration redisIdleExpiry) {
        this.redisIdleExpiry = redisIdleExpiry;
    }
}
