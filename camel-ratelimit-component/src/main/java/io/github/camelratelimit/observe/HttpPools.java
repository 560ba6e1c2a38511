package io.github.camelratelimit.observe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.apache.camel.Endpoint;

/**
 * Reads the HTTP connection pool figures of wrapped camel-http endpoints: leased, available, pending and max
 * connections of HttpClient's {@code PoolingHttpClientConnectionManager} (through camel-http's
 * {@code HttpEndpoint#getClientConnectionsPoolStats*}). Endpoints that share one connection manager (camel-http
 * shares the component's manager by default) are counted once. camel-http is optional: no camel-http class is
 * loaded unless it is on the classpath. Thread-safe (stateless).
 */
final class HttpPools {

    /** Index of each figure in {@link #stats(List)}'s answer. */
    static final int LEASED = 0;
    static final int AVAILABLE = 1;
    static final int PENDING = 2;
    static final int MAX = 3;

    private static final boolean CAMEL_HTTP = isPresent("org.apache.camel.component.http.HttpEndpoint");

    private HttpPools() {
    }

    /**
     * Sums of leased, available, pending and max connections over the distinct pools of {@code endpoints}, or
     * {@code null} when none of them is a camel-http endpoint with a pooling connection manager.
     */
    static long[] stats(List<Endpoint> endpoints) {
        if (!CAMEL_HTTP || endpoints.isEmpty()) {
            return null;
        }
        try {
            return CamelHttp.stats(endpoints);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, HttpPools.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when camel-http is on the classpath. */
    private static final class CamelHttp {
        static long[] stats(List<Endpoint> endpoints) {
            Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<org.apache.camel.component.http.HttpEndpoint> pools = new ArrayList<>();
            for (Endpoint e : endpoints) {
                if (e instanceof org.apache.camel.component.http.HttpEndpoint http
                        && http.getClientConnectionManager() != null && seen.add(http.getClientConnectionManager())) {
                    pools.add(http);
                }
            }
            long[] sum = null;
            for (org.apache.camel.component.http.HttpEndpoint http : pools) {
                int max = http.getClientConnectionsPoolStatsMax();
                if (max < 0) {
                    continue; // not a pooling manager
                }
                if (sum == null) {
                    sum = new long[4];
                }
                sum[LEASED] += Math.max(0, http.getClientConnectionsPoolStatsLeased());
                sum[AVAILABLE] += Math.max(0, http.getClientConnectionsPoolStatsAvailable());
                sum[PENDING] += Math.max(0, http.getClientConnectionsPoolStatsPending());
                sum[MAX] += max;
            }
            return sum;
        }
    }
}
