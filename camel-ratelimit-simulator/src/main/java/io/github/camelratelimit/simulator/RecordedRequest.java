package io.github.camelratelimit.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as the simulator received it. Immutable and thread-safe.
 *
 * <p>Header names are looked up case-insensitively. The body keeps at most
 * {@link ProviderSimulator#MAX_RECORDED_BODY_BYTES} bytes; {@link #bodyLength()} is the full length received.
 */
public final class RecordedRequest {

    private final long arrivalNanos;
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final long bodyLength;
    private final int status;

    RecordedRequest(long arrivalNanos, String method, String path, String query,
                    Map<String, List<String>> headers, byte[] body, long bodyLength, int status) {
        this.arrivalNanos = arrivalNanos;
        this.method = method;
        this.path = path;
        this.query = query == null ? "" : query;
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (name != null) {
                copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            }
        });
        copy.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = body.clone();
        this.bodyLength = bodyLength;
        this.status = status;
    }

    /** The simulator clock's nanoseconds when the request was admitted or throttled. */
    public long arrivalNanos() {
        return arrivalNanos;
    }

    /** The request method, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /** The decoded path, e.g. {@code /items/42}. */
    public String path() {
        return path;
    }

    /** The raw query string without {@code ?}, or {@code ""} when there is none. */
    public String query() {
        return query;
    }

    /** All request headers; the map's keys compare case-insensitively. Unmodifiable. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of the header {@code name} (any case), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The recorded body bytes (a copy). */
    public byte[] bodyBytes() {
        return body.clone();
    }

    /** The recorded body as UTF-8 text. */
    public String body() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The number of body bytes received, including any beyond the recorded part. */
    public long bodyLength() {
        return bodyLength;
    }

    /** The status the simulator answered with. */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status;
    }
}
