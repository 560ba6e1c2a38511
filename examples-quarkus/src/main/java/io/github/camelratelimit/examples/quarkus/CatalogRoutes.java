package io.github.camelratelimit.examples.quarkus;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:catalog-item} fetches {@code GET {catalog.url}/items/<itemId>} through the limiter "catalog",
 * configured only in application.properties. A 429 fails the call; Camel redelivers it with no delay of its own,
 * because the limiter is paused until Retry-After and holds the retry until then, without holding a thread.
 * Camel Quarkus discovers this RouteBuilder by itself.
 */
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
