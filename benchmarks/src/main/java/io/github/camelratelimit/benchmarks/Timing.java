package io.github.camelratelimit.benchmarks;

import java.util.concurrent.locks.LockSupport;

/** Waiting in the benchmark driver (never in the component). */
final class Timing {

    private Timing() {
    }

    /** Parks the calling thread until {@link System#nanoTime()} reaches {@code deadline}. */
    static void sleepUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
