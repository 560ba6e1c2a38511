package io.github.camelratelimit;

import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.ManualClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JvmPauseWatch}: which GC notifications count as pauses, and how long they are taken to be. */
class JvmPauseWatchTest {

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock();
    private final InMemoryLimiterStore store = new InMemoryLimiterStore(clock);
    private final LimiterConfig onePerSecond = LimiterConfig.builder().maxRate(1).build(); // 1 per 1.001 s

    /** Grants one permit at 0, lets {@code heard} happen at 20 ms, and returns the wait at 1.001 s. */
    private long waitAfter(Runnable heard) {
        assertTrue(store.acquireNow("api", onePerSecond).granted());
        clock.advance(20 * MS);
        heard.run();
        clock.advance(981 * MS);
        return store.acquireNow("api", onePerSecond).waitNanos();
    }

    @Test
    void aYoungCollectionsPauseWidensTheWindowsByItsDurationRoundedUp() {
        try (JvmPauseWatch watch = JvmPauseWatch.start(store)) {
            // 12 ms reported (whole ms): taken as 13 ms, of which the guard covers 1 ms
            assertEquals(12 * MS, waitAfter(() -> watch.heard("end of minor GC", 12)));
        }
    }

    @Test
    void aConcurrentCollectorsCycleIsNoPause() {
        try (JvmPauseWatch watch = JvmPauseWatch.start(store)) {
            long wait = waitAfter(() -> {
                watch.heard("end of GC cycle", 500); // ZGC / Shenandoah cycles run beside the application
                watch.heard("end of minor GC", -1);
                watch.heard(null, 5);
            });
            assertTrue(wait <= 1, "only the limiter's own pacing: " + wait); // the next permit is due now
        }
    }

    @Test
    void fullCollectionsAndPausesOfConcurrentCollectorsCount() {
        for (String action : JvmPauseWatch.PAUSES) {
            InMemoryLimiterStore fresh = new InMemoryLimiterStore(clock);
            try (JvmPauseWatch watch = JvmPauseWatch.start(fresh)) {
                assertTrue(fresh.acquireNow(action, onePerSecond).granted());
                clock.advance(10 * MS); // the pause ends 10 ms after the grant (a start right at the grant would
                watch.heard(action, 3); // leave the window exactly when the next permit is due)
                clock.advance(991 * MS);
                assertEquals(3 * MS, fresh.acquireNow(action, onePerSecond).waitNanos(), action);
            }
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        JvmPauseWatch watch = JvmPauseWatch.start(store);
        watch.close();
        watch.close();
    }
}
