package io.github.camelratelimit.observe;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.ProviderQuota;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.Endpoint;

/**
 * What the observability layer knows about one limiter: its counters, its latest figures and the state
 * machine that turns successive snapshots into events.
 *
 * <pre>
 * observe(snapshot s, now):
 *   paused   : s.pauseRemaining &gt; 0 and not paused before  -&gt; pausedSince = now,  limiter_paused
 *              s.pauseRemaining = 0 and paused before      -&gt; limiter_resumed (pausedMs = now - pausedSince)
 *   cut      : s.cuts &gt; cuts seen                           -&gt; rate_decreased (old = last rate seen, new = s.rate),
 *              recovery target = old
 *   recovered: target set and s.rate &gt;= target (or maxRate) -&gt; rate_recovered (old = rate after the cut, new = s.rate)
 *   floor    : s.rate &lt;= minRate                           -&gt; floorSince = now (kept while at the floor)
 * health(now, downAfter): DOWN when now - pausedSince &gt; downAfter or now - floorSince &gt; downAfter
 * </pre>
 *
 * Snapshots come from the store: {@link #snapshot()} answers at once from a store that completes at once (the
 * in-memory store), else with the last figures seen while the store's answer is on its way. Times are the
 * component clock's nanoseconds. Thread-safe: counters are adders, the state machine is guarded by this object.
 */
public final class LimiterWatch {

    /** Most recent throttled responses kept for the dev console. */
    static final int RECENT_THROTTLES = 20;

    /** One throttled response, for the dev console. */
    public record Throttle(long wallMillis, int status, long retryAfterMillis, long pauseMillis, boolean rateCut) {
    }

    private final String name;
    private final Clock clock;
    private final RateLimitEvents events;
    private volatile RateLimiter limiter;

    // counters kept without Micrometer too (console, JMX); grants are the limiters' own counts (no second
    // counter on the grant path): the running limiter's plus those of the objects a reconfigure replaced
    private final List<RateLimiter> retired = new CopyOnWriteArrayList<>();
    private final Map<RateLimitExceededException.Reason, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> throttled = new ConcurrentSkipListMap<>();
    private final LongAdder retriesScheduled = new LongAdder();
    private final LongAdder retriesExhausted = new LongAdder();
    private final LongAdder cutsObserved = new LongAdder();
    private volatile String lastWaitReason = "pacing";
    private final ArrayDeque<Throttle> recent = new ArrayDeque<>();
    private final List<Endpoint> delegates = new CopyOnWriteArrayList<>();
    private volatile IntSupplier retryBudget;
    private volatile ProviderQuota providerQuota;

    // pacing log throttle
    private final AtomicLong nextPacingLogAt = new AtomicLong(Long.MIN_VALUE);
    private final LongAdder pacingSuppressed = new LongAdder();

    // latest figures and the state machine (guarded by this)
    private volatile LimiterSnapshot last;
    private long pausedSince = Long.MIN_VALUE;
    private long floorSince = Long.MIN_VALUE;
    private long cutsSeen = -1;
    private double lastRate = Double.NaN;
    private double recoverTarget = Double.NaN;
    private double recoverFrom = Double.NaN;
    private long recoverCutAt;

    LimiterWatch(RateLimiter limiter, Clock clock, RateLimitEvents events) {
        this.name = limiter.name();
        this.limiter = limiter;
        this.clock = clock;
        this.events = events;
        LimiterConfig c = limiter.config();
        this.last = new LimiterSnapshot(c.maxRate(), c.minRate(), c.maxRate(), 0L, 0L, c.initialScale(), 0L, 0L,
                c.hasQuota() ? 0 : -1);
    }

    public String name() {
        return name;
    }

    /** The running limiter (a reconfigure replaces it). */
    public RateLimiter limiter() {
        return limiter;
    }

    void replace(RateLimiter newLimiter) {
        RateLimiter old = this.limiter;
        if (old != newLimiter) {
            retired.add(old);
        }
        this.limiter = newLimiter;
        synchronized (this) {
            cutsSeen = -1; // a new config starts the store's state afresh: resynchronise
            recoverTarget = Double.NaN;
        }
    }

    public LimiterConfig config() {
        return limiter.config();
    }

    // ---- figures ----

