package io.github.camelratelimit.simulator;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what a {@link ProviderSimulator} served since it started or was last reset. Immutable;
 * {@code /health} requests are not counted.
 *
 * @param requests     every request received
 * @param ok           answered with a 2xx status
 * @param throttled    answered with 429 or 503 (by the limit or by a scripted reply)
 * @param pathCounts   requests per decoded path, sorted by path
 * @param methodCounts requests per method, sorted by method
 * @param statusCounts replies per status code, sorted by status
 */
public record SimulatorStats(long requests, long ok, long throttled, Map<String, Long> pathCounts,
                             Map<String, Long> methodCounts, Map<Integer, Long> statusCounts) {

    public SimulatorStats {
        pathCounts = Collections.unmodifiableMap(new TreeMap<>(pathCounts));
        methodCounts = Collections.unmodifiableMap(new TreeMap<>(methodCounts));
        statusCounts = Collections.unmodifiableMap(new TreeMap<>(statusCounts));
    }

    /** Requests answered with neither 2xx nor 429/503 (only scripted replies produce these). */
    public long other() {
        return requests - ok - throttled;
    }

    /** {@code throttled / requests}, or 0 when nothing was received. */
    public double throttledRatio() {
        return requests == 0 ? 0.0 : (double) throttled / requests;
    }

    /** Requests to {@code path}, 0 if none. */
    public long count(String path) {
        return pathCounts.getOrDefault(path, 0L);
    }
}
