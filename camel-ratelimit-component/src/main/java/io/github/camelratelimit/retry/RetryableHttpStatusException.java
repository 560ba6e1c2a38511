package io.github.camelratelimit.retry;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.CamelException;

/**
 * An HTTP response with a status worth retrying (429, 5xx) arrived as a normal message, because the endpoint
 * runs with {@code throwExceptionOnFailure=false}; {@link RetryableHttpStatusCheck} throws this so the error
 * handler, and with it {@link RetryAfterRedelivery}, gets a chance to retry. Carries what the retry decision
 * needs: the status, the {@code Retry-After} and {@code Date} headers, the HTTP method when known, and the route
 * the check ran in.
 */
public class RetryableHttpStatusException extends CamelException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final Map<String, String> responseHeaders;
    private final String method;
    private final String routeId;

    /**
     * @param statusCode      the HTTP status
     * @param responseHeaders the response headers the retry needs ({@code Retry-After}, {@code Date}); copied into
     *                        a case-insensitive map
     * @param method          the request's HTTP method, or {@code null} when unknown (then treated as not
     *                        idempotent)
     * @param routeId         the route the status was checked in, or {@code null}
     * @param message         the message
     */
    public RetryableHttpStatusException(int statusCode, Map<String, String> responseHeaders, String method,
            String routeId, String message) {
        super(message);
        this.statusCode = statusCode;
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (responseHeaders != null) {
            responseHeaders.forEach((k, v) -> {
                if (k != null && v != null) {
                    copy.put(k, v);
                }
            });
        }
        this.responseHeaders = Collections.unmodifiableMap(copy);
        this.method = method;
        this.routeId = routeId;
    }

    public int getStatusCode() {
        return statusCode;
    }

    /** The response headers kept for the retry decision; names compare case-insensitively. Unmodifiable. */
    public Map<String, String> getResponseHeaders() {
        return responseHeaders;
    }

    /** The request's HTTP method, or {@code null} when it was not known. */
    public String getMethod() {
        return method;
    }

    /** The id of the route that ran the check, or {@code null}. */
    public String getRouteId() {
        return routeId;
    }
}
