package io.github.camelratelimit.springboot;

import java.time.Duration;

import io.github.camelratelimit.core.Backoff;
import io.github.camelratelimit.retry.RetryAfterRedelivery;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the Retry-After error handler bean {@code retryAfter} ({@link RetryAfterRedelivery}) that the starter
 * registers, as Spring properties {@code camel.ratelimit.retry-after.*}, e.g.
 * {@code camel.ratelimit.retry-after.max-attempts=3}. The initial values are the bean's own defaults, repeated for IDE
 * completion (a test checks that they agree); an option set to {@code null} is not applied. Durations take
 * Spring's forms ({@code 500ms}, {@code 2m}). Not thread-safe: Spring binds it once at start-up.
 */
@ConfigurationProperties(prefix = RetryAfterProperties.PREFIX)
public class RetryAfterProperties {

    /** The prefix of these properties. */
    public static final String PREFIX = "camel.ratelimit.retry-after";

    /**
     * Whether to register the Retry-After error handler as the bean "retryAfter" (unless the application has a
     * bean of that name). Default true.
     */
    private Boolean enabled;

    /**
     * Calls in total, the first one included (1 = never retry); 1 to 1000.
     */
    private Integer maxAttempts = 5;

    /**
     * No retry is scheduled to start later than this after the exchange's first failure.
     */
    private Duration retryDeadline = Duration.ofMinutes(10);

    /**
     * Longest server-asked wait (Retry-After) that is honoured; at most 1 day.
     */
    private Duration maxRetryAfter = Duration.ofMinutes(5);

    /**
     * What a longer Retry-After does: false ends the retries at once with a RetryExhaustedException naming
     * the wait; true waits max-retry-after and retries.
     */
    private Boolean clampRetryAfter = false;

    /**
     * Also retry 5xx other than 503, and I/O errors, for POST and PATCH (the server may have processed the
     * request).
     */
    private Boolean retryNonIdempotent = false;

    /**
     * Wait before the first retry when the server names none (capped exponential backoff).
     */
    private Duration backoffBaseDelay = Duration.ofMillis(500);

    /**
     * Growth of the backoff from one retry to the next.
     */
    private Double backoffMultiplier = 2.0;

    /**
     * Cap of the backoff.
     */
    private Duration backoffMaxDelay = Duration.ofSeconds(30);

    /**
     * Jitter of the backoff: FULL, EQUAL, DECORRELATED or NONE.
     */
    private Backoff.Jitter backoffJitter = Backoff.Jitter.FULL;

    /**
     * Extra added to a server's Retry-After wait, as a random share of it up to this value (0.1 = up to 10 %).
     */
    private Double retryAfterJitter = 0.1;

    /**
     * Refuse retries when most calls to an API fail (one retry budget per API).
     */
    private Boolean retryBudgetEnabled = true;

    /**
     * Tokens of an API's retry budget.
     */
    private Integer retryBudgetCapacity = 500;

    /**
     * Tokens a retry after a throttled response (429, 503) takes.
     */
    private Integer retryBudgetThrottleCost = 5;

    /**
     * Tokens a retry after any other failure takes.
     */
    private Integer retryBudgetRetryCost = 10;

    /**
     * Tokens each successful call to the API gives back.
     */
    private Integer retryBudgetSuccessRefill = 1;

