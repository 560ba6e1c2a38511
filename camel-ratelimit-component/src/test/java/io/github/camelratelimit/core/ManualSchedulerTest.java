package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ManualScheduler} and {@link ManualClock}: the deterministic time the other tests stand on. */
class ManualSchedulerTest {

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<String> log = new ArrayList<>();

    private Runnable task(String name) {
        return () -> log.add(name + "@" + clock.nanoTime());
    }

    @Test
    void runsTasksInTimeOrderAtTheirOwnTime() {
        scheduler.schedule(task("c"), 300);
        scheduler.schedule(task("a"), 100);
        scheduler.schedule(task("b"), 200);
        assertEquals(3, scheduler.size());
        assertEquals(100, scheduler.nextAt());
        assertEquals(List.of(100L, 200L, 300L), scheduler.pendingDelays());
        scheduler.advance(250);
        assertEquals(List.of("a@100", "b@200"), log);
        assertEquals(250, clock.nanoTime());
        assertEquals(List.of(50L), scheduler.pendingDelays());
        scheduler.advance(50);
        assertEquals(List.of("a@100", "b@200", "c@300"), log);
        assertEquals(0, scheduler.size());
        assertEquals(-1, scheduler.nextAt());
    }

    @Test
    void tasksDueAtTheSameTimeRunInSchedulingOrder() {
        for (int i = 0; i < 5; i++) {
            scheduler.schedule(task("t" + i), 10);
        }
        scheduler.advance(10);
        assertEquals(List.of("t0@10", "t1@10", "t2@10", "t3@10", "t4@10"), log);
    }

    @Test
    void aTaskScheduledWhileRunningRunsInTheSameStepWhenDue() {
        scheduler.schedule(() -> {
            log.add("first@" + clock.nanoTime());
            scheduler.schedule(task("inside"), 40); // 140: inside the step
            scheduler.schedule(task("outside"), 500); // 600: after the step
        }, 100);
        scheduler.advance(200);
        assertEquals(List.of("first@100", "inside@140"), log);
        assertEquals(200, clock.nanoTime());
        assertEquals(1, scheduler.size());
        assertEquals(600, scheduler.nextAt());
    }

    @Test
    void aTaskChainRunsAtExactSpacing() {
        long[] count = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            log.add("tick@" + clock.nanoTime());
            if (++count[0] < 4) {
                scheduler.schedule(tick[0], 1_000);
            }
        };
        scheduler.schedule(tick[0], 1_000);
        scheduler.advance(1_000_000);
        assertEquals(List.of("tick@1000", "tick@2000", "tick@3000", "tick@4000"), log);
    }

    @Test
    void cancelledTasksDoNotRun() {
        Scheduler.Cancellable c = scheduler.schedule(task("x"), 10);
        scheduler.schedule(task("y"), 20);
        c.cancel();
        c.cancel(); // idempotent
        assertEquals(1, scheduler.size());
        scheduler.advance(100);
        assertEquals(List.of("y@20"), log);
    }

    @Test
    void zeroAndNegativeDelaysAreDueNow() {
        clock.advance(50);
        scheduler.schedule(task("zero"), 0);
        scheduler.schedule(task("negative"), -10);
        assertEquals(List.of(0L, 0L), scheduler.pendingDelays());
        scheduler.runDue();
        assertEquals(List.of("zero@50", "negative@50"), log);
        assertEquals(50, clock.nanoTime());
    }

    @Test
    void advancingWithoutTasksMovesTheClock() {
        scheduler.advance(123);
        assertEquals(123, clock.nanoTime());
    }

    @Test
    void manualClockMovesWallTimeAlongAndNeverGoesBack() {
        ManualClock c = new ManualClock();
        assertEquals(0L, c.nanoTime());
        assertEquals(1_767_225_600_000L, c.wallMillis()); // 2026-01-01T00:00:00Z
        assertEquals(1_500_000_000L, c.advance(Duration.ofMillis(1500)));
        assertEquals(1_767_225_601_500L, c.wallMillis());
        c.setNanos(2_000_000_000L);
        assertEquals(1_767_225_602_000L, c.wallMillis());
        assertThrows(IllegalArgumentException.class, () -> c.advance(-1));
        assertThrows(IllegalArgumentException.class, () -> c.setNanos(0L));
        ManualClock other = new ManualClock(5_000_000L, 1_000L);
        assertEquals(5_000_000L, other.nanoTime());
        assertEquals(1_000L, other.wallMillis());
        other.advance(1_000_000L);
        assertEquals(1_001L, other.wallMillis());
    }

    @Test
    void systemClockIsMonotonicAndNearTheWallTime() {
        Clock c = Clock.system();
        long a = c.nanoTime();
        long b = c.nanoTime();
        assertTrue(b - a >= 0);
        assertTrue(Math.abs(c.wallMillis() - System.currentTimeMillis()) < 60_000);
    }
}