    /**
     * The limiter's figures now: asked of the store, answered at once when the store completes at once, else the
     * last figures seen (refreshed when the store answers). Never blocks, never throws.
     */
    public LimiterSnapshot snapshot() {
        RateLimiter l = limiter;
        try {
            CompletableFuture<LimiterSnapshot> f = l.store().snapshot(name, l.config()).toCompletableFuture();
            if (f.isDone() && !f.isCompletedExceptionally()) {
                LimiterSnapshot s = f.join();
                last = s;
                return s;
            }
            f.whenComplete((s, ex) -> {
                if (s != null) {
                    last = s;
                }
            });
        } catch (RuntimeException e) {
            // the store could not answer: keep the last figures
        }
        return last;
    }

    /** The last figures seen, without asking the store. */
    public LimiterSnapshot lastSnapshot() {
        return last;
    }

    /** Takes a snapshot and runs the state machine on it; returns the snapshot. */
    public LimiterSnapshot sample() {
        LimiterSnapshot s = snapshot();
        observe(s, clock.nanoTime());
        return s;
    }

    public int pending() {
        return limiter.pending();
    }

    /** Permits granted since the limiter started, across reconfigures (each limiter object counts its own). */
    public long granted() {
        long n = limiter.granted();
        for (RateLimiter r : retired) {
            n += r.granted();
        }
        return n;
    }

    public long rejected() {
        long n = 0;
        for (LongAdder a : rejected.values()) {
            n += a.sum();
        }
        return n;
    }

