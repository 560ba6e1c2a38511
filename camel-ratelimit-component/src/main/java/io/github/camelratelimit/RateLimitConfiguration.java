package io.github.camelratelimit;

import java.time.Duration;

import io.github.camelratelimit.core.LimiterConfig;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The options of a {@code ratelimit:} endpoint. The component holds one instance as the defaults
 * ({@code camel.component.ratelimit.*}); each endpoint gets a copy and overrides it from its URI. Durations are
 * milliseconds and accept Camel's time patterns ({@code 500ms}, {@code 10s}, {@code 1h}).
 */
@UriParams
public class RateLimitConfiguration implements Cloneable {

    @UriParam(description = "Name of the limiter. Every endpoint naming the same limiter shares one limiter (one provider"
            + " quota). Default: the delegate's scheme, host and port, e.g. https://api.example.com:443.")
    private String limiter;

    @UriParam(label = "advanced", description = "A Simple expression, e.g. ${header.tenant}: each value gets its own"
            + " limiter named <limiter>[<value>] with this endpoint's settings (per-tenant or per-account quotas)."
            + " Bounded by maxLimiters; limiters idle for limiterIdleTimeout are evicted. An empty value uses the"
            + " endpoint's own limiter.")
    private String limiterKey;

    @UriParam(label = "advanced", defaultValue = "1000", description = "Most per-key limiters (limiterKey) one endpoint"
            + " keeps; when reached, the least recently used idle one is evicted, or the exchange fails with"
            + " RateLimitExceededException (reason MAX_LIMITERS) when none is idle.")
    private int maxLimiters = 1000;

    @UriParam(label = "advanced", defaultValue = "10m", javaType = "java.time.Duration", description = "A per-key"
            + " limiter (limiterKey) with no exchange waiting and none granted for this long is evicted, its state"
            + " dropped.")
    private long limiterIdleTimeout = 600_000;

    @UriParam(defaultValue = "1", description = "Floor of the adaptive rate in permits per second: rate-limit signals"
            + " never cut the rate below it.")
    private double minRate = LimiterConfig.DEFAULT_MIN_RATE;

    @UriParam(defaultValue = "60", description = "Ceiling and starting value of the adaptive rate in permits per second.")
    private double maxRate = LimiterConfig.DEFAULT_MAX_RATE;

    @UriParam(defaultValue = "100000", description = "Cap of the recovery scaling constant C. C starts at 500 and doubles"
            + " on every rate-limit signal up to this value; a larger C recovers more slowly (after a cut to b x peak"
            + " the rate is back at the peak after 0.2 x cbrt((1 - b) x C) seconds, then probes above it).")
    private double recoveryScale = LimiterConfig.DEFAULT_RECOVERY_SCALE;

    @UriParam(label = "advanced", defaultValue = "0.7", description = "Factor applied to the rate on a cut when the"
            + " provider's accepted rate could not be measured (0 < f < 1); otherwise a cut keeps 0.9 of that rate.")
    private double decreaseFactor = LimiterConfig.DEFAULT_DECREASE_FACTOR;

    @UriParam(defaultValue = "0", description = "Strict quota: at most this many calls start in any sliding window of"
            + " quotaWindow, whatever the adaptive rate. 0 turns it off.")
    private int quota;

    @UriParam(defaultValue = "1s", javaType = "java.time.Duration", description = "Length of the strict quota's sliding"
            + " window, e.g. 1h for 100 per hour.")
    private long quotaWindow = LimiterConfig.DEFAULT_QUOTA_WINDOW.toMillis();

    @UriParam(defaultValue = "60s", javaType = "java.time.Duration", description = "Longest time an exchange may wait for"
            + " a permit. When the wait needed is longer, the exchange fails at once with a"
            + " RateLimitExceededException that names the limiter, the wait needed and this bound.")
    private long maxWait = LimiterConfig.DEFAULT_MAX_WAIT.toMillis();

    @UriParam(defaultValue = "10000", description = "Most exchanges that may wait for a permit of one limiter (per JVM);"
            + " beyond it exchanges fail at once with a RateLimitExceededException.")
    private int maxPending = LimiterConfig.DEFAULT_MAX_PENDING;

    @UriParam(label = "advanced", defaultValue = "15m", javaType = "java.time.Duration", description = "Longest pause a"
            + " provider can impose through Retry-After or an exhausted quota; longer values are clamped to it.")
    private long maxPause = LimiterConfig.DEFAULT_MAX_PAUSE.toMillis();

    @UriParam(label = "advanced", defaultValue = "1s", javaType = "java.time.Duration", description = "After a rate cut,"
            + " further rate-limit responses within this time, or for calls started before the cut, belong to the same"
            + " congestion event and do not cut again.")
    private long signalCooldown = LimiterConfig.DEFAULT_SIGNAL_COOLDOWN.toMillis();

