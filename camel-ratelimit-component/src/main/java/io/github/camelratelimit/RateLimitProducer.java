package io.github.camelratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.Permit;
import io.github.camelratelimit.core.RateLimitExceededException;
import io.github.camelratelimit.core.RateLimiter;
import io.github.camelratelimit.observe.Masking;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.AsyncProducer;
import org.apache.camel.DelegateProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Takes a permit from the endpoint's limiter, then calls the delegate producer and feeds its response back.
 *
 * <p>An exchange that need not wait calls the delegate in the caller's thread. One that must wait is queued in
 * the limiter (no thread held); when its permit comes, the delegate runs on the component's worker pool, since
 * camel-http's producer is synchronous and must not run on the scheduler thread. An exchange the limiter refuses
 * fails with {@link RateLimitExceededException}.
 */
public class RateLimitProducer extends DefaultAsyncProducer {

    private final RateLimitEndpoint endpoint;
    private AsyncProducer delegateProducer;
    private AsyncProcessor delegate;
    /** The delegate's own synchronous producer when Camel bridged it to async (camel-http's), else null. */
    private Processor syncDelegate;

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
        syncDelegate = synchronousInside(delegateProducer);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(delegateProducer);
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RateLimiter limiter;
        try {
            limiter = resolve(exchange);
        } catch (RateLimitExceededException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        if (limiter == null) {
            exchange.setException(new IllegalStateException("ratelimit endpoint ratelimit:"
                    + Masking.maskUri(endpoint.getDelegateUri()) + " is not started"));
            callback.done(true);
            return true;
        }
        if (!seen(exchange)) {
            long at = limiter.grantNow();
            if (at != RateLimiter.NOT_NOW) {
                return callNow(exchange, callback, limiter, at);
            }
        }
        return new Call(exchange, callback).acquire(limiter, true);
    }

    /** Camel's bridge class around a synchronous producer; it calls the producer, then the callback. */
    private static final String BRIDGE = AsyncProcessorConverterHelper.class.getName() + "$ProducerToAsyncProducerBridge";

    /**
     * The synchronous producer inside Camel's async bridge, which adds nothing but the callback (caught exceptions
     * go on the exchange): called directly, it spares a callback object and a layer per exchange. Null for any
     * other producer (an asynchronous one, or a wrapper that may do more), which is called through the bridge.
     */
    private static Processor synchronousInside(AsyncProducer producer) {
        if (producer.getClass().getName().equals(BRIDGE) && producer instanceof DelegateProcessor d
                && !(d.getProcessor() instanceof AsyncProcessor)) {
            return d.getProcessor();
        }
        return null;
    }

    /** No exception and no header at all: the delegate gave no HTTP response, the limiter has nothing to learn. */
    private static boolean nothingToLearn(Exchange exchange) {
        return exchange.getException() == null && !exchange.getMessage().hasHeaders();
    }

    /** The exchange went through a ratelimit endpoint before (a redelivery, a second endpoint). */
    private static boolean seen(Exchange exchange) {
        return exchange.hasProperties() && exchange.getProperties().containsKey(RateLimitConstants.LIMITER);
    }

    /**
     * Calls the delegate in the caller's thread with a permit granted at once ({@link RateLimiter#grantNow()}) to an
     * exchange not {@link #seen} before: nothing to write or remove before the call. A synchronous delegate is
     * called directly, and an exchange it leaves with no exception and no header (nothing to learn, see
     * {@link #afterCall}) completes with no object allocated for it; otherwise it goes on like any other call.
     */
    private boolean callNow(Exchange exchange, AsyncCallback callback, RateLimiter limiter, long grantedAt) {
        if (syncDelegate == null) {
            Call call = new Call(exchange, callback).grantedNow(limiter, grantedAt);
            return call.call(call.permit, true);
        }
        limiter.startedAtOnce(grantedAt);
        try {
            syncDelegate.process(exchange);
        } catch (Throwable t) {
            exchange.setException(t);
        }
        if (nothingToLearn(exchange)) {
            callback.done(true); // afterCall's first rule, without a Call
            return true;
        }
        return finish(afterCall(new Call(exchange, callback).grantedNow(limiter, grantedAt)), callback, true);
    }

