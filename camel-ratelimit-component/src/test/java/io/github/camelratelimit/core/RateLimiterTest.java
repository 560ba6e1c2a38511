package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimiter} on a {@link ManualClock} and {@link ManualScheduler} with a direct executor as workers:
 * everything runs on the test thread, so every time and order is exact.
 */
class RateLimiterTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private ManualClock clock = new ManualClock();
    private ManualScheduler scheduler = new ManualScheduler(clock);
    private final Thread testThread = Thread.currentThread();
    /** Ids of callers in the order they got a permit (inline or queued). */
    private final List<Integer> served = new ArrayList<>();
    private final CountingListener listener = new CountingListener();

    /** One caller: records its single outcome, and complains (at the end) if it got more than one. */
    final class Caller implements RateLimiter.Waiter {
        final int id;
        Permit permit;
        RateLimitExceededException rejected;
        long at = -1;
        int outcomes;
        Thread thread;

        Caller(int id) {
            this.id = id;
        }

        Permit acquire(RateLimiter limiter) {
            Permit p = limiter.acquire(this);
            if (p != null) {
                got(p);
            }
            return p;
        }

        @Override
        public void onPermit(Permit p) {
            got(p);
        }

        private void got(Permit p) {
            outcomes++;
            permit = p;
            at = clock.nanoTime();
            thread = Thread.currentThread();
            served.add(id);
        }

        @Override
        public void onRejected(RateLimitExceededException reason) {
            outcomes++;
            rejected = reason;
            at = clock.nanoTime();
            thread = Thread.currentThread();
        }

        boolean waiting() {
            return outcomes == 0;
        }
    }

    static final class CountingListener implements RateLimiterListener {
        final AtomicInteger granted = new AtomicInteger();
        final AtomicInteger queued = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();

        @Override
        public void onGranted(String limiter, Permit permit) {
            granted.incrementAndGet();
        }

        @Override
        public void onQueued(String limiter, Acquisition acquisition) {
            queued.incrementAndGet();
        }

        @Override
        public void onRejected(String limiter, RateLimitExceededException reason) {
            rejected.incrementAndGet();
        }
    }

    /** A store that forwards to another; tests override the call they watch. */
    static class ForwardingStore implements LimiterStore {
        private final LimiterStore target;

        ForwardingStore(LimiterStore target) {
            this.target = target;
        }

        @Override
        public java.util.concurrent.CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
            return target.tryAcquire(limiter, config);
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback f) {
            return target.record(limiter, config, f);
        }

        @Override
        public java.util.concurrent.CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config) {
            return target.snapshot(limiter, config);
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> reset(String limiter, LimiterConfig config) {
            return target.reset(limiter, config);
        }

        @Override
        public String kind() {
            return "forwarding";
        }
    }

    /**
     * Runs {@code duringFirstAsk} inside its first {@code tryAcquire}, before answering: another caller arriving
     * while one is asking the store.
     */
    static final class InterleavingStore extends ForwardingStore {
        private final boolean synchronous;
        private boolean asked;
        Runnable duringFirstAsk = () -> { };

        InterleavingStore(LimiterStore target, boolean synchronous) {
            super(target);
            this.synchronous = synchronous;
        }

        @Override
        public java.util.concurrent.CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
            if (!asked) {
                asked = true;
                duringFirstAsk.run();
            }
            return super.tryAcquire(limiter, config);
        }

        @Override
        public boolean completesSynchronously() {
            return synchronous;
        }
    }

    private RateLimiter limiter(LimiterConfig.Builder config) {
        return limiter(config, new InMemoryLimiterStore(clock));
    }

    private RateLimiter limiter(LimiterConfig.Builder config, LimiterStore store) {
        return new RateLimiter("api", config.build(), store, clock, scheduler, Runnable::run, listener);
    }

    private List<Caller> callers(int n) {
        List<Caller> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Caller(i));
        }
        return list;
    }

    private void assertOneScheduledTaskAtMost() {
        assertTrue(scheduler.size() <= 1, "scheduled tasks: " + scheduler.size());
    }

    // ---- grants and FIFO pacing ----

    @Test
    void withASynchronousStoreACallerArrivingWhileAnotherAsksIsGrantedAtOnce() {
        // the second caller arrives while the first is asking (from inside the store call): nobody waits, the store
        // is synchronous, so it asks too and is granted in its own thread; the first is then told to wait
        InterleavingStore store = new InterleavingStore(new InMemoryLimiterStore(clock), true);
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1000), store);
        Caller second = new Caller(1);
        store.duringFirstAsk = () -> assertNotNull(second.acquire(limiter), "granted alongside, not queued");
        Caller first = new Caller(0);
        assertNull(first.acquire(limiter), "the slot went to the second caller: the first waits one interval");
        assertSame(testThread, second.thread);
        assertEquals(0L, second.at);
        assertEquals(1, limiter.pending());
        scheduler.advance(1_000_000L);
        assertEquals(1_000_000L, first.at);
        assertEquals(2, limiter.granted());
    }

    @Test
    void plainSuccessesAreNotSentToTheStore() {
        java.util.concurrent.atomic.AtomicInteger records = new java.util.concurrent.atomic.AtomicInteger();
        InMemoryLimiterStore memory = new InMemoryLimiterStore(clock);
        LimiterStore counting = new ForwardingStore(memory) {
            @Override
            public java.util.concurrent.CompletionStage<Boolean> record(String l, LimiterConfig c, Feedback f) {
                records.incrementAndGet();
                return super.record(l, c, f);
            }
        };
        RateLimiter limiter = limiter(LimiterConfig.builder(), counting);
        assertFalse(limiter.record(Feedback.success(0L, 200)).join());
        assertFalse(limiter.record(new Feedback(Feedback.Outcome.OTHER, 0L, -1L, 500, null)).join());
        assertEquals(0, records.get(), "nothing for the store to learn");
        limiter.record(Feedback.success(0L, 200).withProviderQuota(new ProviderQuota(100, 50, 1_000_000_000L, -1)));
        assertFalse(limiter.record(Feedback.throttled(0L, 429, -1L)).join(), "a lone throttle arms an event");
        assertEquals(2, records.get(), "a provider report and a throttle go to the store");
        clock.advance(LimiterState.MAX_MEASURE_NANOS); // nothing accepted: the event measures at its 1 s bound
        assertTrue(limiter.record(Feedback.throttled(0L, 429, -1L)).join(), "the store's answer comes back: a cut");
        assertEquals(3, records.get());
    }

    @Test
    void aCallerGrantedInlineNeverServesOthersQueuedMeanwhileInItsOwnThread() {
        // while the first caller asks the store, a second caller arrives (here: from inside the store call) and
        // queues; the first returns with its permit at once, and the second is served by a scheduler task
        InterleavingStore store = new InterleavingStore(new InMemoryLimiterStore(clock), false);
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1000), store);
        Caller second = new Caller(1);
        store.duringFirstAsk = () -> assertNull(second.acquire(limiter), "the second caller queues behind the drain");
        Caller first = new Caller(0);
        assertNotNull(first.acquire(limiter));
        assertTrue(second.waiting(), "not served in the first caller's thread");
        assertEquals(1, scheduler.size(), "the drain was handed to the scheduler");
        scheduler.advance(1_000_000L); // 1 ms: the second permit is due one interval after the first
        assertEquals(1, second.outcomes);
        assertNotNull(second.permit);
        assertEquals(1_000_000L, second.at);
    }

    @Test
    void aQueuedCallThatStartsLateWidensTheWindowForTheNextOne() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1)); // 1 per 1.001 s
        List<Caller> callers = callers(3);
        Permit first = callers.get(0).acquire(limiter);
        limiter.started(first); // granted at once, started on time: nothing to report
        assertNull(callers.get(1).acquire(limiter));
        scheduler.advance(1001 * MS);
        assertEquals(1001 * MS, callers.get(1).permit.grantedAt());
        clock.advance(50 * MS); // its worker starts the call 50 ms after the grant
        limiter.started(callers.get(1).permit);
        assertNull(callers.get(2).acquire(limiter));
        scheduler.advance(3 * S);
        // 1 s after the late start (1.051 s): its lateness replaces the guard's 1 ms; not 1.001 s after the grant
        assertEquals(2051 * MS, callers.get(2).permit.grantedAt());
    }

    @Test
    void theFirstCallsGrantedAtOnceAreCheckedForALateStartTooLaterOnesNot() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1)); // 1 per 1.001 s
        Permit first = new Caller(0).acquire(limiter);
        clock.advance(5 * MS); // the first call ran cold code: it started 5 ms after its grant
        limiter.started(first);
        Caller second = new Caller(1);
        assertNull(second.acquire(limiter));
        scheduler.advance(2 * S);
        assertEquals(1005 * MS, second.permit.grantedAt(), "1 s after the late start, not 1.001 s after the grant");
        for (int i = 1; i < RateLimiter.COLD_STARTS; i++) {
            limiter.started(new Permit("api", clock.nanoTime(), 0L)); // on time
        }
        scheduler.advance(S); // an idle second
        Permit late = new Caller(2).acquire(limiter);
        assertNotNull(late);
        clock.advance(5 * MS);
        limiter.started(late); // past the first calls: a permit granted at once is not checked any more
        Caller fourth = new Caller(3);
        assertNull(fourth.acquire(limiter));
        scheduler.advance(2 * S);
        assertEquals(late.grantedAt() + 1001 * MS, fourth.permit.grantedAt());
    }

    @Test
    void theFastPathLooksUpItsStateAgainWhenTheStoreReplacedIt() {
        InMemoryLimiterStore store = new InMemoryLimiterStore(clock);
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1), store);
        assertNotNull(new Caller(0).acquire(limiter));
        store.remove("api"); // e.g. no endpoint used it any more
        assertNotNull(new Caller(1).acquire(limiter), "a fresh state grants at once; the kept one would say wait");
        // another limiter object of the same name with other settings replaces the state, and this one's
        RateLimiter other = limiter(LimiterConfig.builder().maxRate(2), store);
        assertNotNull(new Caller(2).acquire(other));
        assertNotNull(new Caller(3).acquire(limiter), "started afresh again with its own settings");
        assertEquals(3, limiter.granted(), "counted across the states it used");
        assertEquals(1, other.granted());
    }

    @Test
    void aNewcomerNeverOvertakesAWaiterEvenWhenAPermitIsDue() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10)); // 100 ms
        List<Caller> callers = callers(3);
        assertNotNull(callers.get(0).acquire(limiter));
        assertNull(callers.get(1).acquire(limiter)); // queued, wake-up at 100 ms
        clock.advance(150 * MS); // time passes, the wake-up has not run yet: the store would grant now
        assertNull(callers.get(2).acquire(limiter), "queued behind the waiter, not granted past it");
        assertEquals(2, limiter.pending());
        scheduler.advance(0); // the late wake-up serves the waiter first
        assertEquals(List.of(0, 1), served);
        assertEquals(150 * MS, callers.get(1).at);
        scheduler.advance(50 * MS); // the newcomer keeps the grid: one interval after the waiter's slot
        assertEquals(List.of(0, 1, 2), served);
        assertEquals(200 * MS, callers.get(2).at);
        // the queue is empty again: the next caller after an interval is granted in its own thread
        clock.advance(100 * MS);
        Caller last = new Caller(3);
        assertNotNull(last.acquire(limiter));
        assertSame(testThread, last.thread);
        assertEquals(0, scheduler.size());
    }

    /** A store that claims to answer at once but returns a pending stage: the caller is not blocked. */
    @Test
    void aSynchronousStoreThatAnswersLateIsNotWaitedFor() {
        AsyncStore late = new AsyncStore() {
            @Override
            public boolean completesSynchronously() {
                return true;
            }
        };
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10).maxWait(Duration.ofSeconds(1)), late);
        List<Caller> callers = callers(4);
        for (Caller c : callers) {
            assertNull(c.acquire(limiter), "not blocked on the pending answer");
        }
        assertEquals(4, late.asked.size());
        clock.advance(5 * MS);
        late.asked.poll().complete(Acquisition.granted(5 * MS, 100 * MS));
        assertEquals(new Permit("api", 5 * MS, 5 * MS), callers.get(0).permit, "handed over, waited 5 ms");
        late.asked.poll().complete(Acquisition.wait(95 * MS, 100 * MS, Acquisition.WaitReason.PACING));
        assertTrue(callers.get(1).waiting());
        assertEquals(1, limiter.pending());
        late.asked.poll().completeExceptionally(new IllegalStateException("gone"));
        assertEquals(RateLimitExceededException.Reason.STORE_FAILED, callers.get(2).rejected.getReason());
        late.asked.poll().complete(Acquisition.wait(2 * S, 100 * MS, Acquisition.WaitReason.PAUSED));
        assertEquals(RateLimitExceededException.Reason.MAX_WAIT, callers.get(3).rejected.getReason());
        scheduler.advance(95 * MS); // the wake-up asks again for the queued caller
        late.asked.poll().complete(Acquisition.granted(100 * MS, 100 * MS));
        assertEquals(new Permit("api", 100 * MS, 100 * MS), callers.get(1).permit, "waited since it asked");
        assertEquals(2, limiter.granted());
        assertEquals(2, limiter.rejected());
        assertEquals(0, limiter.pending());
        for (Caller c : callers) {
            assertEquals(1, c.outcomes, "caller " + c.id);
        }
    }

    @Test
    void atTheCeilingRateNoCallerWaitsForPacing() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1_000_000_000)); // 1 ns
        for (int i = 0; i < 1000; i++) {
            assertNotNull(new Caller(i).acquire(limiter), "call " + i);
            clock.advance(1);
        }
        assertEquals(1000, limiter.granted());
        assertEquals(0, scheduler.size());
    }

    @Test
    void theFirstAcquireIsGrantedInline() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10));
        Caller c = new Caller(0);
        Permit p = c.acquire(limiter);
        assertNotNull(p);
        assertEquals(new Permit("api", 0L, 0L), p);
        assertSame(testThread, c.thread);
        assertEquals(0, scheduler.size());
        assertEquals(0, limiter.pending());
        assertEquals(1, limiter.granted());
        assertEquals(1, listener.granted.get());
        assertEquals(0, listener.queued.get());
    }

    @Test
    void grantNowGrantsWhatAcquireWouldGrantAtOnceAndNothingElse() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10)); // 100 ms
        assertEquals(0L, limiter.grantNow());
        assertEquals(RateLimiter.NOT_NOW, limiter.grantNow(), "the next permit is 100 ms away");
        assertEquals(1, limiter.granted());
        assertEquals(1, listener.granted.get(), "heard through the default onGrantedAtOnce: as onGranted");
        Caller waiting = new Caller(0);
        assertNull(waiting.acquire(limiter), "NOT_NOW took nothing: acquire asks again and queues");
        clock.advance(100 * MS);
        assertEquals(RateLimiter.NOT_NOW, limiter.grantNow(), "a permit is due, but a waiter is queued: no overtaking");
        scheduler.advance(0);
        assertEquals(100 * MS, waiting.permit.grantedAt());
        clock.advance(100 * MS);
        assertEquals(200 * MS, limiter.grantNow());
        assertEquals(3, limiter.granted());
        limiter.close();
        clock.advance(S);
        assertEquals(RateLimiter.NOT_NOW, limiter.grantNow(), "closed");
    }

    @Test
    void grantNowAllocatesNoPermitForAListenerThatHearsGrantsAtOnce() {
        List<Long> heard = new ArrayList<>();
        RateLimiter limiter = new RateLimiter("api", LimiterConfig.builder().maxRate(10).build(),
                new InMemoryLimiterStore(clock), clock, scheduler, Runnable::run, new RateLimiterListener() {
                    @Override
                    public void onGranted(String name, Permit permit) {
                        throw new AssertionError("a grant at once is heard through onGrantedAtOnce");
                    }

                    @Override
                    public void onGrantedAtOnce(String name, long grantedAt) {
                        heard.add(grantedAt);
                    }
                });
        clock.advance(7 * MS);
        assertEquals(7 * MS, limiter.grantNow());
        assertEquals(List.of(7 * MS), heard);
    }

    @Test
    void grantNowIsNeverAPermitWithAStoreOtherThanTheInMemoryOne() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10),
                new ForwardingStore(new InMemoryLimiterStore(clock)));
        assertEquals(RateLimiter.NOT_NOW, limiter.grantNow());
        assertNotNull(new Caller(0).acquire(limiter), "acquire asks that store");
    }

    @Test
    void aCallGrantedNowThatStartsLateIsReportedLikeAPermitGrantedAtOnce() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1)); // 1 per 1.001 s
        long at = limiter.grantNow();
        clock.advance(5 * MS); // cold code: the call started 5 ms after its grant
        limiter.startedAtOnce(at);
        Caller second = new Caller(1);
        assertNull(second.acquire(limiter));
        scheduler.advance(2 * S);
        assertEquals(1005 * MS, second.permit.grantedAt(), "1 s after the late start, not 1.001 s after the grant");
    }

    @Test
    void aBurstIsServedFifoAtExactlyOneIntervalApart() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10)); // 100 ms
        List<Caller> callers = callers(6);
        assertNotNull(callers.get(0).acquire(limiter));
        for (Caller c : callers.subList(1, 6)) {
            assertNull(c.acquire(limiter));
            assertOneScheduledTaskAtMost();
        }
        assertEquals(5, limiter.pending());
        assertEquals(List.of(100 * MS), scheduler.pendingDelays());
        for (int k = 1; k < 6; k++) {
            scheduler.advance(100 * MS - 1);
            assertTrue(callers.get(k).waiting(), "caller " + k + " served early");
            scheduler.advance(1);
            Caller c = callers.get(k);
            assertEquals(k * 100 * MS, c.at);
            assertEquals(new Permit("api", k * 100 * MS, k * 100 * MS), c.permit);
            assertSame(testThread, c.thread);
            assertOneScheduledTaskAtMost();
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), served);
        assertEquals(0, limiter.pending());
        assertEquals(0, scheduler.size());
        assertEquals(6, limiter.granted());
    }

    @Test
    void tenThousandWaitersNeedOneScheduledTaskAndNoExtraThread() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1000)); // 1 ms; maxPending 10,000
        List<Caller> callers = callers(10_002);
        assertNotNull(callers.get(0).acquire(limiter));
        for (Caller c : callers.subList(1, 10_001)) {
            assertNull(c.acquire(limiter));
        }
        assertEquals(10_000, limiter.pending());
        assertEquals(1, scheduler.size());
        assertEquals(Duration.ofMillis(10_001), limiter.estimatedWait()); // head at 1 ms + 10,000 intervals
        // the 10,001st waiter is one too many
        callers.get(10_001).acquire(limiter);
        assertEquals(RateLimitExceededException.Reason.MAX_PENDING, callers.get(10_001).rejected.getReason());

        scheduler.advance(10_010 * MS);
        for (int i = 1; i <= 10_000; i++) {
            Caller c = callers.get(i);
            assertNotNull(c.permit, "caller " + i);
            // 1,000 per 1.001 s (LimiterState's window guard): 1 ms more per second
            assertEquals(i * MS + (i / 1000) * MS, c.permit.grantedAt());
            assertEquals(i * MS + (i / 1000) * MS, c.at);
            assertSame(testThread, c.thread);
            assertEquals(1, c.outcomes);
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            inOrder.add(i);
        }
        assertEquals(inOrder, served);
        assertEquals(0, scheduler.size());
        assertEquals(10_001, limiter.granted());
        assertEquals(1, limiter.rejected());
    }

    // ---- bounds ----

    @Test
    void maxWaitRejectsAtOnceWithAMessageNamingLimiterWaitAndBound() {
        // at 1/s grants are 1.001 s apart (LimiterState's window guard); the estimate adds 1 s per waiter
        RateLimiter limiter = limiter(LimiterConfig.builder().minRate(1).maxRate(1).maxWait(Duration.ofMillis(2_002)));
        List<Caller> callers = callers(4);
        callers.get(0).acquire(limiter);
        callers.get(1).acquire(limiter); // 1.001 s
        callers.get(2).acquire(limiter); // estimated 2.001 s, granted at 2.002 s: exactly maxWait, admitted
        assertNull(callers.get(3).acquire(limiter)); // estimated 3.001 s
        RateLimitExceededException e = callers.get(3).rejected;
        assertNotNull(e, "rejected before acquire returned");
        assertSame(testThread, callers.get(3).thread);
        assertEquals(RateLimitExceededException.Reason.MAX_WAIT, e.getReason());
        assertEquals("api", e.getLimiter());
        assertEquals(Duration.ofMillis(3_001), e.getWaitNeeded());
        assertEquals(Duration.ofMillis(2_002), e.getMaxWait());
        assertEquals("Rate limiter 'api' cannot grant a permit within maxWait=2.002s: the wait needed is 3.001s"
                + " (pacing at the current rate)", e.getMessage());
        assertEquals(2, limiter.pending());
        assertEquals(1, limiter.rejected());
        scheduler.advance(2_002 * MS);
        assertEquals(1_001 * MS, callers.get(1).at);
        assertEquals(2_002 * MS, callers.get(2).at);
    }

    @Test
    void maxWaitRejectsTheFirstAskerToo() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1).maxWait(Duration.ofMillis(500)));
        List<Caller> callers = callers(2);
        callers.get(0).acquire(limiter);
        assertNull(callers.get(1).acquire(limiter));
        RateLimitExceededException e = callers.get(1).rejected;
        assertEquals("Rate limiter 'api' cannot grant a permit within maxWait=500ms: the wait needed is 1.001s"
                + " (pacing at the current rate)", e.getMessage());
        assertEquals(0, scheduler.size());
        assertEquals(0, limiter.pending());
        // the limiter is not stuck: the next caller after the wait it was told is granted inline
        clock.advance(1_001 * MS);
        assertNotNull(new Caller(2).acquire(limiter));
    }

    @Test
    void maxPendingRejectsTheNextWaiter() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1).maxPending(3));
        List<Caller> callers = callers(5);
        for (Caller c : callers.subList(0, 4)) {
            c.acquire(limiter);
        }
        assertEquals(3, limiter.pending());
        callers.get(4).acquire(limiter);
        RateLimitExceededException e = callers.get(4).rejected;
        assertEquals(RateLimitExceededException.Reason.MAX_PENDING, e.getReason());
        assertNull(e.getWaitNeeded());
        assertEquals("Rate limiter 'api' already has 3 exchanges waiting for a permit (maxPending=3)", e.getMessage());
        assertEquals(3, limiter.pending());
    }

    @Test
    void maxPendingZeroMeansNobodyWaits() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(1).maxPending(0));
        List<Caller> callers = callers(2);
        assertNotNull(callers.get(0).acquire(limiter));
        callers.get(1).acquire(limiter);
        assertEquals("Rate limiter 'api' already has 0 exchanges waiting for a permit (maxPending=0)",
                callers.get(1).rejected.getMessage());
        assertEquals(0, scheduler.size());
    }

    // ---- pauses ----

    /** minRate = maxRate, so a cut would change nothing and only the pause shows. */
    private RateLimiter fixedTenPerSecond() {
        return limiter(LimiterConfig.builder().minRate(10).maxRate(10).maxWait(Duration.ofSeconds(2)));
    }

    @Test
    void aPauseRecordedWhileCallersWaitHoldsThemAllBack() {
        RateLimiter limiter = fixedTenPerSecond();
        List<Caller> callers = callers(6);
        Permit first = callers.get(0).acquire(limiter);
        for (Caller c : callers.subList(1, 6)) {
            c.acquire(limiter);
        }
        // a lone throttle does not cut (it arms a congestion event) but its Retry-After pauses every permit
        assertFalse(limiter.record(Feedback.throttled(first.grantedAt(), 429, S)).join());
        scheduler.advance(100 * MS); // the wake-up finds the pause
        for (Caller c : callers.subList(1, 6)) {
            assertTrue(c.waiting());
        }
        assertEquals(List.of(900 * MS), scheduler.pendingDelays());
        scheduler.advance(900 * MS - 1);
        assertTrue(callers.get(1).waiting());
        scheduler.advance(1 + 400 * MS);
        for (int k = 1; k < 6; k++) {
            assertEquals(S + (k - 1) * 100 * MS, callers.get(k).at, "caller " + k);
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), served);
    }

    @Test
    void aPauseLongerThanMaxWaitRejectsTheWaitersItPushesOutThenNotLater() {
        RateLimiter limiter = fixedTenPerSecond(); // maxWait 2 s
        List<Caller> callers = callers(6);
        Permit first = callers.get(0).acquire(limiter);
        for (Caller c : callers.subList(1, 6)) {
            c.acquire(limiter);
        }
        limiter.record(Feedback.throttled(first.grantedAt(), 429, 1_750 * MS));
        scheduler.advance(100 * MS);
        // starts would be 1.75 s, 1.85 s, 1.95 s, 2.05 s, 2.05 s: the last two are past maxWait, rejected now
        for (int k = 4; k < 6; k++) {
            Caller c = callers.get(k);
            assertNotNull(c.rejected, "caller " + k);
            assertEquals(100 * MS, c.at);
            assertEquals(RateLimitExceededException.Reason.MAX_WAIT, c.rejected.getReason());
            assertEquals(Duration.ofMillis(2_050), c.rejected.getWaitNeeded());
            assertEquals("Rate limiter 'api' cannot grant a permit within maxWait=2s: the wait needed is 2.050s"
                    + " (paused by the provider's Retry-After)", c.rejected.getMessage());
        }
        assertEquals(3, limiter.pending());
        scheduler.advance(2 * S);
        assertEquals(1_750 * MS, callers.get(1).at);
        assertEquals(1_850 * MS, callers.get(2).at);
        assertEquals(1_950 * MS, callers.get(3).at);
        assertEquals(List.of(0, 1, 2, 3), served);
        assertEquals(4, limiter.granted());
        assertEquals(2, limiter.rejected());
    }

    @Test
    void aPausePushingOutTheOnlyWaiterNamesItsRealWait() {
        RateLimiter limiter = fixedTenPerSecond(); // maxWait 2 s
        List<Caller> callers = callers(2);
        Permit first = callers.get(0).acquire(limiter);
        callers.get(1).acquire(limiter);
        limiter.record(Feedback.throttled(first.grantedAt(), 429, 5 * S));
        scheduler.advance(100 * MS);
        RateLimitExceededException e = callers.get(1).rejected;
        assertNotNull(e);
        assertEquals(100 * MS, callers.get(1).at);
        assertEquals(Duration.ofSeconds(5), e.getWaitNeeded());
        assertEquals("Rate limiter 'api' cannot grant a permit within maxWait=2s: the wait needed is 5s"
                + " (paused by the provider's Retry-After)", e.getMessage());
        assertEquals(0, scheduler.size());
        assertEquals(0, limiter.pending());
    }

    // ---- close ----

    @Test
    void closeRejectsEveryWaiterAndEveryLaterCaller() {
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10));
        List<Caller> callers = callers(5);
        for (Caller c : callers.subList(0, 4)) {
            c.acquire(limiter);
        }
        scheduler.advance(50 * MS);
        limiter.close();
        for (Caller c : callers.subList(1, 4)) {
            assertEquals(RateLimitExceededException.Reason.STOPPED, c.rejected.getReason());
            assertEquals("Rate limiter 'api' stopped while the exchange waited for a permit (waited 50ms);"
                    + " the call was not made", c.rejected.getMessage());
            assertEquals(50 * MS, c.at);
        }
        assertEquals(0, scheduler.size());
        assertEquals(0, limiter.pending());
        assertNull(callers.get(4).acquire(limiter));
        assertEquals(RateLimitExceededException.Reason.STOPPED, callers.get(4).rejected.getReason());
        limiter.close(); // idempotent
        scheduler.advance(10 * S);
        for (Caller c : callers) {
            assertEquals(1, c.outcomes, "caller " + c.id);
        }
        assertEquals(1, limiter.granted());
        assertEquals(4, limiter.rejected());
        assertEquals(4, listener.rejected.get());
    }

    /** close() racing with the first asker: the store answers "wait" after the limiter was closed. */
    @Test
    void aCallerRacingWithCloseStillGetsExactlyOneOutcome() {
        HookStore store = new HookStore(new InMemoryLimiterStore(clock));
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10), store);
        List<Caller> callers = callers(2);
        callers.get(0).acquire(limiter);
        store.beforeAnswer = limiter::close;
        assertNull(callers.get(1).acquire(limiter));
        assertEquals(1, callers.get(1).outcomes);
        assertEquals(RateLimitExceededException.Reason.STOPPED, callers.get(1).rejected.getReason());
        assertEquals(0, limiter.pending());
        assertEquals(0, scheduler.size());
    }

    // ---- stores that answer later or fail ----

    @Test
    void anAsyncStoreQueuesCallersWhileItAnswers() {
        clock = new ManualClock(5 * S, 1_767_225_600_000L); // any start: monotonic time may be anything
        scheduler = new ManualScheduler(clock);
        AsyncStore store = new AsyncStore();
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10), store);
        List<Caller> callers = callers(3);
        assertNull(callers.get(0).acquire(limiter));
        assertEquals(1, store.asked.size());
        // while the store has not answered, later callers queue behind the first
        assertNull(callers.get(1).acquire(limiter));
        assertNull(callers.get(2).acquire(limiter));
        assertTrue(callers.get(1).waiting(), () -> "rejected: " + callers.get(1).rejected);
        assertTrue(callers.get(2).waiting(), () -> "rejected: " + callers.get(2).rejected);
        assertEquals(3, limiter.pending());

        store.asked.poll().complete(Acquisition.granted(5 * S, 100 * MS));
        assertEquals(5 * S, callers.get(0).permit.grantedAt());
        assertEquals(1, store.asked.size(), "the drain asks again for the next caller");
        store.asked.poll().complete(Acquisition.wait(100 * MS, 100 * MS, Acquisition.WaitReason.PACING));
        assertEquals(List.of(100 * MS), scheduler.pendingDelays());
        scheduler.advance(100 * MS);
        store.asked.poll().complete(Acquisition.granted(5 * S + 100 * MS, 100 * MS));
        assertEquals(new Permit("api", 5 * S + 100 * MS, 100 * MS), callers.get(1).permit);
        store.asked.poll().completeExceptionally(new IllegalStateException("connection reset"));
        RateLimitExceededException e = callers.get(2).rejected;
        assertEquals(RateLimitExceededException.Reason.STORE_FAILED, e.getReason());
        assertEquals("Rate limiter 'api' could not get a permit from its async store:"
                + " java.lang.IllegalStateException: connection reset", e.getMessage());
        assertTrue(store.asked.isEmpty());
        assertEquals(0, limiter.pending());
        assertEquals(List.of(0, 1), served);
    }

    @Test
    void aStoreThatThrowsRejectsWithStoreFailedAndTheLimiterGoesOn() {
        HookStore store = new HookStore(new InMemoryLimiterStore(clock));
        RateLimiter limiter = limiter(LimiterConfig.builder().maxRate(10), store);
        store.beforeAnswer = () -> {
            throw new IllegalStateException("down");
        };
        Caller c = new Caller(0);
        assertNull(c.acquire(limiter));
        assertEquals(RateLimitExceededException.Reason.STORE_FAILED, c.rejected.getReason());
        assertEquals("down", c.rejected.getCause().getMessage());
        store.beforeAnswer = null;
        assertNotNull(new Caller(1).acquire(limiter));
        assertEquals(1, limiter.rejected());
    }

    // ---- exactly one outcome per caller, whatever happens ----

    @Test
    void everyCallerGetsExactlyOneOutcome() {
        SplittableRandom random = new SplittableRandom(2026);
        int total = 0;
        for (int round = 0; round < 20; round++) {
            clock = new ManualClock();
            scheduler = new ManualScheduler(clock);
            served.clear();
            RateLimiter limiter = limiter(LimiterConfig.builder().minRate(2).maxRate(20).quota(15)
                    .quotaWindow(Duration.ofSeconds(1)).maxWait(Duration.ofSeconds(1)).maxPending(12)
                    .signalCooldown(Duration.ofMillis(300)));
            List<Caller> callers = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                int action = random.nextInt(10);
                if (action < 5) {
                    for (int i = random.nextInt(4); i >= 0; i--) {
                        Caller c = new Caller(callers.size());
                        callers.add(c);
                        c.acquire(limiter);
                    }
                } else if (action < 9) {
                    scheduler.advance(random.nextLong(200 * MS));
                } else {
                    long retryAfter = random.nextBoolean() ? -1 : random.nextLong(3 * S);
                    limiter.record(Feedback.throttled(clock.nanoTime(), 429, retryAfter));
                }
                assertOneScheduledTaskAtMost();
                for (Caller c : callers) {
                    assertTrue(c.outcomes <= 1, "caller " + c.id + " got " + c.outcomes + " outcomes");
                }
            }
            scheduler.advance(random.nextLong(S));
            limiter.close();
            scheduler.advance(10 * S);
            long permits = 0;
            long rejections = 0;
            for (Caller c : callers) {
                assertEquals(1, c.outcomes, "caller " + c.id);
                if (c.permit != null) {
                    permits++;
                } else {
                    rejections++;
                }
            }
            assertEquals(permits, limiter.granted());
            assertEquals(rejections, limiter.rejected());
            // FIFO: permits in arrival order
            for (int i = 1; i < served.size(); i++) {
                assertTrue(served.get(i - 1) < served.get(i), "served out of order: " + served);
            }
            assertEquals(0, scheduler.size());
            total += callers.size();
        }
        assertEquals(total, listener.granted.get() + listener.rejected.get());
    }

    // ---- test stores ----

    /** Delegates to a store, running a hook first (to simulate a race or a failure deterministically). */
    static final class HookStore implements LimiterStore {
        final LimiterStore delegate;
        Runnable beforeAnswer;

        HookStore(LimiterStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
            Runnable hook = beforeAnswer;
            if (hook != null) {
                hook.run();
            }
            return delegate.tryAcquire(limiter, config);
        }

        @Override
        public CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback) {
            return delegate.record(limiter, config, feedback);
        }

        @Override
        public CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config) {
            return delegate.snapshot(limiter, config);
        }

        @Override
        public CompletionStage<Void> reset(String limiter, LimiterConfig config) {
            return delegate.reset(limiter, config);
        }

        @Override
        public String kind() {
            return "hook";
        }
    }

    /** Answers only when the test completes the returned futures. */
    static class AsyncStore implements LimiterStore {
        final ArrayDeque<CompletableFuture<Acquisition>> asked = new ArrayDeque<>();

        @Override
        public CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
            CompletableFuture<Acquisition> f = new CompletableFuture<>();
            asked.add(f);
            return f;
        }

        @Override
        public CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletionStage<Void> reset(String limiter, LimiterConfig config) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String kind() {
            return "async";
        }
    }
}
