package io.github.camelratelimit.core;

/**
 * The whole decision of one limiter: adaptive pacing, strict quota and server-asked pauses. Stores keep one
 * per limiter name; {@link InMemoryLimiterStore} calls it under a lock, a shared store runs the same rules
 * atomically where the state lives.
 *
 * <pre>
 * interval     = 1e9 / rate(now)                           ({@link AdaptiveRateLimit})
 * earliest     = max(tat, window(now), pauseUntil, quota.earliest(now))  ({@link SlidingWindowQuota})
 * acquire(now) = earliest &gt; now ? wait(earliest - now)
 *                             : grant; tat = (now - tat &lt; interval ? tat : now) + interval
 * window guard : (n, W) = rate &gt;= 1/s ? (ceil(rate * 1 s - 1e-9), 1 s) : (1, interval)
 *                W'     = W + W / 1000                               (the dispatch guard, 1 ms per second)
 *                late starts: a call that started d after its grant ({@link #started}) lengthens every window
 *                by min(max(0, d - its guard), window / 20) for W' after that start (the quota's too), so
 *                later grants keep their distance from the start, not from the grant (above the guard's memory,
 *                where it looks back k = 65,536 of n grants over k / n of W', by k / n of that)
 *                window(now) = (n-th most recent grant) + W'         (none while fewer than n grants)
 *                rate changes: (n, W) is the looser (larger n, then shorter W) of rate(now)'s and the held
 *                limit; a grant holds its own limit for W' after it unless a looser one is held. So a
 *                lower rate paces at once through tat, and its n counts from W' after the last grant
 *                made under the higher limit (a cut never turns into a pause); a higher rate counts at once
 * throttled    : pauseUntil = max(pauseUntil, now + min(retryAfter, maxPause));
 *                a throttle for a call granted before the last cut is ignored (that event is answered);
 *                every other one is heard by the recovery first ({@link AdaptiveRateLimit#throttled}: whether
 *                it had Retry-After; before P * Wmax it keeps the recovery off the fast probe, during the fast
 *                probe it slows it), then:
 *                paused probe (no event open, the throttle has Retry-After, signalCooldown has passed since the
 *                      last cut, and the call was granted while rate(grantedAt) was in (Wmax, 1.5 * Wmax), Wmax
 *                      measured or not):
 *                      A' = (grants - throttles since the last cut) / (time since the last cut, pauses left out)
 *                      if that time is at least 100 ms and 0 &lt; A' &lt; 1.25 * Wmax: cut at once with
 *                      E = A' &lt; 0.9 * Wmax ? A' : max(Wmax, A'); no event opens (else the rules below)
 *                probe (no event open, the last cut's Wmax is a measured E not raised by the floor below, the
 *                      call was granted while rate(grantedAt) was in (Wmax, 1.5 * Wmax), and signalCooldown has
 *                      passed since the last cut): cut at once with E = Wmax (back to 0.9 * Wmax); the scale
 *                      doubles once; no event opens
 *                overshoot (no event open, no pause since the last cut (this throttle's Retry-After included),
 *                      Wmax measured as for probe, the call was granted while rate(grantedAt) &gt;= 1.5 * Wmax,
 *                      signalCooldown has passed since the last cut, and that cut was not an overshoot's):
 *                      A = (grants - throttles since the last cut) / (now - last cut)          (accepted/s)
 *                      if A &lt; 1.25 * Wmax: cut at once with E = max(Wmax, A); no event opens
 *                arm   (no event open, or it opened more than 5 s ago): open an event at now, remember the
 *                      grant and throttle counters; the scale doubles; the rate is not cut
 *                cut   (an event is open, the call was granted after it opened, it opened at least 100 ms
 *                      ago, signalCooldown has passed since the last cut, and, unless a pause was in force
 *                      since it opened, it has seen 8 calls accepted (grants - throttles since it opened), 16
 *                      throttles or 1 s):
 *                      E = (grants - throttles since the event opened) / (now - opened)   (accepted/s)
 *                      if a pause was in force since the event opened: E = max(E, decreaseFactor^3 * rate / 0.9)
 *                      cut with E ({@link AdaptiveRateLimit#cut(long, double)}); close the event
 *                every cut paces from the last grant at once: tat = max(tat, last grant + interval(rate(now)))
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
 * Retry-After pause included: the cut lands just under the capacity instead of a blind fraction of the rate. A
 * provider whose bucket is smaller than what a pause would refill loses capacity during the pause, which makes that
 * measure read low (a quarter of the capacity with a 5-call bucket at 25/s and {@code Retry-After: 1}); so when a
 * pause fell inside it the cut is never deeper than three blind cuts ({@code decreaseFactor^3}, 0.34).
 * The bucket holds a fraction of a token at either throttle, so the count is off by up to one call at each end:
 * after a drop from 50/s to 20/s the first 100 ms saw 2 calls accepted, which read anywhere from 10/s to 30/s,
 * and a capacity read 16/s held the rate under the real one for 10 s. Without a pause the event therefore waits
 * for 8 accepted calls (bounded by 16 throttles and 1 s, the cost of keeping the old rate meanwhile).
 *
 * <p>Once a cut has measured the capacity, the recovery holds a plateau at it and then probes above it. A throttle
 * for a call the probe sent (above Wmax, by less than half) is the probe meeting that capacity again: it cuts at
 * once, back to 0.9 Wmax, instead of opening an event that needs a second 429 (without {@code Retry-After} the
 * second came 0.1 s after the first, so every probe cost two 429s). A call sent at 1.5 Wmax or more without a
 * throttle until then means the capacity has risen, and a call sent on the plateau (at or under Wmax) that is
 * throttled means it has fallen: both open an event that measures it anew.
 *
 * <p>Unless the provider's bucket refilled instead. A plateau a little under the capacity refills it, and the
 * probe then drains that reserve before its first 429, well above 1.5 Wmax (3 to 4 Wmax with a 50-call bucket at
 * 20/s), where an event would keep that rate for its 100 ms and cost several 429s. The bucket was empty at the
 * last cut and again at this 429, so what it accepted in between, A, is the capacity when the bucket never
 * filled up meanwhile, and less when it did: a lower bound. A under 1.25 Wmax says the capacity has not risen
 * much: the overshoot cuts at once, to 0.9 max(Wmax, A), with one 429. A second overshoot in a row opens the
 * event after all, so that a capacity risen by less than a quarter behind a small bucket (whose A reads low)
 * is still measured, one recovery later. A pause since the last cut ({@code Retry-After}, a provider's reset)
 * makes A read low: then the event opens as before.
 * Every cut also paces at once from the last grant: the call the old pacing had lined up would meet the same
 * empty bucket.
 *
 * <p>With {@code Retry-After} every throttle pauses the whole limiter, so the event's second 429 costs a second
 * pause, and the recovery kept climbing during the first: it came at once after it, from a bucket the pause had
 * refilled. A probe's first throttle with {@code Retry-After} (sent above Wmax, by less than half) therefore cuts
 * at once, whether or not Wmax was measured (a floored cut's Wmax was not), with A' the accepted rate since the
 * last cut per second not paused (pauses accepted nothing, so counting them would read low): to 0.9 A' when A' is
 * under 0.9 Wmax (the plateau ran above the capacity, a Wmax a floor or an old capacity set too high), else to
 * 0.9 max(Wmax, A'). A' of 1.25 Wmax or more (the capacity has risen), or none accepted, leaves the throttle to the
 * rules before this one (the probe cut when Wmax was measured, else an event). On the demo's
 * provider (25/s, a 5-call bucket, {@code Retry-After: 1}) this took the model from 0.65 to 0.81 of the capacity.
 *
 * A provider-reported quota may pace below {@code minRate}: it is the provider's own statement of what is
 * left, and exceeding it only earns 429s. The floor applies to the adaptive cuts.
 *
 * {@code tat} (theoretical arrival time, as in GCRA) keeps a grid of one interval: a caller woken a little
 * late (less than one interval) stays on the grid, so scheduler latency does not lower the achieved rate. On
 * its own the grid lets a late grant and the on-grid grants after it (or an arrival after an idle gap and the
 * grid) put {@code ceil(rate * W) + 1} grants into some window W. The window guard removes that: whatever the
 * grid allows, no half-open window of W' holds more than n grants (so no window of 1 s holds more than the
 * rate, rounded up, for rates of 1/s and more; slower rates keep at least 1.001 intervals between grants).
 * Late wake-ups are still made up, up to that limit; where the limit binds (saturated at a whole rate) a late
 * wake-up delays only the grants one window later, so it costs its lateness once per window (50 us late on
 * every wake-up costs 0.005 % of the rate), where the grid alone lost every wake-up later than one interval.
 *
 * <p>W' is W plus 1/1000 of it, and the strict quota's window is lengthened the same way
 * ({@link SlidingWindowQuota#guardNanos(long)}): the call a grant admits starts a little later on a worker
 * thread, and this dispatch delay varies. Starts spaced like their grants, give or take up to W/1000, stay
 * within the limit in every window of the nominal length W. It costs at most 0.1 % of the rate (n / W' is below
 * the rate only at and just under whole rates, and below 1/s).
 *
 * <p>The guard remembers grant times in a ring that grows with the grants made in the last 1.051 s (plus the
 * latest one), up to 65,536 of them. Above that (rates over about 65,000/s) it is approximate: the 65,536 most
 * recent grants must span at least {@code W' * 65,536 / n}, which bounds the average rate but not every window.
 * Times are nanoseconds of one clock. Not thread-safe (the owner serialises every call), except
 * {@link #grantFast}: the in-memory store's states open a lock-free lane after a grant, through which callers take
 * permits with one compare-and-set while only the pacing and the window guard could hold them back; it grants
 * nothing these rules would not (at 10,000/s and more it has two words, whose grants keep every rule but the grid's
 * spacing of a pair, and the rate), and every other method closes it first (see there).
 */
