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
            new Candidate("tune-scale100", "&recoveryScale=100", BOTH),
            new Candidate("tune-scale50", "&recoveryScale=50", BOTH),
            new Candidate("tune-scale25", "&recoveryScale=25", BOTH),
            new Candidate("tune-scale25-df05", "&recoveryScale=25&decreaseFactor=0.5", BOTH),
            // maxPause=1 ms: the limiter as a whole no longer waits out Retry-After (only the retried exchange
            // waits, at the back of the queue): shows what the whole-limiter pause is worth
            new Candidate("tune-scale25-nopause", "&recoveryScale=25&maxPause=1", SECONDS),
            new Candidate("tune-scale25-df08", "&recoveryScale=25&decreaseFactor=0.8", SECONDS),
            // a longer cooldown cuts less often: with Retry-After the pauses alone then pace the calls
            new Candidate("tune-scale25-cool3", "&recoveryScale=25&signalCooldown=3s", BOTH));

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
