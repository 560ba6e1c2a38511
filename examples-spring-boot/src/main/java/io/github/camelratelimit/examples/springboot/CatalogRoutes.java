package io.github.camelratelimit.examples.springboot;

import io.github.camelratelimit.retry.RetryAfterRedelivery;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * {@code direct:catalog-item} fetches {@code GET {catalog.url}/items/<itemId>} through the limiter "catalog". A 429
 * pauses the limiter for Retry-After; the Retry-After error handler ({@code retryAfter}, the starter's bean,
 * configured by {@code camel.ratelimit.retry-after.*}) retries the call on a scheduled task, adding only jitter to
 * what the limiter pause already holds it back, within a retry budget.
 */
@Component
public class CatalogRoutes extends RouteBuilder {

    private final RetryAfterRedelivery retryAfter;

    public CatalogRoutes(RetryAfterRedelivery retryAfter) {
        this.retryAfter = retryAfter;
    }

    @Override
    public void configure() {
        onException(Exception.class).onExceptionOccurred(retryAfter).retryWhile(retryAfter).asyncDelayedRedelivery();

        from("direct:catalog-item").routeId("catalog-item")
                .setHeader(Exchange.HTTP_PATH, simple("/items/${header.itemId}"))
                .to("ratelimit:{{catalog.url}}?limiter=catalog")
                .convertBodyTo(String.class);
    }
}
