package io.github.camelratelimit.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.ManualClock;
import io.github.camelratelimit.core.ManualScheduler;
import io.github.camelratelimit.core.RateLimiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watch's state machine on synthetic snapshots and a manual clock: exact events and health. */
class LimiterWatchTest {

    private static final long S = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private LimiterWatch watch;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        LimiterConfig config = LimiterConfig.builder().minRate(2).maxRate(10).build();
        RateLimiter limiter = new RateLimiter("w", config, new InMemoryLimiterStore(clock), clock,
                new ManualScheduler(clock), Runnable::run, null);
        watch = new LimiterWatch(limiter, clock, new RateLimitEvents());
        logs = new LogCapture();
    }

    @AfterEach
    void tearDown() {
        logs.close();
    }

    private static LimiterSnapshot snap(double rate, long pauseNanos, long cuts) {
        return new LimiterSnapshot(rate, 2, 10, pauseNanos, cuts, 500, 0, 0, -1);
    }

    @Test
    void cutPauseResumeRecoverAreLoggedOnceWithExactFigures() {
        watch.observe(snap(10, 0, 0), 0);
        assertTrue(logs.all().isEmpty(), "first sample only synchronises");
        watch.observe(snap(7, 30 * S, 1), 1 * S);
        watch.observe(snap(7.5, 29 * S, 1), 2 * S); // still paused, still recovering: nothing new
        watch.observe(snap(8, 0, 1), 31 * S);
        watch.observe(snap(10, 0, 1), 50 * S);
        watch.observe(snap(10, 0, 1), 51 * S);

        List<Map<String, Object>> all = logs.all();
        assertEquals(List.of("limiter_paused", "rate_decreased", "limiter_resumed", "rate_recovered"),
                all.stream().map(m -> m.get("event")).toList());
        assertEquals(Map.of("level", "WARN", "event", "limiter_paused", "limiter", "w", "pauseMs", 30_000L), all.get(0));
        assertEquals(Map.of("level", "WARN", "event", "rate_decreased", "limiter", "w", "old", 10.0, "new", 7.0,
                "cuts", 1L, "atFloor", false), all.get(1));
        assertEquals(Map.of("level", "INFO", "event", "limiter_resumed", "limiter", "w", "pausedMs", 30_000L),
                all.get(2));
        assertEquals(Map.of("level", "INFO", "event", "rate_recovered", "limiter", "w", "old", 7.0, "new", 10.0,
                "tookMs", 49_000L), all.get(3));
        assertEquals(1, watch.cutsObserved());
    }

    @Test
    void healthGoesDownWhenPausedLongerThanTheThresholdAndBackUp() {
        Duration downAfter = Duration.ofMinutes(5);
        watch.observe(snap(10, 0, 0), 0);
        watch.observe(snap(10, 600 * S, 0), 10 * S);
        assertEquals(new LimiterWatch.Health("w", "paused", false, 0, 0), watch.health(10 * S, downAfter));
        assertEquals(new LimiterWatch.Health("w", "paused", false, 300_000, 0), watch.health(310 * S, downAfter));
        assertEquals(new LimiterWatch.Health("w", "paused", true, 300_001, 0), watch.health(310 * S + 1_000_000, downAfter));
        watch.observe(snap(10, 0, 0), 610 * S);
        assertEquals(new LimiterWatch.Health("w", "ok", false, 0, 0), watch.health(610 * S, downAfter));
    }

    @Test
    void healthGoesDownWhenAtTheFloorLongerThanTheThreshold() {
        Duration downAfter = Duration.ofSeconds(60);
        watch.observe(snap(10, 0, 0), 0);
        watch.observe(snap(2, 0, 1), 1 * S);
        watch.observe(snap(2, 0, 2), 40 * S);
        assertEquals(new LimiterWatch.Health("w", "floor", false, 0, 39_000), watch.health(40 * S, downAfter));
        watch.observe(snap(2, 0, 3), 62 * S);
        assertEquals(new LimiterWatch.Health("w", "floor", true, 0, 61_000), watch.health(62 * S, downAfter));
        watch.observe(snap(2.5, 0, 3), 63 * S);
        assertEquals(new LimiterWatch.Health("w", "ok", false, 0, 0), watch.health(63 * S, downAfter));
        assertEquals(Boolean.TRUE, logs.events("rate_decreased").get(0).get("atFloor"));
    }

    @Test
    void resetOrReconfigureResynchronisesWithoutFalseEvents() {
        watch.observe(snap(10, 0, 0), 0);
        watch.observe(snap(7, 0, 1), S);
        watch.observe(snap(10, 0, 0), 2 * S); // reset: cuts went back to 0
        watch.observe(snap(10, 0, 0), 3 * S);
        assertEquals(List.of("rate_decreased"), logs.all().stream().map(m -> m.get("event")).toList());
    }

    @Test
    void pacingLogIsRateLimitedPerIntervalAndCountsWhatItSuppressed() {
        long interval = 5 * S;
        assertTrue(watch.pacingLogDue(0, interval));
        assertEquals(0, watch.takeSuppressed());
        for (int i = 1; i <= 999; i++) {
            assertFalse(watch.pacingLogDue(i * 4_000_000L, interval)); // 1000 waits/s for ~4 s
        }
        assertTrue(watch.pacingLogDue(5 * S, interval));
        assertEquals(999, watch.takeSuppressed());
        assertFalse(watch.pacingLogDue(5 * S + 1, interval));
        assertTrue(watch.pacingLogDue(10 * S, interval));
        assertEquals(1, watch.takeSuppressed());
    }

    @Test
    void recentThrottlesKeepTheLastTwenty() {
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofMillis(1));
            watch.onThrottled(429, i * 1_000_000_000L, 0, i == 0);
        }
        List<LimiterWatch.Throttle> r = watch.recentThrottles();
        assertEquals(LimiterWatch.RECENT_THROTTLES, r.size());
        assertEquals(5_000, r.get(0).retryAfterMillis());
        assertEquals(24_000, r.get(19).retryAfterMillis());
        assertEquals(Map.of(429, 25L), watch.throttledByStatus());
    }
}
