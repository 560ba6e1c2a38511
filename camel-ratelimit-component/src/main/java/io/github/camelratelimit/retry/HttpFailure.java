package io.github.camelratelimit.retry;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.RetryAfterParser;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.util.ObjectHelper;

/**
 * What a failed call says about retrying it: the HTTP status and response headers (from camel-http's
 * {@link HttpOperationFailedException}, whose header map is case-sensitive and keyed as received, or from a
 * {@link RetryableHttpStatusException}), or the I/O error, and the request's HTTP method.
 *
 * <p>The method is, in order: the {@code CamelHttpMethod} header, the endpoint's {@code httpMethod} option, and,
 * while the request is still on the message (camel-http threw before writing a response), camel-http's own rule:
 * a body means POST, none means GET. Otherwise it is unknown and treated as not idempotent.
 */
final class HttpFailure {

    /** RFC 9110 §9.2.2 idempotent methods. */
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private static final Pattern HTTP_METHOD_OPTION = Pattern.compile("[?&]httpMethod=([A-Za-z]+)");
    private static final int MAX_CAUSE_DEPTH = 32;

    enum Kind {
        /** An HTTP response with an error status. */
        HTTP,
        /** No response: an I/O error. */
        IO,
        /** Anything else: not this class's business, never retried. */
        OTHER
    }

    final Kind kind;
    /** The HTTP status, or -1 when there is no response. */
    final int status;
    /** Response headers, any case; empty when none. */
    final Map<String, ?> headers;
    /** The request's method in upper case, or {@code null} when unknown. */
    final String method;
    /** For {@link Kind#IO}: the connection was refused, so the request never left. */
    final boolean connectFailure;
    /** A short description of the failure for messages: "HTTP status 429" or the I/O exception. */
    final String description;
    /** For a {@link RetryableHttpStatusException}: the route its check ran in. */
    final String checkRouteId;

    private HttpFailure(Kind kind, int status, Map<String, ?> headers, String method, boolean connectFailure,
            String description, String checkRouteId) {
        this.kind = kind;
        this.status = status;
        this.headers = headers;
        this.method = method;
        this.connectFailure = connectFailure;
        this.description = description;
        this.checkRouteId = checkRouteId;
    }

    static HttpFailure read(Exchange exchange, Throwable failure) {
        HttpOperationFailedException hofe = ObjectHelper.getException(HttpOperationFailedException.class, failure);
        if (hofe != null) {
            Map<String, String> h = hofe.getResponseHeaders();
            return new HttpFailure(Kind.HTTP, hofe.getStatusCode(), h == null ? Map.of() : h,
                    method(exchange, true), false, "HTTP status " + hofe.getStatusCode(), null);
        }
        RetryableHttpStatusException rse = ObjectHelper.getException(RetryableHttpStatusException.class, failure);
        if (rse != null) {
            String m = rse.getMethod() != null ? rse.getMethod().toUpperCase(Locale.ROOT) : method(exchange, false);
            return new HttpFailure(Kind.HTTP, rse.getStatusCode(), rse.getResponseHeaders(), m, false,
                    "HTTP status " + rse.getStatusCode(), rse.getRouteId());
        }
        IOException io = ioCause(failure);
        if (io != null) {
            return new HttpFailure(Kind.IO, -1, Map.of(), method(exchange, true), io instanceof ConnectException,
                    io.toString(), null);
        }
        return new HttpFailure(Kind.OTHER, -1, Map.of(), null, false, String.valueOf(failure), null);
    }

    boolean idempotent() {
        return method != null && IDEMPOTENT.contains(method);
    }

    /** The first {@code Retry-After} value, any case, or {@code null}. */
    String retryAfterText() {
        return RetryAfterParser.header(headers, RetryAfterParser.RETRY_AFTER);
    }

    /** 429, or 503 with a Retry-After: the server is pacing us, it did not fail. */
    boolean throttle() {
        return Feedback.isRateLimitSignal(status, retryAfterText() != null);
    }

    private static IOException ioCause(Throwable t) {
        for (int i = 0; t != null && i < MAX_CAUSE_DEPTH; i++, t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    /**
     * @param requestOnMessage whether the message still holds the request (so its body tells GET from POST)
     */
    static String method(Exchange exchange, boolean requestOnMessage) {
        Object h = exchange.getIn().getHeader(Exchange.HTTP_METHOD);
        if (h != null && !h.toString().isBlank()) {
            return h.toString().strip().toUpperCase(Locale.ROOT);
        }
        String uri = exchange.getProperty(ExchangePropertyKey.TO_ENDPOINT, String.class);
        if (uri != null) {
            Matcher m = HTTP_METHOD_OPTION.matcher(uri);
            if (m.find()) {
                return m.group(1).toUpperCase(Locale.ROOT);
            }
        }
        if (!requestOnMessage) {
            return null;
        }
        return exchange.getIn().getBody() == null ? "GET" : "POST";
    }
}
