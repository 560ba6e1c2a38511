package io.github.camelratelimit.benchmarks;

import java.util.List;
import java.util.Map;

import io.github.camelratelimit.simulator.ProviderSimulator;

/**
 * Candidate settings of the adaptive algorithm, run in the adaptive scenario next to the defaults (as endpoint
 * options: the component itself is not changed here), and the table that compares them.
 */
final class Tuning {

    /** A candidate: id, extra endpoint options, and the Retry-After modes it runs with. */
    record Candidate(String id, String options, List<ProviderSimulator.RetryAfterMode> modes) {
    }

    private static final List<ProviderSimulator.RetryAfterMode> BOTH = List.of(ProviderSimulator.RetryAfterMode.SECONDS,
            ProviderSimulator.RetryAfterMode.NONE);
    private static final List<ProviderSimulator.RetryAfterMode> SECONDS = List.of(ProviderSimulator.RetryAfterMode.SECONDS);

    static final List<Candidate> CANDIDATES = List.of(
            // a blind cut deeper than 0.7 (used when the accepted rate cannot be measured)
            new Candidate("tune-df05", "&decreaseFactor=0.5", BOTH),
            // C capped lower: faster probing above the measured capacity
            new Candidate("tune-scale5000", "&recoveryScale=5000", BOTH),
            // C capped higher: a longer plateau, slower to find a raised capacity
            new Candidate("tune-scale1e6", "&recoveryScale=1000000", BOTH),
            // a longer cooldown cuts less often
            new Candidate("tune-cool3", "&signalCooldown=3s", SECONDS));

    private Tuning() {
    }

    static String section(Map<String, List<AdaptiveScenario.Trace>> byId) {
        StringBuilder t = new StringBuilder("""
                === Tuning candidates

                The same scenario, same run, with candidate values of the adaptive algorithm's options (set on the
                endpoint; the defaults in `LimiterConfig` are unchanged here). The first rows repeat the defaults.

                """);
        for (ProviderSimulator.RetryAfterMode mode : List.of(ProviderSimulator.RetryAfterMode.SECONDS,
                ProviderSimulator.RetryAfterMode.NONE)) {
            t.append(mode == ProviderSimulator.RetryAfterMode.SECONDS ? ".429 with Retry-After (seconds)\n"
                    : ".429 without Retry-After\n");
            t.append(RunAll.HEADER);
            for (List<AdaptiveScenario.Trace> reps : byId.values()) {
                String id = reps.get(0).spec().id();
                if (reps.get(0).spec().mode() == mode && (id.startsWith("ours-") || id.startsWith("tune"))) {
                    t.append(RunAll.row(reps, false));
                }
            }
            t.append("|===\n\n");
        }
        t.append("Charts of the candidates (first run): ");
        String sep = "";
        for (List<AdaptiveScenario.Trace> reps : byId.values()) {
            String id = reps.get(0).spec().id();
            if (id.startsWith("tune")) {
                t.append(sep).append("link:adaptive-").append(id).append(".png[").append(id).append(']');
                sep = ", ";
            }
        }
        t.append(".\n");
        return t.toString();
    }
}