    @UriParam(label = "advanced", defaultValue = "0.1", description = "Share of a provider-reported quota (rate-limit"
            + " headers) left unused when pacing by it.")
    private double quotaSafetyMargin = LimiterConfig.DEFAULT_QUOTA_SAFETY_MARGIN;

    @UriParam(defaultValue = "true", description = "Read the provider's quota headers on every response (IETF"
            + " RateLimit and RateLimit-Policy, and the RateLimit-, X-RateLimit- and X-Rate-Limit- families) and pace so the reported"
            + " remaining calls last until the reset; pause at remaining 0; lower the ceiling to a reported limit.")
    private boolean learnFromHeaders = true;

    @UriParam(label = "advanced", description = "Header name prefix of a provider's own quota headers, read before the"
            + " standard families, e.g. X-Api-RateLimit- for X-Api-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Used.")
    private String quotaHeaderPrefix;

    @UriParam(label = "advanced", defaultValue = "true", description = "camel-http's HttpClient retries a 429/503 by"
            + " itself and sleeps the calling thread for Retry-After. When true, automatic retries are disabled on the"
            + " wrapped camel-http endpoint's client so that the limiter and Camel's redelivery decide.")
    private boolean disableHttpRetries = true;

    @UriParam(label = "advanced", defaultValue = "memory", enums = "memory,redis", description = "Where the limiter's"
            + " state lives: memory (this JVM) or redis (shared by every JVM naming the limiter; needs"
            + " camel-ratelimit-redis on the classpath).")
    private String store = "memory";

    @UriParam(label = "advanced,redis", secret = true, description = "Redis URI for store=redis, e.g."
            + " redis://:password@127.0.0.1:6379/0 (rediss:// for TLS).")
    private String redisUri;

    @UriParam(label = "advanced,redis", defaultValue = "200ms", javaType = "java.time.Duration", description = "Timeout of"
            + " every Redis call; on timeout or error the redisFallback applies.")
    private long redisTimeout = 200;

    @UriParam(label = "advanced,redis", defaultValue = "camel-ratelimit", description = "Prefix of the Redis keys;"
            + " a limiter's keys are {prefix:limiter}:state and {prefix:limiter}:starts (one Cluster slot).")
    private String redisKeyPrefix = "camel-ratelimit";

    @UriParam(label = "advanced,redis", defaultValue = "1h", javaType = "java.time.Duration", description = "A limiter's"
            + " Redis keys expire after this long without use.")
    private long redisIdleExpiry = 3_600_000;

    @UriParam(label = "advanced,redis", defaultValue = "local", enums = "local,fail", description = "When Redis is down"
            + " or slow: local keeps pacing in this JVM at redisFallbackShare of the limits (logged loudly, reported"
            + " as degraded) and switches back when Redis answers; fail rejects the exchanges with STORE_FAILED.")
    private String redisFallback = "local";

    @UriParam(label = "advanced,redis", defaultValue = "0.5", description = "Share of maxRate, minRate and quota this"
            + " JVM keeps while falling back to local pacing (0 < share <= 1).")
    private double redisFallbackShare = 0.5;

    @UriParam(label = "advanced,redis", defaultValue = "1s", javaType = "java.time.Duration", description = "How often"
            + " a store that fell back checks whether Redis answers again.")
    private long redisProbeInterval = 1000;

    /** Builds the validated core config; throws naming the option, the value and the rule. */
    public LimiterConfig toLimiterConfig() {
        return LimiterConfig.builder()
                .minRate(minRate).maxRate(maxRate).recoveryScale(recoveryScale).decreaseFactor(decreaseFactor)
                .quota(quota).quotaWindow(millis("quotaWindow", quotaWindow)).maxWait(millis("maxWait", maxWait))
                .maxPending(maxPending).maxPause(millis("maxPause", maxPause))
                .signalCooldown(millis("signalCooldown", signalCooldown)).quotaSafetyMargin(quotaSafetyMargin)
                .build();
    }

    private static Duration millis(String option, long v) {
        if (v < 0) {
            throw new io.github.camelratelimit.core.InvalidLimiterConfigException(option, v + "ms", "must be >= 0");
        }
        return Duration.ofMillis(v);
    }

