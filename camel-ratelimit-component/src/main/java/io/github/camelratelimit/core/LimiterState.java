package io.github.camelratelimit.core;

/**
 * The whole decision of one limiter: adaptive pacing, strict quota and server-asked pauses. Stores keep one
 * per limiter name; {@link InMemoryLimiterStore} calls it under a lock, a shared store runs the same rules
 * atomically where the state lives.
 *
 * <pre>
 * interval     = 1e9 / rate(now)                           ({@link AdaptiveRateLimit})
 * earliest     = max(tat, pauseUntil, quota.earliest(now))  ({@link SlidingWindowQuota})
 * acquire(now) = earliest &gt; now ? wait(earliest - now)
 *                             : grant; tat = (now - tat &lt; interval ? tat : now) + interval
 * throttled    : pauseUntil = max(pauseUntil, now + min(retryAfter, maxPause));
 *                a throttle for a call granted before the last cut is ignored (that event is answered);
 *                arm   (no event open, or it opened more than 5 s ago): open an event at now, remember the
 *                      grant and throttle counters; the scale doubles; the rate is not cut
 *                cut   (an event is open, the call was granted after it opened, it opened at least 100 ms
 *                      ago and signalCooldown has passed since the last cut):
 *                      E = (grants - throttles since the event opened) / (now - opened)   (accepted/s)
 *                      cut with E ({@link AdaptiveRateLimit#cut(long, double)}); close the event
 * provider quota (any response, m = quotaSafetyMargin):
 *                remaining = 0, reset known   : pauseUntil = max(pauseUntil, now + min(reset, maxPause))
 *                remaining &gt; 0, reset known : ceiling = remaining * (1 - m) / reset, until now + reset
 *                                              (tat is capped at that reset: the slow pacing ends with it)
 *                limit and window known      : limitRate = limit * (1 - m) / window (until the next report)
 * rate(now)    = min(adaptive(now), ceiling while valid, limitRate)
 * </pre>
 *
 * One congestion event cuts once, confirmed by a second throttle: a lone 429 (a burst of another client, a
 * provider hiccup) is waited out (its Retry-After pauses every permit) but does not lower the rate. Between the two
 * throttles the provider's bucket was empty at the first one, so what it accepted since then is its capacity,
 * Retry-After pause included: the cut lands just under the capacity instead of a blind fraction of the rate.
 *
 * A provider-reported quota may pace below {@code minRate}: it is the provider's own statement of what is
 * left, and exceeding it only earns 429s. The floor applies to the adaptive cuts.
 *
 * {@code tat} (theoretical arrival time, as in GCRA) keeps a grid of one interval: a caller woken a little
 * late (less than one interval) stays on the grid, so scheduler latency does not lower the achieved rate; the
 * price is that any window of length W may hold {@code ceil(rate * W) + 1} starts. The quota, when set, is
 * exact. Times are nanoseconds of one clock. Not thread-safe.
 */
public final class LimiterState {

    private final LimiterConfig config;
    private final AdaptiveRateLimit rateLimit;
    private final SlidingWindowQuota quota;
    private long tat = Long.MIN_VALUE;
    private long pauseUntil = Long.MIN_VALUE;
    private long lastCutAt = Long.MIN_VALUE;
    private long granted;
    private long throttled;
    private double ceiling = Double.POSITIVE_INFINITY;
    private long ceilingUntil = Long.MIN_VALUE;
    private double limitRate = Double.POSITIVE_INFINITY;
    private long armedAt = Long.MIN_VALUE;
    private long grantedAtArm;
    private long throttledAtArm;

    /** How long a lone throttle waits for a second one to make a congestion event of it: 5 s. */
    public static final long ARM_TTL_NANOS = 5_000_000_000L;
    /** The shortest measurement of the accepted rate between the two throttles of an event: 100 ms. */
    public static final long MIN_MEASURE_NANOS = 100_000_000L;

    public LimiterState(LimiterConfig config) {
        this.config = config;
        this.rateLimit = new AdaptiveRateLimit(config);
        this.quota = config.hasQuota() ? new SlidingWindowQuota(config.quota(), config.quotaWindow().toNanos()) : null;
    }

    /** Takes a permit at {@code now} or says how long to wait for one. */
    public Acquisition tryAcquire(long now) {
        double rate = rate(now);
        long interval = intervalNanos(rate);
        long earliest = tat;
        Acquisition.WaitReason reason = Acquisition.WaitReason.PACING;
        if (pauseUntil > earliest) {
            earliest = pauseUntil;
            reason = Acquisition.WaitReason.PAUSED;
        }
        if (quota != null) {
            long q = quota.earliest(now);
            if (q > earliest) {
                earliest = q;
                reason = Acquisition.WaitReason.QUOTA;
            }
        }
        if (earliest > now) {
            return Acquisition.wait(earliest - now, interval, reason);
        }
        tat = (tat != Long.MIN_VALUE && now - tat < interval ? tat : now) + interval;
        if (now < ceilingUntil && tat > ceilingUntil) {
            tat = ceilingUntil; // a provider's window resets then: its slow pacing ends with it
        }
        if (quota != null) {
            quota.record(now);
        }
        granted++;
        return Acquisition.granted(now, interval);
    }