    /**
     * The limiter for this exchange: its per-key limiter when the endpoint has a {@code limiterKey} and the key is
     * not empty, else the endpoint's limiter as it runs now (a reconfigure replaces the object).
     */
    private RateLimiter resolve(Exchange exchange) {
        org.apache.camel.Expression keyExpression = endpoint.limiterKey();
        if (keyExpression != null && endpoint.limiter() != null) {
            String key = keyExpression.evaluate(exchange, String.class);
            if (key != null && !key.isBlank()) {
                return endpoint.getComponent().keyedLimiter(endpoint, key);
            }
        }
        return live();
    }

    /** The endpoint's limiter as it runs now (a reconfigure replaces the object), or null when not started. */
    private RateLimiter live() {
        return endpoint.getComponent().liveLimiter(endpoint.limiter());
    }

    /**
     * One exchange's way through the limiter and the delegate: the waiter the limiter answers when the exchange
     * queues, and the callback the delegate calls when done (one object per exchange, whatever path it takes).
     * The exchange properties go straight into the exchange's property map: {@code Exchange.setProperty(String,
     * ...)} first looks each name up among Camel's own keys. They are written only when they say something (a
     * wait, a status, a failure; the limiter's name with any of them), and removed only from an exchange that went
     * through a {@code ratelimit:} endpoint before (a redelivery, a second endpoint), which may hold stale ones:
     * the first write creates the exchange's property map (a {@code ConcurrentHashMap}) and each costs tens of
     * ns, as much as the permit itself, so a call granted at once to a non-HTTP endpoint that succeeds writes none.
     */
    private final class Call implements RateLimiter.Waiter, AsyncCallback {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private RateLimiter limiter;
        private Permit permit;
        private boolean inline;
        /** The exchange went through a ratelimit endpoint before: it may carry that call's properties. */
        private boolean seen;
        /** {@link RateLimitConstants#LIMITER} is set for this call. */
        private boolean named;
        /** The delegate's callback ran in the delegate's own thread but the exchange completes later. */
        private boolean deferred;

        Call(Exchange exchange, AsyncCallback callback) {
            this.exchange = exchange;
            this.callback = callback;
        }

        boolean acquire(RateLimiter using, boolean inCaller) {
            limiter = using;
            named = false;
            seen |= seen(exchange);
            if (seen) {
                name(); // replaces the earlier call's name
            }
            Permit now = using.acquire(this);
            if (now == null) {
                return false;
            }
            return call(now, inCaller);
        }

        /** This call's permit was granted at once by {@link RateLimiter#grantNow()}, stamped {@code grantedAt}. */
        Call grantedNow(RateLimiter using, long grantedAt) {
            limiter = using;
            permit = new Permit(using.name(), grantedAt, 0L);
            return this;
        }

        @Override
        public void onPermit(Permit p) {
            call(p, false);
        }

        @Override
        public void onRejected(RateLimitExceededException reason) {
            // a reconfigure (or an idle eviction of a per-key limiter) closed the limiter this exchange
            // waited in: wait again in its replacement
            if (reason.getReason() == RateLimitExceededException.Reason.STOPPED) {
                RateLimiter current;
                try {
                    current = endpoint.limiter() == null ? null : resolve(exchange);
                } catch (RateLimitExceededException e) {
                    current = null;
                }
                if (current != null && current != limiter) {
                    acquire(current, false);
                    return;
                }
            }
            name();
            exchange.setException(reason);
            callback.done(false);
        }

        /** Sets {@link RateLimitConstants#LIMITER} (once per call): with every other property this call sets. */
        void name() {
            if (!named) {
                named = true;
                exchange.getProperties().put(RateLimitConstants.LIMITER, limiter.name());
            }
        }

        private boolean call(Permit p, boolean inCaller) {
            permit = p;
            inline = inCaller;
            if (p.waitedNanos() > 0L) {
                name();
                exchange.getProperties().put(RateLimitConstants.WAITED_MILLIS,
                        TimeUnit.NANOSECONDS.toMillis(p.waitedNanos()));
            } else if (seen) {
                exchange.getProperties().remove(RateLimitConstants.WAITED_MILLIS);
            }
            if (seen) {
                exchange.getProperties().remove(RateLimitConstants.LIMITER_PAUSE_MILLIS);
            }
            limiter.started(p); // a call that started late (a worker's queue, cold code) widens the windows
            try {
                boolean sync = delegate.process(exchange, this);
                // a delegate that finished in this thread ran done() before returning
                return sync && !deferred;
            } catch (Throwable t) {
                exchange.setException(t);
                return finish(afterCall(this), callback, inline) && inline;
            }
        }