public final class LimiterState {

    private final LimiterConfig config;
    private final AdaptiveRateLimit rateLimit;
    private final SlidingWindowQuota quota;
    private final boolean laneEnabled;
    // the lock-free lane (see grantFast): open between a grant and the next call of any other method
    private volatile Lane lane;
    // the fields a grant writes come first, next to the object's header (HotSpot lays out longs in declaration
    // order; the first int fills the gap after the header), so that a grant writes one cache line of the state
    // besides the ring: meant for two threads taking turns; JMH on the 2-vCPU VM showed no difference either way
    private int windowSize; // grant times in the ring (see window)
    private long tat = Long.MIN_VALUE;
    // the limit a recent grant holds (see "rate changes" above) is in force until heldUntil
    private long heldUntil = Long.MIN_VALUE;
    private long granted;
    private long windowEnd; // grant times ever added to the ring: the newest is at (windowEnd - 1) & mask
    private long pauseUntil = Long.MIN_VALUE;
    private long lastCutAt = Long.MIN_VALUE;
    // the grant and throttle counters at the last cut (the accepted rate since then), and whether it was an overshoot's
    private long grantedAtCut;
    private long throttledAtCut;
    private boolean overshootCut;
    // the length of all pauses set so far (their union), and the part of it that had passed at the last cut
    private long pausedSum;
    private long pausedAtCut;
    private long throttled;
    private double ceiling = Double.POSITIVE_INFINITY;
    private long ceilingUntil = Long.MIN_VALUE;
    private double limitRate = Double.POSITIVE_INFINITY;
    private long armedAt = Long.MIN_VALUE;
    private boolean pausedInEvent;
    private long grantedAtArm;
    private long throttledAtArm;
    // the running recovery's Wmax is a capacity the last cut measured (not raised by the floor): probes may cut
    private boolean measuredMax;

    // a call that started late (see started()): the largest lateness reported, in force until lateUntil
    private long late;
    private long lateUntil = Long.MIN_VALUE;