    /**
     * Applies a response's feedback at {@code now}.
     *
     * @return {@code true} when it cut the rate
     */
    public boolean record(Feedback feedback, long now) {
        if (feedback.providerQuota() != null) {
            applyProviderQuota(feedback.providerQuota(), now);
        }
        if (feedback.outcome() != Feedback.Outcome.THROTTLED) {
            return false;
        }
        throttled++;
        if (feedback.retryAfterNanos() >= 0) {
            pauseUntil(now, feedback.retryAfterNanos());
        }
        if (lastCutAt != Long.MIN_VALUE && feedback.grantedAt() < lastCutAt) {
            return false; // sent before the last cut: that event is already answered
        }
        if (armedAt != Long.MIN_VALUE && now - armedAt > ARM_TTL_NANOS) {
            armedAt = Long.MIN_VALUE; // a lone throttle long ago: not part of this event
        }
        if (armedAt == Long.MIN_VALUE) {
            armedAt = now;
            grantedAtArm = granted;
            throttledAtArm = throttled;
            rateLimit.signal();
            return false;
        }
        if (feedback.grantedAt() < armedAt || now - armedAt < MIN_MEASURE_NANOS
                || (lastCutAt != Long.MIN_VALUE && now - lastCutAt < config.signalCooldown().toNanos())) {
            return false;
        }
        double accepted = (granted - grantedAtArm) - (throttled - throttledAtArm);
        rateLimit.cut(now, accepted / ((now - armedAt) / 1e9));
        armedAt = Long.MIN_VALUE;
        lastCutAt = now;
        return true;
    }

    /** Holds every permit back until {@code now + min(delayNanos, maxPause)} (never shortens a pause). */
    public void pauseUntil(long now, long delayNanos) {
        long d = Math.min(Math.max(0L, delayNanos), config.maxPause().toNanos());
        pauseUntil = Math.max(pauseUntil, now + d);
    }

    /** Applies what the provider's headers said; malformed reports are filtered by the parser. */
    public void applyProviderQuota(ProviderQuota q, long now) {
        double keep = 1 - config.quotaSafetyMargin();
        if (q.remaining() == 0 && q.resetNanos() > 0) {
            pauseUntil(now, q.resetNanos());
        } else if (q.remaining() > 0 && q.resetNanos() > 0) {
            ceiling = q.remaining() * keep / (q.resetNanos() / 1e9);
            ceilingUntil = saturatedAdd(now, q.resetNanos());
        }
        if (q.limit() > 0 && q.windowNanos() > 0) {
            limitRate = q.limit() * keep / (q.windowNanos() / 1e9);
        }
    }

    /** The permitted rate at {@code now}, permits/s. */
    public double rate(long now) {
        double r = rateLimit.rate(now);
        if (now < ceilingUntil && ceiling < r) {
            r = ceiling;
        }
        return Math.min(r, limitRate);
    }

    /** The provider-reported ceiling in force at {@code now} (permits/s), or +Infinity when none. */
    public double providerCeiling(long now) {
        return Math.min(now < ceilingUntil ? ceiling : Double.POSITIVE_INFINITY, limitRate);
    }

    public LimiterSnapshot snapshot(long now) {
        return new LimiterSnapshot(rate(now), config.minRate(), config.maxRate(),
                pauseUntil > now ? pauseUntil - now : 0L, rateLimit.cuts(), rateLimit.scale(), granted, throttled,
                quota == null ? -1 : quota.used(now));
    }

    /** Forgets cuts and pauses (not the quota's memory of starts: a reset must never allow an overage). */
    public void reset() {
        rateLimit.reset();
        pauseUntil = Long.MIN_VALUE;
        ceiling = Double.POSITIVE_INFINITY;
        ceilingUntil = Long.MIN_VALUE;
        limitRate = Double.POSITIVE_INFINITY;
        lastCutAt = Long.MIN_VALUE;
        armedAt = Long.MIN_VALUE;
    }

    public LimiterConfig config() {
        return config;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Pacing interval for {@code rate} permits/s: {@code round(1e9 / rate)}, within [1 ns, 1 day]. */
    public static long intervalNanos(double rate) {
        return Math.max(1L, Math.min(86_400_000_000_000L, Math.round(1e9 / rate)));
    }
}