    public RateLimitConfiguration copy() {
        try {
            return (RateLimitConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public String getLimiter() {
        return limiter;
    }

    public void setLimiter(String limiter) {
        this.limiter = limiter;
    }

    public double getMinRate() {
        return minRate;
    }

    public void setMinRate(double minRate) {
        this.minRate = minRate;
    }

    public double getMaxRate() {
        return maxRate;
    }

    public void setMaxRate(double maxRate) {
        this.maxRate = maxRate;
    }

    public double getRecoveryScale() {
        return recoveryScale;
    }

    public void setRecoveryScale(double recoveryScale) {
        this.recoveryScale = recoveryScale;
    }

    public double getDecreaseFactor() {
        return decreaseFactor;
    }

    public void setDecreaseFactor(double decreaseFactor) {
        this.decreaseFactor = decreaseFactor;
    }

    public int getQuota() {
        return quota;
    }

    public void setQuota(int quota) {
        this.quota = quota;
    }

    public long getQuotaWindow() {
        return quotaWindow;
    }

    public void setQuotaWindow(long quotaWindow) {
        this.quotaWindow = quotaWindow;
    }

    public long getMaxWait() {
        return maxWait;
    }

    public void setMaxWait(long maxWait) {
        this.maxWait = maxWait;
    }

    public int getMaxPending() {
        return maxPending;
    }

    public void setMaxPending(int maxPending) {
        this.maxPending = maxPending;
    }

    public long getMaxPause() {
        return maxPause;
    }

    public void setMaxPause(long maxPause) {
        this.maxPause = maxPause;
    }

    public long getSignalCooldown() {
        return signalCooldown;
    }

    public void setSignalCooldown(long signalCooldown) {
        this.signalCooldown = signalCooldown;
    }

    public double getQuotaSafetyMargin() {
        return quotaSafetyMargin;
    }

    public void setQuotaSafetyMargin(double quotaSafetyMargin) {
        this.quotaSafetyMargin = quotaSafetyMargin;
    }

    public String getLimiterKey() {
        return limiterKey;
    }

    public void setLimiterKey(String limiterKey) {
        this.limiterKey = limiterKey;
    }

    public int getMaxLimiters() {
        return maxLimiters;
    }

    public void setMaxLimiters(int maxLimiters) {
        this.maxLimiters = maxLimiters;
    }

    public long getLimiterIdleTimeout() {
        return limiterIdleTimeout;
    }

    public void setLimiterIdleTimeout(long limiterIdleTimeout) {
        this.limiterIdleTimeout = limiterIdleTimeout;
    }

    public boolean isLearnFromHeaders() {
        return learnFromHeaders;
    }

    public void setLearnFromHeaders(boolean learnFromHeaders) {
        this.learnFromHeaders = learnFromHeaders;
    }

    public String getQuotaHeaderPrefix() {
        return quotaHeaderPrefix;
    }

    public void setQuotaHeaderPrefix(String quotaHeaderPrefix) {
        this.quotaHeaderPrefix = quotaHeaderPrefix;
    }

    public boolean isDisableHttpRetries() {
        return disableHttpRetries;
    }

    public void setDisableHttpRetries(boolean disableHttpRetries) {
        this.disableHttpRetries = disableHttpRetries;
    }

    public String getStore() {
        return store;
    }

    public void setStore(String store) {
        this.store = store;
    }

    /** The store options handed to a {@code LimiterStoreFactory} (durations as milliseconds). */
    public java.util.Map<String, String> storeOptions() {
        java.util.Map<String, String> o = new java.util.TreeMap<>();
        if (redisUri != null) {
            o.put("redisUri", redisUri);
        }
        o.put("redisTimeout", redisTimeout + "ms");
        o.put("redisKeyPrefix", String.valueOf(redisKeyPrefix));
        o.put("redisIdleExpiry", redisIdleExpiry + "ms");
        o.put("redisFallback", String.valueOf(redisFallback));
        o.put("redisFallbackShare", Double.toString(redisFallbackShare));
        o.put("redisProbeInterval", redisProbeInterval + "ms");
        return o;
    }

    public long getRedisTimeout() {
        return redisTimeout;
    }

    public void setRedisTimeout(long redisTimeout) {
        this.redisTimeout = redisTimeout;
    }

    public String getRedisKeyPrefix() {
        return redisKeyPrefix;
    }

    public void setRedisKeyPrefix(String redisKeyPrefix) {
        this.redisKeyPrefix = redisKeyPrefix;
    }

    public long getRedisIdleExpiry() {
        return redisIdleExpiry;
    }

    public void setRedisIdleExpiry(long redisIdleExpiry) {
        this.redisIdleExpiry = redisIdleExpiry;
    }

    public String getRedisFallback() {
        return redisFallback;
    }

    public void setRedisFallback(String redisFallback) {
        this.redisFallback = redisFallback;
    }

    public double getRedisFallbackShare() {
        return redisFallbackShare;
    }

    public void setRedisFallbackShare(double redisFallbackShare) {
        this.redisFallbackShare = redisFallbackShare;
    }

    public long getRedisProbeInterval() {
        return redisProbeInterval;
    }

    public void setRedisProbeInterval(long redisProbeInterval) {
        this.redisProbeInterval = redisProbeInterval;
    }

    public String getRedisUri() {
        return redisUri;
    }

    public void setRedisUri(String redisUri) {
        this.redisUri = redisUri;
    }
}
