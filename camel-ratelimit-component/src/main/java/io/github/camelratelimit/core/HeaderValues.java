package io.github.camelratelimit.core;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Case-insensitive reading of response headers from the maps Camel and HTTP clients hand over: names as received
 * ({@code Retry-after}, {@code retry-after}), values as strings, {@code List}/{@code Iterable}s or arrays. The one
 * lookup used by every parser and by the Camel glue. Stateless and thread-safe.
 */
public final class HeaderValues {

    private HeaderValues() {
    }

    /**
     * The raw value of a header: an exact key match first (which is also how case-insensitive maps such as
     * Camel's message headers answer), else the first key, in the map's iteration order, equal ignoring case.
     *
     * @return the value, or {@code null} when absent (or {@code headers}/{@code name} is null)
     */
    public static Object raw(Map<String, ?> headers, String name) {
        if (headers == null || name == null) {
            return null;
        }
        Object v = headers.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, ?> e : headers.entrySet()) {
            if (e.getKey() != null && e.getValue() != null && e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * The first value of a header: the first element of a list/array value, any other object's
     * {@code toString()}.
     *
     * @return the value, or {@code null} when the header is missing, empty or its first element is {@code null}
     */
    public static String first(Map<String, ?> headers, String name) {
        Object v = raw(headers, name);
        if (v == null) {
            return null;
        }
        if (v instanceof Iterable<?> it) {
            for (Object o : it) {
                return o == null ? null : o.toString();
            }
            return null;
        }
        if (v.getClass().isArray()) {
            if (Array.getLength(v) == 0) {
                return null;
            }
            Object o = Array.get(v, 0);
            return o == null ? null : o.toString();
        }
        return v.toString();
    }

    /**
     * Every value of a header, at most {@code max}: the non-null elements of a list/array value, or the one
     * value's {@code toString()}.
     *
     * @return never {@code null}; empty when the header is missing
     */
    public static List<String> all(Map<String, ?> headers, String name, int max) {
        Object v = raw(headers, name);
        if (v == null) {
            return Collections.emptyList();
        }
        List<String> out = new ArrayList<>(1);
        if (v instanceof Iterable<?> it) {
            for (Object o : it) {
                if (out.size() >= max) {
                    break;
                }
                if (o != null) {
                    out.add(o.toString());
                }
            }
        } else if (v.getClass().isArray()) {
            for (int i = 0, n = Array.getLength(v); i < n && out.size() < max; i++) {
                Object o = Array.get(v, i);
                if (o != null) {
                    out.add(o.toString());
                }
            }
        } else {
            out.add(v.toString());
        }
        return out;
    }
}