        /** The delegate is done. */
        @Override
        public void done(boolean doneSync) {
            if (!finish(afterCall(this), callback, inline && doneSync)) {
                deferred = true;
            }
        }
    }

    /**
     * Completes the exchange once the limiter has taken in a rate-limit signal (a store such as Redis answers
     * asynchronously): a throttled exchange continues, and may be redelivered, only after its {@code Retry-After}
     * pause and congestion event are in the limiter, never before.
     *
     * @return {@code true} when the callback ran now (with {@code sync}), {@code false} when it will run later
     */
    private static boolean finish(CompletableFuture<Boolean> recorded, AsyncCallback callback, boolean sync) {
        if (recorded == null || recorded.isDone()) {
            callback.done(sync);
            return true;
        }
        recorded.whenComplete((cut, e) -> callback.done(false));
        return false;
    }

    /**
     * Reads the response for the limiter: sets {@link RateLimitConstants#RESPONSE_STATUS} when the response has a
     * status (removes a stale one when the exchange was {@code seen} before and this one has none); feeds back only
     * what the limiter can learn from (a rate-limit signal, or a provider quota report when
     * {@code learnFromHeaders} is on). A plain response with no quota headers changes no limiter state
     * ({@link RateLimiter#record} would drop it), so it costs no feedback record, no observer call and no header
     * lookups beyond the status.
     */
    private CompletableFuture<Boolean> afterCall(Call call) {
        Exchange exchange = call.exchange;
        Permit permit = call.permit;
        RateLimiter used = call.limiter;
        try {
            if (nothingToLearn(exchange)) {
                if (call.seen) {
                    exchange.getProperties().remove(RateLimitConstants.RESPONSE_STATUS);
                }
                return null;
            }
            ResponseClassifier.Response r = ResponseClassifier.read(exchange);
            int status = r.status();
            if (status > 0 || exchange.getException() != null) {
                call.name();
            }
            if (status > 0) {
                exchange.getProperties().put(RateLimitConstants.RESPONSE_STATUS, status);
            } else if (call.seen) {
                exchange.getProperties().remove(RateLimitConstants.RESPONSE_STATUS);
            }
            // the Retry-After lookup only for a status that can be a signal with it (Feedback's one rule)
            boolean throttle = Feedback.isRateLimitSignal(status, true) && ResponseClassifier.isThrottle(r);
            boolean learn = endpoint.quotaParser() != null && status > 0;
            if (!throttle && !learn) {
                return null;
            }
            long retryAfter = -1L;
            if (throttle) {
                retryAfter = RetryAfterSupport.retryAfterNanos(r, used.name(),
                        endpoint.getComponent().getClock(), used.config().maxPause());
                if (retryAfter >= 0) {
                    exchange.setProperty(RateLimitConstants.LIMITER_PAUSE_MILLIS,
                            TimeUnit.NANOSECONDS.toMillis(Math.min(retryAfter, used.config().maxPause().toNanos())));
                }
            }
            Feedback classified = ResponseClassifier.feedback(r, permit, retryAfter);
            Feedback fb = learn ? ProviderQuotaSupport.attach(classified, r, endpoint, used) : classified;
            if (!throttle && fb.providerQuota() == null) {
                return null; // no quota headers on this response
            }
            RateLimiter limiter = endpoint.getComponent().liveLimiter(used);
            // records it, counts and logs it (rate_limit_response, rate_decreased, limiter_paused)
            CompletableFuture<Boolean> recorded = endpoint.getComponent().getObserver().record(limiter, fb);
            return throttle ? recorded : null;
        } catch (RuntimeException e) {
            // feedback must never fail the exchange
            org.slf4j.LoggerFactory.getLogger(io.github.camelratelimit.observe.RateLimitEvents.LOGGER).atWarn()
                    .setMessage("ratelimit could not read a response").addKeyValue("event", "feedback_failed")
                    .addKeyValue("error", Masking.maskText(e.toString())).log();
            return null;
        }
    }
}
