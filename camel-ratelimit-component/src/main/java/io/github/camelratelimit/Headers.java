package io.github.camelratelimit;

import java.util.Collection;
import java.util.Map;

/** Case-insensitive header lookup over maps whose values may be strings, collections or arrays. */
final class Headers {

    private Headers() {
    }

    static String get(Map<String, ?> headers, String name) {
        if (headers == null) {
            return null;
        }
        Object v = headers.get(name);
        if (v == null) {
            for (Map.Entry<String, ?> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    v = e.getValue();
                    break;
                }
            }
        }
        return first(v);
    }

    private static String first(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Collection<?> c) {
            return c.isEmpty() ? null : first(c.iterator().next());
        }
        if (v instanceof Object[] a) {
            return a.length == 0 ? null : first(a[0]);
        }
        return v.toString();
    }
}
