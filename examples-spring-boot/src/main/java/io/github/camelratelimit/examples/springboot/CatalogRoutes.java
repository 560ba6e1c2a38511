package io.github.camelratelimit.examples.springboot;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * {@code direct:catalog-item} fetches {@code GET {catalog.url}/items/<itemId>} through the limiter "catalog". A 429
 * fails the call; Camel redelivers it with no delay of its own, because the limiter is paused until Retry-After and
 * holds the retry (and every other call to the catalog) until then, without holding a thread.
 */
@Component
public class CatalogRoutes extends RouteBuilder {

    @Override
    public void configure() {
        errorHandler(defaultErrorHandler().maximumRedeliveries(10).redeliveryDelay(0).asyncDelayedRedelivery());

        from("direct:catalog-item").routeId("catalog-item")
                .setHeader(Exchange.HTTP_PATH, simple("/items/${header.itemId}"))
                .to("ratelimit:{{catalog.url}}?limiter=catalog")
                .convertBodyTo(String.class);
    }
}