    /** How long a lone throttle waits for a second one to make a congestion event of it: 5 s. */
    public static final long ARM_TTL_NANOS = 5_000_000_000L;
    /** The shortest measurement of the accepted rate between the two throttles of an event: 100 ms. */
    public static final long MIN_MEASURE_NANOS = 100_000_000L;
    /**
     * The calls an event's measurement waits to see accepted (when no pause fell inside it): 8. Each end of the
     * measurement is off by up to one call (the provider's bucket holds a fraction of a token at either throttle),
     * so 2 calls in 100 ms read 20/s anywhere from 10/s to 30/s; 8 calls narrow that to about an eighth.
     */
    public static final int MIN_EVENT_ACCEPTED = 8;
    /** The measurement stops waiting for {@link #MIN_EVENT_ACCEPTED} calls at this many throttles in the event: 16. */
    public static final int MAX_EVENT_THROTTLES = 16;
    /** The measurement stops waiting for {@link #MIN_EVENT_ACCEPTED} calls after this long: 1 s. */
    public static final long MAX_MEASURE_NANOS = 1_000_000_000L;
    /**
     * How far above a measured capacity a probe still counts as finding it again: 1.5 (a throttle for a call sent
     * at a rate under 1.5 x Wmax cuts at once; one sent faster opens an event that measures anew, since the
     * capacity has likely risen).
     */
    public static final double PROBE_LIMIT = 1.5;
    /**
     * How much above a measured capacity the accepted rate since the last cut must be for a probe's first
     * throttle above {@link #PROBE_LIMIT} x Wmax to open an event (the capacity has risen): 1.25. Under it the
     * probe drained a reserve of the provider's bucket and cuts at once.
     */
    public static final double RISE_LIMIT = 1.25;
    // the window guard (tryAcquire): the windowSize most recent grant times, a ring of a power-of-two length
    private long[] window = new long[8];
    // the guard of the rate last asked for (recomputed only when the rate changes): n, W, the grants k it looks
    // back (min(n, 65,536)) and the span they must cover (W', scaled by k / n above the memory)
    private double guardRate = Double.NaN;
    private long guardInterval; // intervalNanos(guardRate)
    private Acquisition.WaitReason waitReason = Acquisition.WaitReason.PACING; // set by earliest()
    private long guardN;
    private long guardW;
    private int guardK;
    private long guardSpan;
    private long guardOwnSpan; // W' itself: how long a grant holds this limit
    // the limit a recent grant holds (see "rate changes" above), in force until heldUntil
    private long heldN;
    private long heldW;
    private int heldK;
    private long heldSpan; // (heldUntil is among the fields a grant writes, above)

    public LimiterState(LimiterConfig config) {
        this(config, false);
    }

    /**
     * A state whose lock-free lane opens after grants ({@code lane}: {@link #grantFast}); the in-memory store's
     * states have one, a shared store's model (one decision per call, made where the state lives) has none.
     */
    LimiterState(LimiterConfig config, boolean lane) {
        this.laneEnabled = lane;
        this.config = config;
        this.rateLimit = new AdaptiveRateLimit(config);
        long quotaWindow = config.quotaWindow().toNanos();
        this.quota = config.hasQuota()
                ? new SlidingWindowQuota(config.quota(), quotaWindow, SlidingWindowQuota.guardNanos(quotaWindow)) : null;
    }

    /**
     * Takes a permit at {@code now} when one is free, like {@link #tryAcquire} but without an answer object for a
     * grant: the in-memory store's fast path. Returns {@code null} when granted, else the wait (and changes
     * nothing).
     */
    public Acquisition grantOrWait(long now) {
        closeLane();
        long earliest = earliest(now);
        if (earliest > now) {
            return Acquisition.wait(earliest - now, guardInterval, waitReason);
        }
        grant(now, guardInterval);
        if (laneEnabled) {
            openLane(now);
        }
        return null;
    }

    /** Takes a permit at {@code now} or says how long to wait for one. */
    public Acquisition tryAcquire(long now) {
        Acquisition wait = grantOrWait(now);
        return wait != null ? wait : Acquisition.granted(now, guardInterval);
    }

    /**
     * The earliest grant at {@code now} by every rule (the formula's {@code earliest}), and in {@link #waitReason}
     * the rule that sets it; prepares the window guard of the current rate.
     */
    private long earliest(long now) {
        double rate = rate(now);
        if (rate != guardRate) {
            guardFor(rate, intervalNanos(rate));
        }
        long guardAt = windowEarliest(now, now < lateUntil ? lateExcess(guardOwnSpan - guardW, guardW) : 0L);
        long earliest = Math.max(tat, guardAt);
        Acquisition.WaitReason reason = Acquisition.WaitReason.PACING;
        if (pauseUntil > earliest) {
            earliest = pauseUntil;
            reason = Acquisition.WaitReason.PAUSED;
        }
        if (quota != null) {
            long q = quota.earliest(now, now < lateUntil
                    ? lateExcess(quota.guardedWindowNanos() - quota.windowNanos(), quota.windowNanos()) : 0L);
            if (q > earliest) {
                earliest = q;
                reason = Acquisition.WaitReason.QUOTA;
            }
        }
        if (earliest > now) {
            waitReason = reason; // only a wait reads it: a grant writes nothing here
        }
        return earliest;
    }

    /** Books a grant at {@code now}: the grid, the quota, the window guard, the count. */
    private void grant(long now, long interval) {
        tat = (tat != Long.MIN_VALUE && now - tat < interval ? tat : now) + interval;
        if (now < ceilingUntil && tat > ceilingUntil) {
            tat = ceilingUntil; // a provider's window resets then: its slow pacing ends with it
        }
        if (quota != null) {
            quota.record(now);
        }
        rememberGrant(now);
        granted++;
    }

    /** What {@link #grantFast} returns when the lane cannot grant: ask under the owner's lock instead. */
    public static final long NO_GRANT = Long.MIN_VALUE;

