package io.github.camelratelimit.retry;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Gives a token back to an API's {@link io.github.camelratelimit.core.RetryBudget} for every successful call to
 * it: Camel's {@code ExchangeSentEvent} (fired when a {@code to} step completes) without an exception and without
 * a 429 or 5xx {@code CamelHttpResponseCode}. It must accept {@code ExchangeSendingEvent}s too: Camel's
 * {@code SendProcessor} times a send, and so fires its sent event, only when some notifier took the sending
 * event. Exchange events of other kinds are ignored, and nothing is looked up until the owner has a budget.
 */
final class RetryBudgetRefill extends EventNotifierSupport {

    private final RetryAfterRedelivery owner;

    RetryBudgetRefill(RetryAfterRedelivery owner) {
        this.owner = owner;
        setupIgnore(true);
        setIgnoreExchangeEvents(false);
        setIgnoreExchangeSendingEvents(false);
        setIgnoreExchangeSentEvents(false);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSentEvent || event instanceof CamelEvent.ExchangeSendingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof CamelEvent.ExchangeSentEvent sent) || !owner.hasBudgets()) {
            return;
        }
        Exchange exchange = sent.getExchange();
        if (exchange == null || exchange.getException() != null || sent.getEndpoint() == null) {
            return;
        }
        Integer status;
        try {
            status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        } catch (RuntimeException e) {
            return; // not a number: not an HTTP response we can judge
        }
        if (status != null && (status == 429 || status >= 500)) {
            return;
        }
        owner.onSuccess(RetryAfterRedelivery.budgetKey(sent.getEndpoint().getEndpointUri(), exchange));
    }

    @Override
    public String toString() {
        return "RetryBudgetRefill[" + owner + "]";
    }
}