    /** Sets every option that is not {@code null} on the bean (validated when the bean is first used). */
    public void applyTo(RetryAfterRedelivery bean) {
        if (maxAttempts != null) {
            bean.setMaxAttempts(maxAttempts);
        }
        if (retryDeadline != null) {
            bean.setRetryDeadline(retryDeadline);
        }
        if (maxRetryAfter != null) {
            bean.setMaxRetryAfter(maxRetryAfter);
        }
        if (clampRetryAfter != null) {
            bean.setClampRetryAfter(clampRetryAfter);
        }
        if (retryNonIdempotent != null) {
            bean.setRetryNonIdempotent(retryNonIdempotent);
        }
        if (backoffBaseDelay != null) {
            bean.setBackoffBaseDelay(backoffBaseDelay);
        }
        if (backoffMultiplier != null) {
            bean.setBackoffMultiplier(backoffMultiplier);
        }
        if (backoffMaxDelay != null) {
            bean.setBackoffMaxDelay(backoffMaxDelay);
        }
        if (backoffJitter != null) {
            bean.setBackoffJitter(backoffJitter);
        }
        if (retryAfterJitter != null) {
            bean.setRetryAfterJitter(retryAfterJitter);
        }
        if (retryBudgetEnabled != null) {
            bean.setRetryBudgetEnabled(retryBudgetEnabled);
        }
        if (retryBudgetCapacity != null) {
            bean.setRetryBudgetCapacity(retryBudgetCapacity);
        }
        if (retryBudgetThrottleCost != null) {
            bean.setRetryBudgetThrottleCost(retryBudgetThrottleCost);
        }
        if (retryBudgetRetryCost != null) {
            bean.setRetryBudgetRetryCost(retryBudgetRetryCost);
        }
        if (retryBudgetSuccessRefill != null) {
            bean.setRetryBudgetSuccessRefill(retryBudgetSuccessRefill);
        }
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getRetryDeadline() {
        return retryDeadline;
    }

    public void setRetryDeadline(Duration retryDeadline) {
        this.retryDeadline = retryDeadline;
    }

    public Duration getMaxRetryAfter() {
        return maxRetryAfter;
    }

    public void setMaxRetryAfter(Duration maxRetryAfter) {
        this.maxRetryAfter = maxRetryAfter;
    }

    public Boolean getClampRetryAfter() {
        return clampRetryAfter;
    }

    public void setClampRetryAfter(Boolean clampRetryAfter) {
        this.clampRetryAfter = clampRetryAfter;
    }

    public Boolean getRetryNonIdempotent() {
        return retryNonIdempotent;
    }

    public void setRetryNonIdempotent(Boolean retryNonIdempotent) {
        this.retryNonIdempotent = retryNonIdempotent;
    }

    public Duration getBackoffBaseDelay() {
        return backoffBaseDelay;
    }

    public void setBackoffBaseDelay(Duration backoffBaseDelay) {
        this.backoffBaseDelay = backoffBaseDelay;
    }

    public Double getBackoffMultiplier() {
        return backoffMultiplier;
    }

    public void setBackoffMultiplier(Double backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public Duration getBackoffMaxDelay() {
        return backoffMaxDelay;
    }

    public void setBackoffMaxDelay(Duration backoffMaxDelay) {
        this.backoffMaxDelay = backoffMaxDelay;
    }

    public Backoff.Jitter getBackoffJitter() {
        return backoffJitter;
    }

    public void setBackoffJitter(Backoff.Jitter backoffJitter) {
        this.backoffJitter = backoffJitter;
    }

    public Double getRetryAfterJitter() {
        return retryAfterJitter;
    }

    public void setRetryAfterJitter(Double retryAfterJitter) {
        this.retryAfterJitter = retryAfterJitter;
    }

    public Boolean getRetryBudgetEnabled() {
        return retryBudgetEnabled;
    }

    public void setRetryBudgetEnabled(Boolean retryBudgetEnabled) {
        this.retryBudgetEnabled = retryBudgetEnabled;
    }

    public Integer getRetryBudgetCapacity() {
        return retryBudgetCapacity;
    }

    public void setRetryBudgetCapacity(Integer retryBudgetCapacity) {
        this.retryBudgetCapacity = retryBudgetCapacity;
    }

    public Integer getRetryBudgetThrottleCost() {
        return retryBudgetThrottleCost;
    }

    public void setRetryBudgetThrottleCost(Integer retryBudgetThrottleCost) {
        this.retryBudgetThrottleCost = retryBudgetThrottleCost;
    }

    public Integer getRetryBudgetRetryCost() {
        return retryBudgetRetryCost;
    }

    public void setRetryBudgetRetryCost(Integer retryBudgetRetryCost) {
        this.retryBudgetRetryCost = retryBudgetRetryCost;
    }

    public Integer getRetryBudgetSuccessRefill() {
        return retryBudgetSuccessRefill;
    }

    public void setRetryBudgetSuccessRefill(Integer retryBudgetSuccessRefill) {
        this.retryBudgetSuccessRefill = retryBudgetSuccessRefill;
    }
}