    /**
     * Takes a permit without a lock when the lane is open and its rules allow one now; thread-safe, the only
     * method that is. {@code clock} is the one the owner reads under its lock. Returns the grant time, or
     * {@link #NO_GRANT} when the lane is closed or would make the caller wait (then nothing changed: the caller
     * asks {@link #grantOrWait} under the lock, which decides by every rule).
     *
     * <p>The lane is opened by a grant under the lock when nothing but the pacing and the window guard can hold a
     * caller back (no quota, no pause, no provider ceiling in force), and closed by the next call of any other
     * method, which first books the lane's grants into the state. It takes the rate's limit at its opening
     * (the rate only rises until the next signal, and every signal closes the lane) and is stricter than the
     * rules it stands for, so everything it grants the lock would have granted (with one stripe; two: below):
     * <pre>
     * spacing s  = max(2 * interval, ceil(span / k))      (k, span: the window guard's; span includes a late start's excess)
     * grant i    : now &gt;= next, next = (i == 1 ? tat : f(i-1) + s)             (f(i): the lane's i-th grant time)
     *              i &lt;= k - size  : nothing else      (fewer than k grants remembered: the guard cannot bind)
     *              i &lt;= k         : now &gt;= ring(k - i + 1) + span   (the (k-i+1)-th newest grant before the lane)
     *              i &gt; k          : nothing else      (f(i) - f(i-k) &gt;= k * s &gt;= span)
     * closing    : c grants, the last at L: granted += c; the ring gets min(c, memory) of them, the j-th newest at
     *              L - (j - 1) * s (never earlier than the real one); tat = c == 1 ? the grid's rule for L : L + interval,
     *              with the interval of rate(L)
     * </pre>
     * The grid's {@code tat} after the lane is exactly what the rules make of its grants: from the second on each
     * comes at least two intervals after the one before, later than the grid's tolerance of one, so the grid
     * restarts at each. (A merely later {@code tat} would not do: a caller late on a later grid keeps to it where
     * on the earlier one it would restart, which can let it in sooner.)
     * One word holds the lane's count and next time (one compare-and-set per grant); a caller that read the clock
     * before another caller's grant reads it again (at most twice) before it gives up.
     *
     * <p><b>Two stripes.</b> At 10,000/s and more (and k &gt;= 5) the lane has a second word, on its own cache line,
     * so that two threads taking permits at once do not pass one line between their cores on every grant: a
     * thread tries its own stripe first, then the other (its own: at first the one of its id's parity; after its
     * own stripe made it wait and the other granted, the other, so two threads whose ids share a parity part
     * after their first clash; a second stripe not open yet teaches nothing). Each stripe is a lane of its own with
     * <pre>
     * spacing s  = max(2 * interval, ceil(2 * span / (k - 1)))
     * first      : tat (the first stripe, with the guard's first-grants rule above) | base + span (the second)
     * closing    : both stripes' grants are booked, each stripe's j-th newest at its L - (j - 1) * s, merged by time;
     *              tat = max(L + I, L' + I0 + I) for the last grant L and the other stripe's last L' (L + I when
     *              the first stripe granted nothing); I0 the opening interval, I the interval of rate(L)
     * </pre>
     * Why that is enough, for the merged grants g(1), g(2), ... after the opening grant g(0) = base:
     * <ul>
     * <li>Window guard. The second stripe grants only once every grant before the lane is out of the window, so
     * while the first stripe's rule for its first k grants binds (the ring's grants are in the window), the second
     * has granted nothing before it and the first's count is the merged index. Any k + 1 merged lane grants hold
     * at least (k + 1) / 2 of one stripe, so they span at least (k - 1) / 2 * s &gt;= span. The ring gets each
     * booked time at or after a real grant of its own, so its j-th newest is never earlier than the real one.</li>
     * <li>Grid. Two stripes can grant a nanosecond apart, which the grid alone would refuse (it does allow a
     * pair that close after a late grant): the lane then keeps every rule but the grid. The rate holds all the
     * same: any three merged grants span at least two intervals (two of them share a stripe; the second stripe's
     * first comes at least span after base, the first stripe's second at least s after tat), so the grid the
     * rules would keep through them is at most {@code max(g(i) + I(i), g(i-1) + I(i-1) + I(i))} after each
     * grant (by induction), which closing bounds as above: the grid goes on at or after the rules' own.</li>
     * </ul>
     * With one stripe only (or the second unused) everything is as above, exactly the rules' own grants.
     */
    public long grantFast(Clock clock) {
        Lane l = lane;
        return l == null ? NO_GRANT : grantFast(l, clock, secondFirst(l), true);
    }

    /**
     * Per thread, which stripe of a lane it tries first: {@code TRUE} the second, {@code FALSE} the first, unset
     * (null) the one of its id's parity. Set when its own stripe made it wait and the other granted, so two threads
     * that clash part: measured on 2 cores, two threads of one parity on one stripe took 14 % fewer messages per
     * second through a route than two of different parity. One flag for every lane (a bootstrap class as the
     * value: the map of a pooled thread keeps no class of this library alive).
     */
    private static final ThreadLocal<Boolean> SECOND_FIRST = new ThreadLocal<>();

    /** Whether the caller tries the lane's second stripe first ({@link #SECOND_FIRST}); false with one stripe. */
    private static boolean secondFirst(Lane l) {
        if (l.second == null) {
            return false;
        }
        Boolean chosen = SECOND_FIRST.get();
        return chosen != null ? chosen : (Thread.currentThread().getId() & 1L) != 0;
    }

    /** {@link #grantFast} with the answer the locked path gives, or {@code null} when the lane did not grant. */
    public Acquisition tryAcquireFast(Clock clock) {
        Lane l = lane;
        long at = l == null ? NO_GRANT : grantFast(l, clock, secondFirst(l), true);
        return at == NO_GRANT ? null : Acquisition.granted(at, l.interval); // the interval is an estimate's input
    }

    /**
     * {@link #grantFast} trying the second stripe first when {@code secondFirst}; tests choose, and the thread's own
     * choice ({@link #SECOND_FIRST}) is neither read nor changed.
     */
    long grantFast(Clock clock, boolean secondFirst) {
        Lane l = lane;
        return l == null ? NO_GRANT : grantFast(l, clock, secondFirst, false);
    }

    // what one stripe answers besides a grant (the grant time) and NO_GRANT (closed): grant times of a real clock
    // are never this close to Long.MIN_VALUE
    private static final long STRIPE_WAITS = Long.MIN_VALUE + 1; // not yet (its next time), or another caller won
    private static final long STRIPE_REFUSES = Long.MIN_VALUE + 2; // the guard's first grants, or a full word

