package io.github.camelratelimit;

import java.util.Map;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.HeaderValues;
import io.github.camelratelimit.core.Permit;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Reads what a delegate's response says about the rate: the status and headers, whether camel-http threw
 * {@link HttpOperationFailedException} ({@code throwExceptionOnFailure=true}, headers on the exception, keyed as
 * received) or put them on the message ({@code throwExceptionOnFailure=false}). Header names are matched
 * case-insensitively.
 */
final class ResponseClassifier {

    private ResponseClassifier() {
    }

    /** Status and headers of the exchange's last response; status -1 when there was none (I/O error). */
    record Response(int status, Map<String, ?> headers) {
        /** Header value by case-insensitive name, first value when several; null when absent. */
        String header(String name) {
            return HeaderValues.first(headers, name);
        }
    }

    static Response read(Exchange exchange) {
        Throwable t = exchange.getException();
        HttpOperationFailedException hofe = t == null ? null : exchange.getException(HttpOperationFailedException.class);
        if (hofe != null) {
            Map<String, String> h = hofe.getResponseHeaders();
            return new Response(hofe.getStatusCode(), h == null ? Map.of() : h);
        }
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return new Response(code == null ? -1 : code, exchange.getMessage().getHeaders());
    }

    /** True for 429, and for 503 with a Retry-After (a capacity signal per RFC 9110). */
    static boolean isThrottle(Response r) {
        return Feedback.isRateLimitSignal(r.status(), r.header("Retry-After") != null);
    }

    static Feedback feedback(Response r, Permit permit, long retryAfterNanos) {
        if (isThrottle(r)) {
            return Feedback.throttled(permit.grantedAt(), r.status(), retryAfterNanos);
        }
        if (r.status() >= 200 && r.status() < 400) {
            return Feedback.success(permit.grantedAt(), r.status());
        }
        return new Feedback(Feedback.Outcome.OTHER, permit.grantedAt(), -1L, r.status(), null);
    }
}
