package io.github.camelratelimit;

import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a permit from the endpoint's limiter, then calls the delegate producer and feeds its response back.
 *
 * <p>An exchange that need not wait calls the delegate in the caller's thread. One that must wait is queued in
 * the limiter (no thread held); when its permit comes, the delegate runs on the component's worker pool, since
 * camel-http's producer is synchronous and must not run on the scheduler thread. An exchange the limiter refuses
 * fails with {@link RateLimitExceededException}.
 */
public class RateLimitProducer extends DefaultAsyncProducer {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitProducer.class);

    private final RateLimitEndpoint endpoint;
    private AsyncProducer delegateProducer;
    private AsyncProcessor delegate;

    public RateLimitProducer(RateLimitEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        delegateProducer = endpoint.delegate().createAsyncProducer();
        ServiceHelper.startService(delegateProducer);
        delegate = AsyncProcessorConverterHelper.convert(delegateProducer);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(delegateProducer);
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RateLimiter limiter = endpoint.limiter();
        if (limiter == null) {
            exchange.setException(new IllegalStateException("ratelimit endpoint " + endpoint + " is not started"));
            callback.done(true);
            return true;
        }
        exchange.setProperty(RateLimitConstants.LIMITER, limiter.name());
        Permit now = limiter.acquire(new RateLimiter.Waiter() {
            @Override
            public void onPermit(Permit permit) {
                call(exchange, permit, callback, false);
            }

            @Override
            public void onRejected(RateLimitExceededException reason) {
                exchange.setException(reason);
                callback.done(false);
            }
        });
        if (now == null) {
            return false;
        }
        return call(exchange, now, callback, true);
    }

    private boolean call(Exchange exchange, Permit permit, AsyncCallback callback, boolean inline) {
        exchange.setProperty(RateLimitConstants.WAITED_MILLIS, TimeUnit.NANOSECONDS.toMillis(permit.waitedNanos()));
        exchange.removeProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS);
        try {
            return delegate.process(exchange, doneSync -> {
                afterCall(exchange, permit);
                callback.done(inline && doneSync);
            });
        } catch (Throwable t) {
            exchange.setException(t);
            afterCall(exchange, permit);
            callback.done(inline);
            return inline;
        }
    }

    private void afterCall(Exchange exchange, Permit permit) {
        try {
            ResponseClassifier.Response r = ResponseClassifier.read(exchange);
            exchange.setProperty(RateLimitConstants.RESPONSE_STATUS, r.status());
            long retryAfter = -1L;
            if (ResponseClassifier.isThrottle(r)) {
                retryAfter = RetryAfterSupport.retryAfterNanos(r, endpoint.limiter().name(),
                        endpoint.getComponent().getClock(), endpoint.limiter().config().maxPause());
                if (retryAfter >= 0) {
                    exchange.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS,
                            TimeUnit.NANOSECONDS.toMillis(Math.min(retryAfter,
                                    endpoint.limiter().config().maxPause().toNanos())));
                }
            }
            Feedback classified = ResponseClassifier.feedback(r, permit, retryAfter);
            Feedback fb = endpoint.quotaParser() != null && r.status() > 0
                    ? ProviderQuotaSupport.attach(classified, r, endpoint) : classified;
            RateLimiter limiter = endpoint.limiter();
            if (limiter == null) {
                return;
            }
            limiter.record(fb).whenComplete((cut, ex) -> {
                if (ex != null) {
                    LOG.atWarn().setMessage("ratelimit could not record a response").addKeyValue("event", "record_failed")
                            .addKeyValue("limiter", limiter.name()).addKeyValue("error", ex.toString()).log();
                } else if (fb.outcome() == Feedback.Outcome.THROTTLED) {
                    LOG.atInfo().setMessage("rate-limit response").addKeyValue("event", "rate_limit_response")
                            .addKeyValue("limiter", limiter.name()).addKeyValue("status", fb.statusCode())
                            .addKeyValue("retryAfterMs", fb.retryAfterNanos() < 0 ? null
                                    : TimeUnit.NANOSECONDS.toMillis(fb.retryAfterNanos()))
                            .addKeyValue("rateCut", cut).log();
                }
            });
        } catch (RuntimeException e) {
            // feedback must never fail the exchange
            LOG.atWarn().setMessage("ratelimit could not read a response").addKeyValue("event", "feedback_failed")
                    .addKeyValue("error", e.toString()).log();
        }
    }
}