    /**
     * {@code learn}: a grant by the other stripe after the own one made the caller wait makes it the thread's own;
     * not while the own stripe is a second one that has not opened yet (it grants from base + span: every lane
     * opening, which each GC pause brings, would otherwise turn the threads of the second stripe to the first, and
     * they would share it until their next clash).
     */
    private long grantFast(Lane l, Clock clock, boolean secondFirst, boolean learn) {
        long now = clock.nanoTime();
        for (int tries = 0; ; tries++) {
            LaneWord own = secondFirst && l.second != null ? l.second : l;
            long r = grantIn(l, own, now);
            if ((r == STRIPE_WAITS || r == STRIPE_REFUSES) && l.second != null) {
                long other = grantIn(l, own == l ? l.second : l, now);
                if (learn && r == STRIPE_WAITS && other > STRIPE_REFUSES && (own == l || grantsIn(own) > 0)) {
                    SECOND_FIRST.set(own == l ? Boolean.TRUE : Boolean.FALSE);
                }
                r = other == STRIPE_REFUSES && r == STRIPE_WAITS ? r : other;
            }
            if (r > STRIPE_REFUSES) {
                return r;
            }
            if (r == NO_GRANT) {
                Lane newer = lane; // closed: by a grant under the lock, which may have opened the next one
                if (newer == null || newer == l || tries == 2) {
                    return NO_GRANT;
                }
                l = newer;
                now = clock.nanoTime(); // that grant may be later than this caller's time
                continue;
            }
            if (r == STRIPE_REFUSES || tries == 2) {
                return NO_GRANT;
            }
            now = clock.nanoTime(); // another caller granted since this one read the clock (or it must wait)
        }
    }

    /** One stripe's grant at {@code now}: the time, {@link #NO_GRANT} (closed), STRIPE_WAITS or STRIPE_REFUSES. */
    private static long grantIn(Lane l, LaneWord stripe, long now) {
        long w = stripe.get();
        if (w < 0) {
            return NO_GRANT;
        }
        if (now < l.base + (w & LANE_OFFSET_MASK)) {
            return STRIPE_WAITS;
        }
        long count = w >>> LANE_OFFSET_BITS;
        long offset = now - l.base + l.spacing;
        if (count >= LANE_MAX_COUNT || offset > LANE_OFFSET_MASK || (stripe == l && count >= l.free && count < l.k
                && now - l.ring[(int) (l.end - (l.k - count)) & (l.ring.length - 1)] < l.span)) {
            return STRIPE_REFUSES;
        }
        return stripe.compareAndSet(w, ((count + 1) << LANE_OFFSET_BITS) | offset) ? now : STRIPE_WAITS;
    }

    /** Tests: grants the open lane's second stripe made so far (0 when it has none or it is closed). */
    long secondStripeGrants() {
        Lane l = lane;
        return l == null ? 0L : grantsIn(l.second);
    }

    /** Grants a stripe's word counts so far: 0 when there is no such stripe or it is closed (its grants booked). */
    private static long grantsIn(LaneWord stripe) {
        long w = stripe == null ? LANE_CLOSED : stripe.get();
        return w < 0 ? 0L : w >>> LANE_OFFSET_BITS;
    }

    /** Tests: the grid's next grant time ({@code tat}), read and set (to compare a state with the rules alone). */
    long tat() {
        return tat;
    }

    void tat(long tat) {
        this.tat = tat;
    }

    /**
     * Tests: takes a permit at {@code now} by every rule but the grid's {@code tat} (the pause, the quota, the window
     * guard), and books it like any grant (the grid moves as the rules move it): what a lane with two stripes keeps to.
     */
    Acquisition tryAcquireOffGrid(long now) {
        closeLane();
        long grid = tat;
        tat = Long.MIN_VALUE;
        long earliest = earliest(now);
        tat = grid;
        if (earliest > now) {
            return Acquisition.wait(earliest - now, guardInterval, waitReason);
        }
        grant(now, guardInterval);
        return Acquisition.granted(now, guardInterval);
    }

    /** Opens the lane after a grant at {@code now} (the guard is the current rate's) when only pacing can bind. */
    private void openLane(long now) {
        if (quota != null || pauseUntil > now || now < ceilingUntil || tat - now > LANE_OFFSET_MASK) {
            return;
        }
        long excess = now < lateUntil ? lateExcess(guardOwnSpan - guardW, guardW) : 0L;
        int k = guardK;
        long span = guardSpan + (k < guardN ? excess * k / guardN : excess); // as windowEarliest's
        boolean striped = k >= STRIPE_MIN_K && guardInterval <= STRIPE_MAX_INTERVAL;
        long spacing = striped ? Math.max(2 * guardInterval, (2 * span + k - 2) / (k - 1))
                : Math.max(2 * guardInterval, (span + k - 1) / k);
        lane = new Lane(now, tat, spacing, guardInterval, Math.max(0, k - windowSize), k, span, window, windowEnd,
                striped ? new Stripe(span) : null);
    }

    /**
     * Closes the lane (no grant through it after this) and books its grants: see {@link #grantFast}. Every other
     * method does it first; an owner calls it under its lock before it reads the clock for one of them, so that
     * time is not older than a grant the lane made meanwhile.
     */
    void closeLane() {
        Lane l = lane;
        if (l == null) {
            return;
        }
        lane = null;
        long wa = l.getAndSet(LANE_CLOSED);
        long wb = l.second == null ? 0L : l.second.getAndSet(LANE_CLOSED);
        long ca = wa >>> LANE_OFFSET_BITS;
        long cb = wb >>> LANE_OFFSET_BITS;
        if (ca + cb == 0) {
            return;
        }
        long s = l.spacing;
        long lastA = l.base + (wa & LANE_OFFSET_MASK) - s; // meaningful when ca > 0, lastB when cb > 0
        long lastB = l.base + (wb & LANE_OFFSET_MASK) - s;
        // the newest grants of both stripes the ring can need, each stripe's j-th newest booked at last - j * s
        long ka = Math.min(ca, WINDOW_RETENTION / s + 1);
        long kb = Math.min(cb, WINDOW_RETENTION / s + 1);
        long kept = Math.min(ka + kb, WINDOW_MEMORY);
        long ta = 0;
        long tb = 0;
        while (ta + tb < kept) { // newest first: how many of each stripe are among the kept
            if (tb == kb || (ta < ka && lastA - ta * s >= lastB - tb * s)) {
                ta++;
            } else {
                tb++;
            }
        }
        while (ta + tb > 0) { // oldest first, merged by time; the guard is still the lane's (nothing else ran)
            long a = ta > 0 ? lastA - (ta - 1) * s : Long.MAX_VALUE;
            long b = tb > 0 ? lastB - (tb - 1) * s : Long.MAX_VALUE;
            if (a <= b) {
                rememberGrant(a);
                ta--;
            } else {
                rememberGrant(b);
                tb--;
            }
        }
        granted += ca + cb;
        if (cb == 0) {
            long interval = intervalNanos(rate(lastA)); // the rules' at that grant: the rate may have risen since
            tat = ca == 1 && lastA - l.tat < interval ? l.tat + interval : lastA + interval;
            return;
        }
        // the grid the rules keep through the merged grants is at most max(g + I, g' + I0 + I) for the last grant g
        // and the one before it g': g' is the other stripe's last grant, or g's own stripe's previous one (at most
        // g - s: then g + I is the larger), or the opening grant (more than s before g)
        long last = Math.max(ca == 0 ? Long.MIN_VALUE : lastA, lastB);
        long interval = intervalNanos(rate(last));
        tat = ca == 0 ? last + interval : Math.max(last + interval, Math.min(lastA, lastB) + l.interval + interval);
    }

