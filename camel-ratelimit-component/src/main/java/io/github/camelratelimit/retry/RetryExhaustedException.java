package io.github.camelratelimit.retry;

import java.time.Duration;

import org.apache.camel.CamelException;

/**
 * A {@link RetryAfterRedelivery} gave up on a retryable failure: the exchange fails with this exception, whose
 * message names the last HTTP status (or the I/O error), the attempts made, the total wait and why it stopped,
 * e.g. {@code Gave up after 3 attempts (last HTTP status 429, waited 2150 ms in total): maxAttempts (3) reached}.
 * The {@linkplain #getCause() cause} is the last failure as the endpoint reported it (e.g. camel-http's
 * {@code HttpOperationFailedException}), so nothing about the response is lost.
 *
 * <p>Failures that are not retried at all (a 404, a POST that got a 500, a validation error) keep their own
 * exception; this one only means "retryable, but no more retries".
 */
public class RetryExhaustedException extends CamelException {

    private static final long serialVersionUID = 1L;

    /** Why the retries ended. */
    public enum Reason {
        /** {@code maxAttempts} calls were made. */
        MAX_ATTEMPTS,
        /** The next retry would start after {@code retryDeadline}. */
        DEADLINE,
        /** The server asked for a wait ({@code Retry-After}) longer than {@code maxRetryAfter}. */
        RETRY_AFTER_TOO_LONG,
        /** The API's retry budget is spent: most recent calls to it failed. */
        BUDGET
    }

    private final Reason reason;
    private final int lastStatus;
    private final int attempts;
    private final Duration totalWait;
    private final String retryAfter;

    /**
     * @param reason     why the retries ended
     * @param lastStatus the last HTTP status, or {@code -1} when the last failure had no response (I/O error)
     * @param attempts   calls made, the first one included
     * @param totalWait  time spent waiting for retries: redelivery delays plus, behind {@code ratelimit:}, the
     *                   limiter's waits before each retry
     * @param retryAfter the last {@code Retry-After} header text, or {@code null}
     * @param message    the full message
     * @param cause      the last failure
     */
    public RetryExhaustedException(Reason reason, int lastStatus, int attempts, Duration totalWait, String retryAfter,
            String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.lastStatus = lastStatus;
        this.attempts = attempts;
        this.totalWait = totalWait;
        this.retryAfter = retryAfter;
    }

    public Reason getReason() {
        return reason;
    }

    /** The last HTTP status, or {@code -1} when the last failure had no HTTP response. */
    public int getLastStatus() {
        return lastStatus;
    }

    /** Calls made, the first one included. */
    public int getAttempts() {
        return attempts;
    }

    /** Time spent waiting for retries (redelivery delays and, behind {@code ratelimit:}, limiter waits). */
    public Duration getTotalWait() {
        return totalWait;
    }

    /** The last response's {@code Retry-After} text as received, or {@code null}. */
    public String getRetryAfter() {
        return retryAfter;
    }
}
