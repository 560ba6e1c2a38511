package io.github.camelratelimit.retry;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.camelratelimit.core.InvalidLimiterConfigException;
import io.github.camelratelimit.core.RetryAfterParser;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.util.URISupport;

/**
 * For HTTP endpoints with {@code throwExceptionOnFailure=false}: a route step that turns a retryable status on
 * the message ({@code CamelHttpResponseCode}) into a {@link RetryableHttpStatusException}, so that the error
 * handler and {@link RetryAfterRedelivery} can retry the call. Other statuses pass through untouched.
 *
 * <p><b>Put the call and this check in a sub-route without an error handler</b>, and retry the calling route:
 * Camel redelivers only the step that failed, so a check placed right after the call in the retried route would
 * repeat the check, never the call; and a sub-route with an error handler of its own marks the failure as handled,
 * so its caller would not retry either. {@link RetryAfterRedelivery} refuses to retry in the route where the check
 * ran and logs how to fix it.
 *
 * <pre>
 * onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();
 * from("direct:fetch").to("direct:call-api");                                        // retried here
 * from("direct:call-api").errorHandler(noErrorHandler())
 *     .to("http://api/items?throwExceptionOnFailure=false").process(check);
 * </pre>
 *
 * <p>Option {@code statusCodes}: a comma-separated list of codes and ranges, default {@code 429,500-599}; the
 * redelivery then decides (a 500 on a POST is still not retried unless {@code retryNonIdempotent}). Set
 * {@code 429,503} to let other server errors flow on as normal messages. Thread-safe once configured.
 */
public class RetryableHttpStatusCheck implements Processor {

    /** The default {@code statusCodes}. */
    public static final String DEFAULT_STATUS_CODES = "429,500-599";

    private volatile String statusCodes = DEFAULT_STATUS_CODES;
    private volatile BitSet codes = parse(DEFAULT_STATUS_CODES);

    @Override
    public void process(Exchange exchange) throws RetryableHttpStatusException {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null || status < 0 || status > 999 || !codes.get(status)) {
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        copy(exchange, RetryAfterParser.RETRY_AFTER, headers);
        copy(exchange, RetryAfterParser.DATE, headers);
        String method = HttpFailure.method(exchange, false);
        String uri = exchange.getProperty(ExchangePropertyKey.TO_ENDPOINT, String.class);
        throw new RetryableHttpStatusException(status, headers, method, ExchangeHelper.getAtRouteId(exchange),
                "HTTP status " + status + (uri == null ? "" : " from " + URISupport.sanitizeUri(uri))
                        + (headers.containsKey(RetryAfterParser.RETRY_AFTER)
                                ? " (Retry-After: " + headers.get(RetryAfterParser.RETRY_AFTER) + ")" : ""));
    }

    private static void copy(Exchange exchange, String name, Map<String, String> into) {
        String v = RetryAfterParser.header(exchange.getMessage().getHeaders(), name);
        if (v != null) {
            into.put(name, v);
        }
    }

    public String getStatusCodes() {
        return statusCodes;
    }

    /**
     * @param statusCodes e.g. {@code 429,503} or {@code 429,500-599}
     * @throws InvalidLimiterConfigException when an element is not a code or range in 100..999
     */
    public void setStatusCodes(String statusCodes) {
        this.codes = parse(statusCodes);
        this.statusCodes = statusCodes;
    }

    static BitSet parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidLimiterConfigException("statusCodes", spec, "must list at least one status code");
        }
        BitSet set = new BitSet(1000);
        for (String part : spec.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-', 1);
            try {
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).strip());
                if (from < 100 || to > 999 || from > to) {
                    throw new NumberFormatException();
                }
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new InvalidLimiterConfigException("statusCodes", spec,
                        "'" + p + "' is not a status code or range within 100-999");
            }
        }
        return set;
    }
}