    /** The lane word: count in the high bits, next grant time (from base) in the low {@value} bits; -1 closed. */
    private static final int LANE_OFFSET_BITS = 40;
    private static final long LANE_OFFSET_MASK = (1L << LANE_OFFSET_BITS) - 1;
    private static final long LANE_MAX_COUNT = (1L << (63 - LANE_OFFSET_BITS)) - 1;
    private static final long LANE_CLOSED = -1L;

    /** Padding before the lane word: no other object's fields share its cache line (see {@link Lane}). */
    @SuppressWarnings("unused")
    private abstract static class LanePadBefore {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    /** The lane word, compare-and-set by every grant through the lane. */
    private abstract static class LaneWord extends LanePadBefore {
        private static final java.lang.invoke.VarHandle WORD;

        static {
            try {
                WORD = java.lang.invoke.MethodHandles.lookup().findVarHandle(LaneWord.class, "word", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile long word;

        LaneWord(long initial) {
            word = initial;
        }

        final long get() {
            return word;
        }

        final boolean compareAndSet(long expected, long value) {
            return WORD.compareAndSet(this, expected, value);
        }

        final long getAndSet(long value) {
            return (long) WORD.getAndSet(this, value);
        }
    }

    /**
     * An open lane: its word (count and next-time offset) and what it was opened with (final: read without a
     * lock). Padded on both sides of the word: every grant from every thread writes it, and another object's
     * hot fields next to it in memory (where a garbage collection may place them) would pass its cache line
     * between the cores on each of their own writes too.
     */
    @SuppressWarnings("unused")
    private static final class Lane extends LaneWord {
        long p10, p11, p12, p13, p14, p15, p16, p17;
        final long base;
        final long tat; // the grid's next grant time when it opened
        final long spacing;
        final long interval;
        final int free; // grants that cannot meet the guard: k - size
        final int k;
        final long span;
        final long[] ring; // the state's ring, unchanged while the lane is open (every change closes it first)
        final long end;
        final Stripe second; // the second stripe, or null (see grantFast)

        Lane(long base, long tat, long spacing, long interval, int free, int k, long span, long[] ring, long end,
                Stripe second) {
            super(tat - base);
            this.second = second;
            this.base = base;
            this.tat = tat;
            this.spacing = spacing;
            this.interval = interval;
            this.free = free;
            this.k = k;
            this.span = span;
            this.ring = ring;
            this.end = end;
        }
    }

    /** The second stripe's word (its own cache line): its first grant comes {@code span} after the opening grant. */
    @SuppressWarnings("unused")
    private static final class Stripe extends LaneWord {
        long p10, p11, p12, p13, p14, p15, p16, p17;

        Stripe(long offset) {
            super(offset);
        }
    }

    /** A lane has two stripes only when the guard looks back this many grants or more (k &gt;= 5, see grantFast). */
    private static final int STRIPE_MIN_K = 5;
    /** ... and at rates of 10,000/s and more (interval at most 100 us), where two callers' grants meet on one word. */
    private static final long STRIPE_MAX_INTERVAL = 100_000L;

    /** Grant times the window guard keeps at most (the ring's largest length). */
    private static final int WINDOW_MEMORY = 65_536;

    /**
     * How long the window guard remembers grants: the longest W' with n &gt;= 2 (1 s + 1 ms) and the most a late
     * start lengthens it (a twentieth of 1 s), so that a grant the lengthened window still counts is not forgotten.
     */
    private static final long WINDOW_RETENTION = 1_000_000_000L + SlidingWindowQuota.guardNanos(1_000_000_000L)
            + SlidingWindowQuota.maxExtraNanos(1_000_000_000L);

    /** Sets the guard of {@code rate}: n = ceil(rate * 1 s - 1e-9), W = 1 s from 1/s on; n = 1, W = interval below. */
    private void guardFor(double rate, long interval) {
        guardRate = rate;
        guardInterval = interval;
        guardN = rate >= 1.0 ? (long) Math.ceil(rate - 1e-9) : 1L;
        guardW = rate >= 1.0 ? 1_000_000_000L : interval;
        guardOwnSpan = guardW + SlidingWindowQuota.guardNanos(guardW);
        guardK = (int) Math.min(guardN, WINDOW_MEMORY);
        // n > 65,536 only with W = 1 s: at most 1.001e9 * 65,536, no overflow
        guardSpan = guardK < guardN ? guardOwnSpan * guardK / guardN : guardOwnSpan;
    }

    /** {@code true} when the limit (n1 per W1) lets more through than (n2 per W2); W &gt;= 1 s, and W &gt; 1 s only with n = 1. */
    private static boolean looser(long n1, long w1, long n2, long w2) {
        return n1 > n2 || (n1 == n2 && w1 < w2);
    }

    /**
     * The earliest grant the window guard allows (Long.MIN_VALUE: no limit now), its window lengthened by
     * {@code excess} (a late start's); above the memory (k &lt; n) the span looked back is k / n of the window,
     * and so is the excess added to it.
     */
    private long windowEarliest(long now, long excess) {
        int k = guardK;
        long span = guardSpan + (k < guardN ? excess * k / guardN : excess);
        if (now < heldUntil && looser(heldN, heldW, guardN, guardW)) {
            k = heldK;
            span = heldSpan + (k < heldN ? excess * k / heldN : excess);
        }
        long[] w = window;
        int mask = w.length - 1;
        while (windowSize > 1 && now - w[(int) (windowEnd - windowSize) & mask] >= WINDOW_RETENTION) {
            windowSize--; // the oldest is out of every window
        }
        if (windowSize < k) {
            return Long.MIN_VALUE;
        }
        return w[(int) (windowEnd - k) & mask] + span;
    }

    /** Adds a grant to the ring (growing it, or dropping the oldest at the cap) and holds the looser limit. */
    private void rememberGrant(long now) {
        if (windowSize == window.length) {
            if (window.length < WINDOW_MEMORY) {
                long[] bigger = new long[window.length * 2];
                int mask = window.length - 1;
                for (int i = 0; i < windowSize; i++) {
                    bigger[i] = window[(int) (windowEnd - windowSize + i) & mask]; // oldest first
                }
                window = bigger;
                windowEnd = windowSize;
            } else {
                windowSize--; // at the cap: the oldest goes
            }
        }
        window[(int) windowEnd & (window.length - 1)] = now;
        windowEnd++;
        windowSize++;
        if (heldN == guardN && heldW == guardW) {
            heldUntil = saturatedAdd(now, guardOwnSpan); // the same limit (so the same k and span): held longer
        } else if (now >= heldUntil || !looser(heldN, heldW, guardN, guardW)) {
            heldN = guardN;
            heldW = guardW;
            heldK = guardK;
            heldSpan = guardSpan;
            heldUntil = saturatedAdd(now, guardOwnSpan);
        }
    }

    /**
     * Hears that the call of the permit granted at {@code grantedAt} started at {@code now}: later than its grant
     * by {@code now - grantedAt}. The windows (the pacing guard's and the quota's) count grants, lengthened by
     * their guards (1/1000) for the usual dispatch jitter; a call that started later than that would let the
     * calls' own start times put one more into some window. So for as long as that start is inside a window
     * ({@code now} plus the longest W'), every window is lengthened by the lateness beyond its guard: a later
     * grant keeps its distance from the late start, not from the grant. Lateness of 0 or less is ignored.
     *
     * <p>The lengthening is at most 1/20 of the window (50 ms per second): that covers the stalls of a loaded
     * machine (a GC pause, a starved CPU: milliseconds to tens of milliseconds), while a steady lateness (a worker
     * pool too small for slow calls queues every granted call for seconds, which shifts the starts but keeps
     * their spacing) costs at most 5 % of the rate instead of pacing the limiter down to what the queue allows.
     */
    public void started(long grantedAt, long now) {
        closeLane();
        long lateness = now - grantedAt;
        if (lateness <= 0) {
            return;
        }
        long span = Math.max(guardOwnSpan, quota == null ? 0L : quota.guardedWindowNanos());
        long until = saturatedAdd(now, span);
        if (now >= lateUntil) {
            late = lateness;
            lateUntil = until;
        } else {
            late = Math.max(late, lateness);
            lateUntil = Math.max(lateUntil, until);
        }
    }

    /**
     * How much longer a window of {@code windowNanos} with the guard {@code guardNanos} is while a late start is
     * in force: the lateness beyond the guard, at most 1/20 of the window (see {@link #started}).
     */
    private long lateExcess(long guardNanos, long windowNanos) {
        return Math.min(Math.max(0L, late - guardNanos), SlidingWindowQuota.maxExtraNanos(windowNanos));
    }

    /**
     * Applies a response's feedback at {@code now}.
     *
     * @return {@code true} when it cut the rate
     */
    public boolean record(Feedback feedback, long now) {
        closeLane();
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
        rateLimit.throttled(now, feedback.grantedAt(), feedback.retryAfterNanos() >= 0);
        if (armedAt != Long.MIN_VALUE && now - armedAt > ARM_TTL_NANOS) {
            armedAt = Long.MIN_VALUE; // a lone throttle long ago: not part of this event
        }
        if (armedAt == Long.MIN_VALUE && feedback.retryAfterNanos() >= 0) {
            // a probe's throttle that paused the whole limiter: a second one to confirm it would pause it again
            double estimate = pausedProbeEstimate(feedback.grantedAt(), now);
            if (!Double.isNaN(estimate)) {
                rateLimit.cut(now, estimate);
                measuredMax = rateLimit.measured();
                cutDone(now, false);
                return true;
            }
        }
        if (armedAt == Long.MIN_VALUE && probing(feedback.grantedAt())
                && (lastCutAt == Long.MIN_VALUE || now - lastCutAt >= config.signalCooldown().toNanos())) {
            // the recovery probed past the capacity the last cut measured and found it there: back under it at once
            rateLimit.cut(now, rateLimit.lastMax());
            cutDone(now, false);
            return true;
        }
        if (armedAt == Long.MIN_VALUE && !overshootCut && overshooting(feedback.grantedAt())
                && pauseUntil <= lastCutAt && now - lastCutAt >= config.signalCooldown().toNanos()) {
            // the probe passed 1.5 Wmax on a reserve of the provider's bucket, unless the accepted rate has risen
            double accepted = acceptedPerSecond(grantedAtCut, throttledAtCut, lastCutAt, now);
            double wMax = rateLimit.lastMax();
            if (accepted < RISE_LIMIT * wMax) {
                rateLimit.cut(now, Math.max(wMax, accepted));
                cutDone(now, true);
                return true;
            }
        }
        if (armedAt == Long.MIN_VALUE) {
            pausedInEvent = pauseUntil > now;
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
        if (!pausedInEvent && acceptedSince(grantedAtArm, throttledAtArm) < MIN_EVENT_ACCEPTED
                && throttled - throttledAtArm < MAX_EVENT_THROTTLES && now - armedAt < MAX_MEASURE_NANOS) {
            return false; // too few calls accepted for a steady measure yet: the event goes on
        }
        double estimate = acceptedPerSecond(grantedAtArm, throttledAtArm, armedAt, now);
        boolean floored = false;
        if (pausedInEvent) {
            // a pause inside the measurement reads low when the provider's bucket is smaller than what the pause
            // would refill: never cut deeper than decreaseFactor^3 (three blind cuts) then
            double b = config.decreaseFactor();
            double floor = b * b * b * rateLimit.rate(now) / AdaptiveRateLimit.ESTIMATE_FACTOR;
            floored = estimate < floor;
            estimate = Math.max(estimate, floor);
        }
        rateLimit.cut(now, estimate);
        measuredMax = !floored && rateLimit.measured();
        armedAt = Long.MIN_VALUE;
        cutDone(now, false);
        return true;
    }

    /**
     * The paused probe's estimate, or NaN when the rule does not apply: a call granted at {@code grantedAt} went out
     * while the recovery ran above the last cut's Wmax by less than {@link #PROBE_LIMIT} (measured or not), and
     * what the provider accepted since that cut, per second of it not paused, is above 0 and under
     * {@link #RISE_LIMIT} x Wmax.
     * The estimate is that accepted rate A' when it is under 0.9 x Wmax (the plateau ran above the capacity), else
     * max(Wmax, A').
     */
    private double pausedProbeEstimate(long grantedAt, long now) {
        if (lastCutAt == Long.MIN_VALUE || now - lastCutAt < config.signalCooldown().toNanos()) {
            return Double.NaN;
        }
        long active = (now - lastCutAt) - (pausedElapsed(now) - pausedAtCut);
        if (!inProbeBand(rateLimit.rate(grantedAt)) || active < MIN_MEASURE_NANOS) {
            return Double.NaN;
        }
        double wMax = rateLimit.lastMax();
        // every throttle since the cut counts, those of calls sent before it too (reads lower on a long round trip)
        double accepted = acceptedPerSecond(grantedAtCut, throttledAtCut, now - active, now);
        if (accepted <= 0 || accepted >= RISE_LIMIT * wMax) {
            return Double.NaN; // nothing accepted: no measure (an event measures); or the capacity has risen
        }
        return accepted < AdaptiveRateLimit.ESTIMATE_FACTOR * wMax ? accepted : Math.max(wMax, accepted);
    }

    /**
     * What the provider accepted per second since {@code since}, when the counters were {@code grantedThen} and
     * {@code throttledThen}: (grants - throttles since then) / (now - since).
     */
    private double acceptedPerSecond(long grantedThen, long throttledThen, long since, long now) {
        return acceptedSince(grantedThen, throttledThen) / ((now - since) / 1e9);
    }

    /** The calls accepted since the counters were {@code grantedThen} and {@code throttledThen}: grants - throttles. */
    private long acceptedSince(long grantedThen, long throttledThen) {
        return (granted - grantedThen) - (throttled - throttledThen);
    }

    /**
     * The bookkeeping of a cut at {@code now}: the time and counters the next cut measures from, and the pacing at
     * the new rate from the last grant on (the old pacing's next call would meet the provider's empty bucket).
     */
    private void cutDone(long now, boolean overshoot) {
        lastCutAt = now;
        grantedAtCut = granted;
        throttledAtCut = throttled;
        overshootCut = overshoot;
        pausedAtCut = pausedElapsed(now);
        if (windowSize > 0) {
            long last = window[(int) (windowEnd - 1) & (window.length - 1)];
            tat = Math.max(tat, saturatedAdd(last, intervalNanos(rate(now))));
        }
    }

    /**
     * {@code true} when a call granted at {@code grantedAt} went out while the recovery ran at {@link #PROBE_LIMIT}
     * times the capacity the last cut measured or more (Wmax, not raised by the floor).
     */
    private boolean overshooting(long grantedAt) {
        return lastCutAt != Long.MIN_VALUE && rateIfMeasured(grantedAt) >= PROBE_LIMIT * rateLimit.lastMax();
    }

    /** The recovery's rate at {@code grantedAt} when the last cut measured Wmax (not raised by the floor), else NaN. */
    private double rateIfMeasured(long grantedAt) {
        return measuredMax && rateLimit.measured() ? rateLimit.rate(grantedAt) : Double.NaN;
    }

    /**
     * {@code true} when a call granted at {@code grantedAt} went out while the recovery probed above the capacity
     * the last cut measured (Wmax, not raised by the floor), by less than {@link #PROBE_LIMIT}.
     */
    private boolean probing(long grantedAt) {
        return inProbeBand(rateIfMeasured(grantedAt)); // NaN: no comparison holds
    }

    /** {@code true} when {@code rate} is above the last cut's Wmax by less than {@link #PROBE_LIMIT}: a probe's. */
    private boolean inProbeBand(double rate) {
        double wMax = rateLimit.lastMax();
        return rate > wMax && rate < PROBE_LIMIT * wMax;
    }

    /** The part of all pauses set so far that has passed by {@code now}. */
    private long pausedElapsed(long now) {
        return pauseUntil > now ? pausedSum - (pauseUntil - now) : pausedSum;
    }

    /** Holds every permit back until {@code now + min(delayNanos, maxPause)} (never shortens a pause). */
    public void pauseUntil(long now, long delayNanos) {
        closeLane();
        long d = Math.min(Math.max(0L, delayNanos), config.maxPause().toNanos());
        long until = Math.max(pauseUntil, now + d);
        pausedSum += until - Math.max(pauseUntil, now);
        pauseUntil = until;
        if (armedAt != Long.MIN_VALUE && pauseUntil > now) {
            pausedInEvent = true;
        }
    }

    /** Applies what the provider's headers said; malformed reports are filtered by the parser. */
    public void applyProviderQuota(ProviderQuota q, long now) {
        closeLane();
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

    /** Permits granted so far (read under the owner's lock, like every method). */
    public long granted() {
        Lane l = lane;
        return l == null ? granted : granted + grantsIn(l) + grantsIn(l.second);
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
                pauseUntil > now ? pauseUntil - now : 0L, rateLimit.cuts(), rateLimit.scale(), granted(), throttled,
                quota == null ? -1 : quota.used(now));
    }

    /** Forgets cuts and pauses (not the quota's memory of starts: a reset must never allow an overage). */
    public void reset() {
        closeLane();
        rateLimit.reset();
        pauseUntil = Long.MIN_VALUE;
        ceiling = Double.POSITIVE_INFINITY;
        ceilingUntil = Long.MIN_VALUE;
        limitRate = Double.POSITIVE_INFINITY;
        lastCutAt = Long.MIN_VALUE;
        overshootCut = false;
        pausedSum = 0L;
        pausedAtCut = 0L;
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
