package io.github.camelratelimit.core;

/**
 * A granted permit: the call may start. Immutable.
 *
 * @param limiter     the limiter's name
 * @param grantedAt   the store's time stamp of the grant; hand it back in {@link Feedback}
 * @param waitedNanos how long the caller waited for it
 */
public record Permit(String limiter, long grantedAt, long waitedNanos) {
}
