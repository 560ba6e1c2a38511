package io.github.camelratelimit.benchmarks;

import io.github.camelratelimit.core.Clock;

/**
 * A {@link Clock} whose monotonic time runs {@value #SPEED} times faster than {@link System#nanoTime()}, read
 * at the same cost (one {@code nanoTime} call, a subtraction and a shift).
 *
 * <p>The overhead benchmarks measure acquiring a permit <em>when not throttled</em>. {@link OverheadBenchmark}
 * runs its limiter at 1,000,000 permits/s (one per microsecond), while a permit costs tens of nanoseconds, so
 * with the real clock most calls would be told to wait; seen through this clock, 1,000,000/s is about
 * 10<sup>9</sup> real permits per second: every call is granted, as with the alternatives configured with huge
 * limits. {@link RouteOverheadBenchmark} runs at the ceiling (10<sup>9</sup>/s, a 1 ns interval) where the real
 * clock already makes no call wait; through this clock not even a 1 ns wait is possible. Thread-safe.
 */
final class FastForwardClock implements Clock {

    static final int SPEED = 1024;
    private static final int SHIFT = 10;

    private final long origin = System.nanoTime();

    @Override
    public long nanoTime() {
        return (System.nanoTime() - origin) << SHIFT;
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }
}
