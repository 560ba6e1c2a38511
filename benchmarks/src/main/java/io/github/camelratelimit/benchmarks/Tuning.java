package io.github.camelratelimit.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidate settings of the adaptive algorithm, run in the adaptive scenario next to the defaults (as endpoint
 * options: the component itself is not changed here), and the table that compares them.
 */
final class Tuning {

    /** id -> extra endpoint options. */
    static final Map<String, String> CANDIDATES = new LinkedHashMap<>();

    static {
        CANDIDATES.put("tune-scale100", "&recoveryScale=100");
        CANDIDATES.put("tune-scale100-df08", "&recoveryScale=100&decreaseFactor=0.8");
    }

    private Tuning() {
    }

    static String section(List<AdaptiveScenario.Trace> traces) {
        StringBuilder t = new StringBuilder("""
                === Tuning candidates

                The same scenario, same run, with candidate values of the adaptive algorithm's options (set on the
                endpoint; the defaults in `LimiterConfig` are unchanged). Rows repeat the defaults for comparison.

                [cols="4,1,1,1,1,1,1,2",options="header"]
                |===
                | client | Retry-After | goodput / capacity, steady | overall | 429s / 100 successes | drop (s) | rise (s) | lost
                """);
        for (AdaptiveScenario.Trace tr : traces) {
            String id = tr.spec().id();
            if (id.startsWith("ours-") || id.startsWith("tune")) {
                t.append(Report.f("| %s | %s | %.3f | %.3f | %.2f | %s | %s | %d%n", tr.spec().label(),
                        tr.spec().mode().name().toLowerCase(java.util.Locale.ROOT), tr.steadyGoodput(),
                        tr.overallGoodput(), tr.throttledPer100(), RunAll.secs(tr.dropConvergence()),
                        RunAll.secs(tr.riseConvergence()), tr.lost()));
            }
        }
        t.append("|===\n");
        return t.toString();
    }
}
