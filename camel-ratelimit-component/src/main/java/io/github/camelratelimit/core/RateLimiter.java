package io.github.camelratelimit.core;

import java.time.Duration;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Enforces one limiter for the callers of one JVM: a FIFO queue of waiting callers in front of a
 * {@link LimiterStore}, and one scheduled wake-up (never a thread per waiter, never a sleep).
 *
 * <p>{@link #acquire(Waiter)} asks the store for a permit when nobody is queued. Granted: the permit is
 * returned and the caller goes on in its own thread. Otherwise the caller is queued and the limiter schedules
 * one wake-up at the time the store named; on wake-up it asks again for the queue's head, hands each granted
 * permit to the {@code workers} executor and schedules the next wake-up. A pause (Retry-After) or a rate cut
 * recorded meanwhile is seen at the next ask, so it holds back every queued caller at once.
 *
 * <p>Fast path: with a synchronous store ({@link LimiterStore#completesSynchronously()}, read once at
 * construction; the in-memory store) a caller that finds nobody queued (one volatile read) asks the store
 * without taking this limiter's monitor and without allocating anything but its permit. With the in-memory store
 * the state's lock-free lane ({@link LimiterState#grantFast}: one compare-and-set) grants it when it is open, and
 * the state's monitor is taken only when the lane cannot (it is closed, or the caller must wait); with another
 * synchronous store, its own per-limiter lock. Callers asking at the same time are ordered by the store. Only a
 * caller the store tells to wait takes the monitor, to queue. A caller never overtakes one that was queued
 * before it arrived: it sees the queue non-empty and queues behind it. With an asynchronous store (Redis) one
 * caller at a time asks the store while nobody is queued; callers arriving meanwhile queue behind it.
 *
 * <p>Bounds: a caller whose estimated wait ({@code now + store wait + position * interval}) exceeds
 * {@code maxWait}, or who would be the {@code maxPending + 1}-th waiter, is rejected at once with a
 * {@link RateLimitExceededException}; when a pause or a cut later pushes a queued caller past its deadline, it
 * is rejected then, not left to wait. {@link #close()} rejects every waiter with reason STOPPED. So each caller
 * gets exactly one of: a returned permit, {@link Waiter#onPermit}, {@link Waiter#onRejected}.
 *
 * <p>Thread-safe. Waiter callbacks run on {@code workers}, except rejections at acquire time, which run in the
 * calling thread before {@code acquire} returns. The counters ({@link #granted()}, {@link #rejected()}) are
 * exact once the callers are done. The granted path writes no memory shared with other threads besides the
 * store's state: with the in-memory store the state's own count of grants serves, with another store a grant
 * is counted in a per-thread cell (a count in this object shared by the callers, even one written under the
 * state's monitor they hold anyway, doubled the time per permit with two threads on 2 cores: one more cache line
 * passed between the cores on every permit). On the in-memory fast path the limiter keeps the store's state of
 * its name (looked up again when the store replaced or removed it).
 */
public final class RateLimiter implements AutoCloseable {

    /** Receives the outcome of a queued acquisition. */
    public interface Waiter {
        void onPermit(Permit permit);

        void onRejected(RateLimitExceededException reason);
    }

    private final String name;
    private final LimiterConfig config;
    private final LimiterStore store;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Executor workers;
    private final long maxWaitNanos;
    private final RateLimiterListener listener;

    /** The store's value of {@link LimiterStore#completesSynchronously()}, read once. */
    private final boolean synchronousStore;
    /** The store when it is the in-memory one: asked without a future on the fast path. */
    private final InMemoryLimiterStore memory;
    private final Clock memoryClock;
    /** The in-memory state last looked up (racy reads are fine: {@link Held} is immutable). */
    private Held held;

    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    /**
     * {@code synchronousStore && !closed && queue.isEmpty()}: a caller may ask the store without the monitor.
     * Written under the monitor whenever one of them changes (never on the fast path), read without it.
     */
    private volatile boolean open;
    /** True while one party owns the drain: running it, awaiting the store, or holding a scheduled wake-up. */
    private boolean draining;
    private boolean closed;
    private Scheduler.Cancellable wakeup;
    /** When the head is expected to get its permit, and the interval behind it (for wait estimates). */
    private long headAt = Long.MIN_VALUE;
    private long interval;

    private final PerThreadCounter granted = new PerThreadCounter();
    private final LongAdder rejected = new LongAdder();

    public RateLimiter(String name, LimiterConfig config, LimiterStore store, Clock clock, Scheduler scheduler,
            Executor workers, RateLimiterListener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.listener = listener == null ? RateLimiterListener.NONE : listener;
        this.maxWaitNanos = config.maxWait().toNanos();
        this.interval = LimiterState.intervalNanos(config.maxRate());
        this.synchronousStore = store.completesSynchronously();
        this.memory = store instanceof InMemoryLimiterStore m ? m : null;
        this.memoryClock = memory == null ? null : memory.clock();
        this.open = synchronousStore;
    }

    /**
     * Asks for a permit.
     *
     * @return the permit when granted at once (the caller proceeds in its own thread; {@code waiter} is not
     *         called), or {@code null} when {@code waiter} has been or will be called exactly once
     */
    public Permit acquire(Waiter waiter) {
        if (open) {
            return askAlongside(waiter);
        }
        long now = clock.nanoTime();
        Entry e = new Entry(waiter, now);
        RateLimitExceededException reject = null;
        boolean alongside = false;
        synchronized (this) {
            if (closed) {
                reject = RateLimitExceededException.stopped(name, 0, config.maxWait());
            } else if (!queue.isEmpty() || (draining && !synchronousStore)) {
                reject = admit(e, now);
                if (reject == null) {
                    return null;
                }
            } else if (synchronousStore) {
                alongside = true; // the queue emptied since the caller looked: ask like the fast path
            } else {
                draining = true;
            }
        }
        if (reject != null) {
            reject(e, reject);
            return null;
        }
        if (alongside) {
            return askAlongside(waiter);
        }
        // an asynchronous store, nobody queued: this caller owns the drain while it asks the store
        CompletableFuture<Acquisition> f = askStore();
        if (f.isDone() && !f.isCompletedExceptionally()) {
            Acquisition a = f.join();
            if (a.granted()) {
                releaseDrain();
                return grantedNow(a);
            }
            if (a.waitNanos() > maxWaitNanos || config.maxPending() == 0) {
                releaseDrain();
                reject(e, a.waitNanos() > maxWaitNanos
                        ? RateLimitExceededException.maxWait(name, a.waitNanos(), config.maxWait(), a.reason())
                        : RateLimitExceededException.maxPending(name, 0, 0, config.maxWait()));
                return null;
            }
            if (!enqueueFirst(e)) {
                return null;
            }
            listener.onQueued(name, a);
            waitFor(a);
            return null;
        }
        if (!enqueueFirst(e)) {
            return null;
        }
        f.whenComplete((a, ex) -> {
            if (handle(a, ex)) {
                drain();
            }
        });
        return null;
    }

    /** What {@link #grantNow()} returns when it grants nothing: the caller asks with {@link #acquire}. */
    public static final long NOT_NOW = LimiterState.NO_GRANT;

    /**
     * A permit at once, allocating nothing: the grant time (the store's clock, nanos; what {@link Permit#grantedAt()}
     * would hold, {@code waitedNanos} 0), heard by {@link RateLimiterListener#onGrantedAtOnce}. Or {@link #NOT_NOW}
     * when no permit is free at this moment, someone is queued, the limiter is closed, its state failed, or the
     * store is not the in-memory one: then nothing happened, and the caller asks with {@link #acquire(Waiter)}
     * (which asks again and queues, rejects or grants). For a caller that starts its call in its own thread at
     * once: it reports the start with {@link #startedAtOnce(long)}. Thread-safe; lock-free when the state's lane is
     * open.
     */
    public long grantNow() {
        if (memory == null || !open) {
            return NOT_NOW;
        }
        long at;
        try {
            at = grantInMemory(memoryState());
        } catch (RuntimeException ex) {
            return NOT_NOW; // acquire() meets the failure again and rejects with it
        }
        if (at != NOT_NOW) {
            listener.onGrantedAtOnce(name, at);
        }
        return at;
    }

    /** The in-memory state of this limiter's name, kept while the store's epoch stays. */
    private LimiterState memoryState() {
        Held h = held;
        if (h == null || h.epoch != memory.epoch()) {
            h = hold();
        }
        return h.state;
    }

    /**
     * Grants from the in-memory state when it can now: through its lane (lock-free), else under its monitor.
     * Returns the grant time or {@link LimiterState#NO_GRANT} (nothing changed but a closed lane).
     */
    private long grantInMemory(LimiterState s) {
        long at = s.grantFast(memoryClock); // lock-free when the state's lane is open
        if (at != LimiterState.NO_GRANT) {
            return at;
        }
        synchronized (s) {
            // another caller may have opened the lane again while this one waited for the lock
            at = s.grantFast(memoryClock);
            if (at == LimiterState.NO_GRANT) {
                s.closeLane(); // the clock is read after the lane's last grant
                long now = memoryClock.nanoTime();
                if (s.grantOrWait(now) == null) {
                    at = now;
                }
            }
        }
        return at;
    }

    /**
     * Asks a synchronous store without this limiter's monitor (nobody was queued when the caller looked; other
     * callers may be asking at the same time: the store is atomic). Granted: the caller goes on at once, nothing
     * allocated but the permit. Told to wait: {@link #queueAfterAsking}.
     */
    private Permit askAlongside(Waiter waiter) {
        Acquisition a;
        if (memory != null) {
            long at;
            LimiterState s;
            try {
                s = memoryState();
                at = grantInMemory(s);
                if (at == LimiterState.NO_GRANT) {
                    synchronized (s) {
                        s.closeLane();
                        at = memoryClock.nanoTime();
                        a = s.grantOrWait(at); // asked again: the wait this caller queues for (or a grant after all)
                    }
                } else {
                    a = null;
                }
            } catch (RuntimeException ex) {
                rejectNew(waiter, RateLimitExceededException.storeFailed(name, store.kind(), ex));
                return null;
            }
            if (a == null) {
                Permit p = new Permit(name, at, 0L); // counted by the state (see granted())
                listener.onGranted(name, p);
                return p;
            }
        } else {
            CompletableFuture<Acquisition> f = askStore();
            if (!f.isDone()) {
                // the store said it answers at once but did not: never block, take its answer when it comes
                long asked = clock.nanoTime();
                f.whenComplete((late, ex) -> answeredLate(waiter, asked, late, ex));
                return null;
            }
            try {
                a = f.join();
            } catch (RuntimeException ex) {
                rejectNew(waiter, RateLimitExceededException.storeFailed(name, store.kind(),
                        ex.getCause() != null ? ex.getCause() : ex));
                return null;
            }
        }
        if (a.granted()) {
            return grantedNow(a);
        }
        Entry e = new Entry(waiter, clock.nanoTime());
        RateLimitExceededException reject = queueAfterAsking(e, a);
        if (reject != null) {
            reject(e, reject);
        }
        return null;
    }

    /**
     * Looks up this limiter's state in the in-memory store (the store's epoch read first: a state replaced
     * meanwhile is seen by the epoch having moved) and keeps it.
     */
    private Held hold() {
        int epoch = memory.epoch();
        LimiterState state = memory.stateFor(name, config);
        Held prev = held;
        long before = 0L;
        if (prev != null) {
            before = prev.grantedBefore;
            if (prev.state != state) {
                synchronized (prev.state) {
                    before += prev.state.granted(); // the state given up: its grants stay counted
                }
            }
        }
        Held h = new Held(state, epoch, before);
        held = h;
        return h;
    }

    /** A permit granted to the calling thread: counted, heard by the listener, returned. */
    private Permit grantedNow(Acquisition a) {
        countGrant();
        Permit p = new Permit(name, a.grantedAt(), 0L);
        listener.onGranted(name, p);
        return p;
    }

    /**
     * A caller the store told to wait while it asked alongside others: it queues behind whoever queued
     * meanwhile, and becomes the drain owner (schedules the wake-up) when nobody owns the drain.
     *
     * @return why it cannot wait (the caller is then not queued and not yet told), or {@code null} when queued
     */
    private RateLimitExceededException queueAfterAsking(Entry e, Acquisition a) {
        long now = e.enqueuedAt;
        RateLimitExceededException reject;
        synchronized (this) {
            if (closed) {
                reject = RateLimitExceededException.stopped(name, 0, config.maxWait());
            } else if (a.waitNanos() > maxWaitNanos) {
                reject = RateLimitExceededException.maxWait(name, a.waitNanos(), config.maxWait(), a.reason());
            } else {
                reject = admit(e, now);
                if (reject == null && !draining) {
                    draining = true;
                    headAt = now + a.waitNanos();
                    interval = a.intervalNanos();
                    wakeup = scheduler.schedule(this::onWakeup, a.waitNanos());
                }
            }
        }
        if (reject == null) {
            listener.onQueued(name, a);
        }
        return reject;
    }

    /**
     * The answer of a store that claimed to answer at once but did not, on the thread that completed it: the
     * outcome goes to the waiter on {@code workers}, like any outcome after {@code acquire} returned.
     */
    private void answeredLate(Waiter waiter, long askedAt, Acquisition a, Throwable ex) {
        Entry e = new Entry(waiter, askedAt);
        if (ex != null || a == null) {
            Throwable cause = ex == null ? new IllegalStateException("store answered nothing")
                    : ex.getCause() != null ? ex.getCause() : ex;
            dispatchReject(e, RateLimitExceededException.storeFailed(name, store.kind(), cause));
            return;
        }
        if (!a.granted()) {
            RateLimitExceededException reject = queueAfterAsking(e, a);
            if (reject != null) {
                dispatchReject(e, reject);
            }
            return;
        }
        Permit p = new Permit(name, a.grantedAt(), clock.nanoTime() - askedAt);
        countGrant();
        listener.onGranted(name, p);
        try {
            workers.execute(() -> waiter.onPermit(p));
        } catch (RejectedExecutionException stopping) {
            reject(e, RateLimitExceededException.stopped(name, p.waitedNanos(), config.maxWait()));
        }
    }

    /** Rejects every waiter (reason STOPPED) and refuses new callers. Idempotent. */
    @Override
    public void close() {
        List<Entry> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = false;
            if (wakeup != null) {
                wakeup.cancel();
                wakeup = null;
            }
            left = new ArrayList<>(queue);
            queue.clear();
        }
        long now = clock.nanoTime();
        for (Entry e : left) {
            reject(e, RateLimitExceededException.stopped(name, now - e.enqueuedAt, config.maxWait()));
        }
    }

    public String name() {
        return name;
    }

    public LimiterConfig config() {
        return config;
    }

    public LimiterStore store() {
        return store;
    }

    /** Callers waiting in this JVM. */
    public synchronized int pending() {
        return queue.size();
    }

    /**
     * Permits granted by this limiter object. With the in-memory store the states it used count them (the
     * component runs one limiter object per state: a reconfigure's new object gets a new state; two objects of one
     * name and the same settings on one store share a state and its count), so the fast path pays for no counter
     * of its own; with another store this object counts them.
     */
    public long granted() {
        if (memory == null) {
            return granted.sum();
        }
        Held h = held; // set by the first call (every grant comes after one)
        if (h == null) {
            return 0L;
        }
        synchronized (h.state) {
            return h.grantedBefore + h.state.granted();
        }
    }

    /** Counts a grant this object made where the in-memory state does not count it for this object. */
    private void countGrant() {
        if (memory == null) {
            granted.increment();
        }
    }

    /** Callers rejected by this limiter object (maxWait, maxPending, stop, store failure). */
    public long rejected() {
        return rejected.sum();
    }

    /**
     * Reports that the call of {@code permit} starts now, on the thread that runs it. A queued caller's call
     * starts on a worker some time after its grant; when that delay passes {@link #LATE_START_NANOS} the
     * in-memory store widens its windows for it ({@link LimiterState#started}), so the calls' own start times
     * (what a provider counts) keep the limits even when a worker started late. Permits granted at once are
     * checked only for the first {@value #COLD_STARTS} calls of this limiter: their calls start in the granting
     * thread, microseconds later, once that code has run a few times (the first calls load classes and run
     * interpreted: milliseconds). Nothing is reported with a shared store (its grants are stamped by the store's
     * own clock). Cheap when on time: one clock read; nothing for a permit granted at once after the first calls.
     */
    public void started(Permit permit) {
        if (permit.waitedNanos() == 0L) {
            startedAtOnce(permit.grantedAt());
        } else if (memory != null) {
            startedAt(permit.grantedAt());
        }
    }

    /** {@link #started(Permit)} for a permit granted at once ({@link #grantNow()}) stamped {@code grantedAt}. */
    public void startedAtOnce(long grantedAt) {
        if (memory == null || coldStarts <= 0) {
            return;
        }
        coldStarts--; // racy: "about the first 64" is what matters
        startedAt(grantedAt);
    }

    private void startedAt(long grantedAt) {
        if (memoryClock.nanoTime() - grantedAt > LATE_START_NANOS) { // the clock the grant was stamped with
            memory.started(name, config, grantedAt);
        }
    }

    /** Calls of permits granted at once whose start is checked: the first ones of a limiter run cold code. */
    static final int COLD_STARTS = 64;
    private int coldStarts = COLD_STARTS;

    /** A call that starts more than this after its grant (100 µs) is reported to the in-memory store as late. */
    public static final long LATE_START_NANOS = 100_000L;

    /**
     * Feeds a response back to the store; returns whether it cut the rate. A response that is not a rate-limit
     * signal and carries no provider quota report changes no limiter state ({@link LimiterState#record}), so it
     * is not sent to the store at all: no lock, and no Redis round trip per successful call.
     */
    public CompletableFuture<Boolean> record(Feedback feedback) {
        if (feedback.outcome() != Feedback.Outcome.THROTTLED && feedback.providerQuota() == null) {
            return CompletableFuture.completedFuture(false);
        }
        try {
            return store.record(name, config, feedback).toCompletableFuture();
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Puts the caller that asked the store itself at the head of the queue, unless {@link #close()} ran while
     * it asked (close() has already emptied the queue, so a caller queued now would never hear back): then it
     * is rejected with reason STOPPED. Returns whether it was queued.
     */
    private boolean enqueueFirst(Entry e) {
        synchronized (this) {
            if (!closed) {
                queue.addFirst(e);
                open = false;
                return true;
            }
            draining = false;
        }
        reject(e, RateLimitExceededException.stopped(name, clock.nanoTime() - e.enqueuedAt, config.maxWait()));
        return false;
    }

    // ---- queue admission (caller holds the monitor) ----

    private RateLimitExceededException admit(Entry e, long now) {
        int size = queue.size();
        if (size >= config.maxPending()) {
            return RateLimitExceededException.maxPending(name, size, config.maxPending(), config.maxWait());
        }
        long estimate = headWait(now) + (long) size * interval;
        if (estimate > maxWaitNanos) {
            return RateLimitExceededException.maxWait(name, estimate, config.maxWait(), Acquisition.WaitReason.PACING);
        }
        queue.addLast(e);
        open = false;
        return null;
    }

    // ---- the drain: one owner at a time ----

    /** The store's answer; a store that throws instead of failing its future fails the future here. */
    private CompletableFuture<Acquisition> askStore() {
        try {
            return store.tryAcquire(name, config).toCompletableFuture();
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void drain() {
        for (;;) {
            synchronized (this) {
                if (closed || queue.isEmpty()) {
                    draining = false;
                    headAt = Long.MIN_VALUE;
                    return;
                }
            }
            CompletableFuture<Acquisition> f = askStore();
            if (!f.isDone()) {
                f.whenComplete((a, ex) -> {
                    if (handle(a, ex)) {
                        drain();
                    }
                });
                return;
            }
            Acquisition a = null;
            Throwable ex = null;
            try {
                a = f.join();
            } catch (RuntimeException t) {
                ex = t.getCause() != null ? t.getCause() : t;
            }
            if (!handle(a, ex)) {
                return;
            }
        }
    }

    /** Applies the store's answer for the head; returns true when the drain should ask again now. */
    private boolean handle(Acquisition a, Throwable ex) {
        long now = clock.nanoTime();
        if (ex != null || a == null) {
            Entry head;
            synchronized (this) {
                head = queue.pollFirst();
                open = synchronousStore && !closed && queue.isEmpty();
            }
            if (head != null) {
                Throwable cause = ex != null ? ex : new IllegalStateException("store answered nothing");
                dispatchReject(head, RateLimitExceededException.storeFailed(name, store.kind(), cause));
            }
            return true;
        }
        if (a.granted()) {
            Entry head;
            synchronized (this) {
                head = queue.pollFirst();
                interval = a.intervalNanos();
                open = synchronousStore && !closed && queue.isEmpty();
            }
            if (head == null) {
                return true; // closed meanwhile; the permit goes unused
            }
            Permit p = new Permit(name, a.grantedAt(), now - head.enqueuedAt);
            // counted before the hand-off: the worker may finish the call before this thread goes on
            countGrant();
            listener.onGranted(name, p);
            try {
                workers.execute(() -> head.waiter.onPermit(p));
            } catch (RejectedExecutionException stopping) {
                // the worker pool is shutting down with the context: the call is not made, the caller hears why
                // (the permit was counted as granted; the caller is also counted as rejected)
                reject(head, RateLimitExceededException.stopped(name, now - head.enqueuedAt, config.maxWait()));
            }
            return true;
        }
        waitFor(a);
        return false;
    }

    /** Remembers the store's wait, rejects waiters it pushes past their deadline, schedules the wake-up. */
    private void waitFor(Acquisition a) {
        long now = clock.nanoTime();
        List<Entry> late = new ArrayList<>();
        List<Long> lateWaits = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                draining = false;
                return;
            }
            boolean pushedOut = a.reason() != Acquisition.WaitReason.PACING || a.intervalNanos() > interval;
            headAt = now + a.waitNanos();
            interval = a.intervalNanos();
            long at = headAt;
            if (pushedOut) {
                Iterator<Entry> it = queue.iterator();
                while (it.hasNext()) {
                    Entry e = it.next();
                    if (at - e.enqueuedAt > maxWaitNanos) {
                        it.remove();
                        late.add(e);
                        lateWaits.add(at - e.enqueuedAt);
                    } else {
                        at += interval;
                    }
                }
            } else {
                Entry head = queue.peekFirst();
                if (head != null && at - head.enqueuedAt > maxWaitNanos) {
                    queue.pollFirst();
                    late.add(head);
                    lateWaits.add(at - head.enqueuedAt);
                }
            }
            if (queue.isEmpty()) {
                draining = false;
                headAt = Long.MIN_VALUE;
                open = synchronousStore;
            } else {
                wakeup = scheduler.schedule(this::onWakeup, a.waitNanos());
            }
        }
        for (int i = 0; i < late.size(); i++) {
            dispatchReject(late.get(i), RateLimitExceededException.maxWait(name, lateWaits.get(i), config.maxWait(),
                    a.reason()));
        }
    }

    private void onWakeup() {
        synchronized (this) {
            wakeup = null;
        }
        drain();
    }

    /**
     * Gives up the drain after this caller's own acquisition. When others queued meanwhile, the drain goes on in a
     * scheduler task, never in this caller's thread: a caller must not serve other callers' permits for as long
     * as they keep coming.
     */
    private void releaseDrain() {
        synchronized (this) {
            if (queue.isEmpty() || closed) {
                draining = false;
                return;
            }
            wakeup = scheduler.schedule(this::onWakeup, 0L);
        }
    }

    private void reject(Entry e, RateLimitExceededException ex) {
        rejectNew(e.waiter, ex);
    }

    private void rejectNew(Waiter waiter, RateLimitExceededException ex) {
        rejected.increment();
        listener.onRejected(name, ex);
        waiter.onRejected(ex);
    }

    private void dispatchReject(Entry e, RateLimitExceededException ex) {
        rejected.increment();
        listener.onRejected(name, ex);
        try {
            workers.execute(() -> e.waiter.onRejected(ex));
        } catch (RejectedExecutionException stopping) {
            e.waiter.onRejected(ex);
        }
    }

    /** Waiting time estimate for a new caller, for diagnostics. */
    public synchronized Duration estimatedWait() {
        long now = clock.nanoTime();
        return Duration.ofNanos(headWait(now) + (long) queue.size() * interval);
    }

    /** Nanoseconds until the head is expected to get its permit; 0 when not known yet (caller holds the monitor). */
    private long headWait(long now) {
        return headAt == Long.MIN_VALUE ? 0L : Math.max(0L, headAt - now);
    }

    /**
     * A count that each thread adds to in its own cell (a {@link ThreadLocal}: no atomic instruction, no cache line
     * shared with other counting threads); {@link #sum()} adds the cells up. Like {@link LongAdder#sum()} the sum
     * is exact once the counting threads are done, and may miss increments made while it runs. Measured with two
     * threads taking permits from one in-memory store on 2 cores: a {@link LongAdder} added about 50 ns per permit
     * (its cells did not stay apart), this counter under 10 ns. A cell stays in the list after its thread ends
     * (its count is part of the sum); the thread's map entry goes with the limiter. Only for stores other than
     * the in-memory one, whose state counts the grants under the lock the grant takes anyway.
     */
    private static final class PerThreadCounter {
        private final List<Cell> cells = new CopyOnWriteArrayList<>();
        private final ThreadLocal<Cell> mine = ThreadLocal.withInitial(this::newCell);

        void increment() {
            mine.get().increment();
        }

        long sum() {
            long sum = 0;
            for (Cell c : cells) {
                sum += c.get();
            }
            return sum;
        }

        private Cell newCell() {
            Cell c = new Cell();
            cells.add(c);
            return c;
        }

        /** Written by one thread only (plain read of its own value, release write), read by any (acquire). */
        private static final class Cell {
            private static final VarHandle VALUE;

            static {
                try {
                    VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", long.class);
                } catch (ReflectiveOperationException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }

            private long value;

            void increment() {
                VALUE.setRelease(this, value + 1);
            }

            long get() {
                return (long) VALUE.getAcquire(this);
            }
        }
    }

    /**
     * The in-memory store's state of this limiter as last looked up, valid while the store's epoch is {@code epoch};
     * {@code grantedBefore}: the grants counted by the states used before it.
     */
    private record Held(LimiterState state, int epoch, long grantedBefore) {
    }

    private static final class Entry {
        final Waiter waiter;
        final long enqueuedAt;

        Entry(Waiter waiter, long enqueuedAt) {
            this.waiter = waiter;
            this.enqueuedAt = enqueuedAt;
        }
    }
}
