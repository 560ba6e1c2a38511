package io.github.camelratelimit.benchmarks;

import java.util.function.Consumer;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Sends exchanges into a route without holding a thread while they wait: {@link AsyncProducer#process} with a
 * callback, as a consumer of a real route would. Thread-safe.
 */
final class AsyncSender implements AutoCloseable {

    private final CamelContext camel;
    private final AsyncProducer producer;

    AsyncSender(CamelContext camel, String uri) throws Exception {
        this.camel = camel;
        this.producer = camel.getEndpoint(uri).createAsyncProducer();
        ServiceHelper.startService(producer);
    }

    /** Sends one exchange; {@code done} gets it (check {@link Exchange#getException()}) when the route is done. */
    void send(Object body, Consumer<Exchange> done) {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setBody(body);
        producer.process(e, doneSync -> done.accept(e));
    }

    @Override
    public void close() {
        ServiceHelper.stopService(producer);
    }
}
