package io.github.camelratelimit.benchmarks;

/**
 * The convergence criteria over per-second counts, shared by the real scenario ({@link AdaptiveScenario})
 * and the model ({@link AdaptiveModel}), so both tables mean the same thing. Both look at 3 s windows inside one
 * capacity phase.
 */
final class Convergence {

    private Convergence() {
    }

    /**
     * After a drop at {@code at}: seconds until converged for good, i.e. the first s from which every 3 s window
     * up to {@code end} has at least 0.9 x capacity successes per second and 429s at most 2 % of successes;
     * -1 when there is none.
     */
    static int settle(long[] ok, long[] throttled, double capacity, int at, int end) {
        int first = -1;
        for (int s = at; s + 3 <= end; s++) {
            long good = sum(ok, s, s + 3);
            boolean fine = good >= 0.9 * capacity * 3 && sum(throttled, s, s + 3) <= 0.02 * good;
            if (!fine) {
                first = -1;
            } else if (first < 0) {
                first = s;
            }
        }
        return first < 0 ? -1 : first - at;
    }

    /** After a rise at {@code at}: seconds until a 3 s window has 0.9 x capacity successes per second; -1 when never. */
    static int reach(long[] ok, double capacity, int at, int end) {
        for (int s = at; s + 3 <= end; s++) {
            if (sum(ok, s, s + 3) >= 0.9 * capacity * 3) {
                return s - at;
            }
        }
        return -1;
    }

    static long sum(long[] a, int from, int to) {
        long s = 0;
        for (int i = from; i < to && i < a.length; i++) {
            s += a[i];
        }
        return s;
    }
}