    public long rejected(RateLimitExceededException.Reason reason) {
        LongAdder a = rejected.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** Throttled responses by HTTP status. */
    public Map<Integer, Long> throttledByStatus() {
        Map<Integer, Long> m = new java.util.TreeMap<>();
        throttled.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public long throttled() {
        long n = 0;
        for (LongAdder a : throttled.values()) {
            n += a.sum();
        }
        return n;
    }

    /** Rate cuts seen since the limiter started (monotonic: survives resets and reconfigures). */
    public long cutsObserved() {
        return cutsObserved.sum();
    }

    /** Why the last caller that had to queue waited: pacing, quota or paused. */
    public String lastWaitReason() {
        return lastWaitReason;
    }

    void lastWaitReason(String reason) {
        this.lastWaitReason = reason;
    }

    public long retriesScheduled() {
        return retriesScheduled.sum();
    }

    public long retriesExhausted() {
        return retriesExhausted.sum();
    }

    /** Tokens left in the retry budget registered for this limiter, or -1 when none is registered. */
    public int retryBudgetLeft() {
        IntSupplier b = retryBudget;
        if (b == null) {
            return -1;
        }
        try {
            return b.getAsInt();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The provider's last quota report, or {@code null} when it never sent one. */
    public ProviderQuota providerQuota() {
        return providerQuota;
    }

    /** The most recent throttled responses, oldest first. */
    public synchronized List<Throttle> recentThrottles() {
        return new ArrayList<>(recent);
    }

    /** Wrapped endpoints of this limiter (for connection pool figures). */
    List<Endpoint> delegates() {
        return delegates;
    }

    /** Nanoseconds the limiter has been paused, or 0 when it is not. */
    public synchronized long pausedForNanos(long now) {
        return pausedSince == Long.MIN_VALUE ? 0L : Math.max(0L, now - pausedSince);
    }

    /** Nanoseconds the rate has been at its floor (minRate or below), or 0 when it is above. */
    public synchronized long atFloorForNanos(long now) {
        return floorSince == Long.MIN_VALUE ? 0L : Math.max(0L, now - floorSince);
    }

    // ---- recording (called by the observer) ----

    void addDelegate(Endpoint e) {
        if (e != null && !delegates.contains(e)) {
            delegates.add(e);
        }
    }

    void onRejected(RateLimitExceededException.Reason reason) {
        rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void onThrottled(int status, long retryAfterNanos, long pauseNanos, boolean cut) {
        throttled.computeIfAbsent(status, s -> new LongAdder()).increment();
        Throttle t = new Throttle(clock.wallMillis(), status,
                retryAfterNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(retryAfterNanos),
                TimeUnit.NANOSECONDS.toMillis(pauseNanos), cut);
        synchronized (this) {
            if (recent.size() == RECENT_THROTTLES) {
                recent.removeFirst();
            }
            recent.addLast(t);
        }
    }

    void onProviderQuota(ProviderQuota q) {
        if (q != null && !q.isEmpty()) {
            providerQuota = q;
        }
    }

    void onRetryScheduled() {
        retriesScheduled.increment();
    }

    void onRetryExhausted() {
        retriesExhausted.increment();
    }

    void retryBudget(IntSupplier tokensLeft) {
        this.retryBudget = tokensLeft;
    }

    /**
     * Pacing log throttle: true for the first call in each {@code interval}; other calls are counted as
     * suppressed. {@link #takeSuppressed()} returns and clears that count.
     */
    boolean pacingLogDue(long now, long intervalNanos) {
        long next = nextPacingLogAt.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextPacingLogAt.compareAndSet(next, now + intervalNanos)) {
            return true;
        }
        pacingSuppressed.increment();
        return false;
    }

    long takeSuppressed() {
        return pacingSuppressed.sumThenReset();
    }

    // ---- the state machine ----

    /** Runs the state machine on a snapshot taken at {@code now}; logs the transitions it sees. */
    public void observe(LimiterSnapshot s, long now) {
        String event = null;
        double oldRate = 0;
        double newRate = s.rate();
        long took = 0;
        boolean paused = false;
        boolean resumed = false;
        long pausedFor = 0;
        boolean recovered = false;
        double recoveredFrom = 0;
        synchronized (this) {
            last = s;
            if (s.pauseRemainingNanos() > 0) {
                if (pausedSince == Long.MIN_VALUE) {
                    pausedSince = now;
                    paused = true;
                }
            } else if (pausedSince != Long.MIN_VALUE) {
                pausedFor = now - pausedSince;
                pausedSince = Long.MIN_VALUE;
                resumed = true;
            }
            if (s.cuts() < cutsSeen) {
                recoverTarget = Double.NaN; // reset or reconfigure: nothing to recover from
            }
            if (cutsSeen >= 0 && s.cuts() > cutsSeen) {
                cutsObserved.add(s.cuts() - cutsSeen);
                event = "rate_decreased";
                oldRate = Double.isNaN(lastRate) ? s.rate() : lastRate;
                recoverTarget = oldRate;
                recoverFrom = s.rate();
                recoverCutAt = now;
            } else if (!Double.isNaN(recoverTarget)
                    && (s.rate() >= recoverTarget * (1 - 1e-9) || s.rate() >= s.maxRate() * (1 - 1e-9))) {
                recovered = true;
                recoveredFrom = recoverFrom;
                took = now - recoverCutAt;
                recoverTarget = Double.NaN;
            }
            cutsSeen = s.cuts();
            lastRate = s.rate();
            boolean atFloor = s.rate() <= s.minRate() * (1 + 1e-9);
            if (atFloor) {
                if (floorSince == Long.MIN_VALUE) {
                    floorSince = now;
                }
            } else {
                floorSince = Long.MIN_VALUE;
            }
        }
        if (paused) {
            events.limiterPaused(name, s.pauseRemainingNanos());
        }
        if (event != null) {
            events.rateDecreased(name, oldRate, newRate, s.cuts(), newRate <= s.minRate() * (1 + 1e-9));
        }
        if (recovered) {
            events.rateRecovered(name, recoveredFrom, newRate, took);
        }
        if (resumed) {
            events.limiterResumed(name, pausedFor);
        }
    }

    /** This limiter's health at {@code now}. */
    public synchronized Health health(long now, Duration downAfter) {
        long paused = pausedForNanos(now);
        long floor = atFloorForNanos(now);
        long limit = downAfter.toNanos();
        String state;
        boolean down = false;
        if (pausedSince != Long.MIN_VALUE) {
            state = "paused";
            down = paused > limit;
        } else if (floorSince != Long.MIN_VALUE) {
            state = "floor";
            down = floor > limit;
        } else {
            state = "ok";
        }
        return new Health(name, state, down, TimeUnit.NANOSECONDS.toMillis(paused), TimeUnit.NANOSECONDS.toMillis(floor));
    }

    /**
     * One limiter's health.
     *
     * @param state       {@code ok}, {@code paused} or {@code floor}
     * @param down        paused, or at the floor, for longer than the threshold
     * @param pausedMs    how long it has been paused (0 when not)
     * @param atFloorMs   how long its rate has been at minRate (0 when above)
     */
    public record Health(String limiter, String state, boolean down, long pausedMs, long atFloorMs) {
    }
}
