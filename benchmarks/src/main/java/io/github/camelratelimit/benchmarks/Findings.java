package io.github.camelratelimit.benchmarks;

/**
 * What the figures say and what to change, as prose for the end of {@code docs/benchmarks.adoc}. It names causes
 * read in the component's code and refers to the tables for the numbers, so it stays true when a re-run moves
 * the figures a little; re-read it when a change to the component moves them a lot.
 */
final class Findings {

    private Findings() {
    }

    static final String TEXT = """
            == Findings and proposals

            Applied since the first published run (session 1), each measured again above:

            * *Overhead*: a caller that the (synchronous) in-memory store grants at once takes no limiter lock,
              creates no queue entry or future and reads the clock once; grants are counted per thread (a shared
              `LongAdder` cost about 50 ns per permit at 2 threads). Only a caller told to wait queues.
            * *Route*: responses that are neither a rate-limit signal nor a provider quota report are no longer fed
              back at all; the `maxRate` ceiling is 10^9/s (a 1 ns interval), so a "huge" rate really never paces.
            * *Accuracy*: a window guard keeps the grants of the pacing itself to at most the rate in any window of
              1.001 s (the GCRA grid still makes up late wake-ups, but never past that); windows are 1/1000 longer
              than nominal, for the dispatch jitter between a grant and the call's start.
            * *Adaptive*: re-tuned with `AdaptiveModel` (section above): a congestion event is confirmed by a second
              429 and cut once, to 0.9 of the rate the provider accepted between the two (never deeper than
              `decreaseFactor` when a pause fell in between); the cubic recovery is relative to Wmax with a 0.2 s
              time unit. The mission's semantics stay: start at `maxRate`, never under `minRate`, C starts at 500
              and doubles on every signal up to `recoveryScale` (100000), recovery slows as C grows.

            Overhead::
              `RateLimiter.acquire` went from 92 ns / 843 ns (1 / 2 threads) to the range of the alternatives: about
              1.2x the fastest with 1 thread and 1.5x with 2 in this run (other runs on the shared machine gave 1.06x
              and 1.21x; the 2-thread figures swing most). The rest is the algorithm's own state under a monitor
              (the in-memory store alone is 1.2x / 1.6x): every permit writes one `LimiterState`, where Resilience4j
              does one CAS on an immutable cycle record. Proposal, not done: a CAS-based state for the common
              case (no quota, no pause, no window guard at work).

            Route overhead::
              About 0.8-0.86 of the plain route against a no-op endpoint (the goal is 0.9). What is left is about
              150 ns per message, of which about 100 ns are the three documented exchange properties
              (`CamelRateLimitLimiter`, `CamelRateLimitWaited`, `CamelRateLimitStatus`; the first one alone
              creates the exchange's property map). Without them the ratio measured 0.90-0.91. Against any real
              HTTP call 150 ns is noise; dropping documented properties would be a contract change, so it is left
              as a proposal (e.g. an option to skip them). The "never waits" column is above 1 in some runs: the
              JMH medians of two separate runs on a shared 2-core machine differ by more than the component costs.

            Accuracy::
              Achieved rates are within 0.5 % of the configured rate at 1 to 5,000/s, and the limiter's grants
              never exceed the rate (or the quota) in any 1 s window. What a provider sees, the calls' start
              times, can still show one start too many in a window (here with `quota` at 100/s and 1,000/s): the
              call starts on the worker pool after the grant, and on this loaded machine a worker thread stalled
              for 2.7-60 ms now and then (measured; the usual delay is 15 µs, p99 50-600 µs). The 1 ms guard per
              second covers the jitter, not such stalls; covering them would cost 3-6 % of the rate. Proposal:
              take the permit on the worker thread just before the call, or let the window count the later of
              grant and start.

            Scale::
              10,000 waiting exchanges hold no threads (the count does not move) and about 0.6 KiB of heap each
              beyond the exchange itself; all of them are answered when the CamelContext stops.

            Adaptive::
              With `Retry-After` (the issue's main case) every goal is met: steady goodput above 0.95 of the
              capacity, 0.4 429s per 100 successes (the AWS SDK about 2.6, the Throttle EIP about 26),
              re-converged 5 s after the drop, 0.9 of the raised capacity within a few seconds, nothing lost, and
              the best overall goodput of the three. Without `Retry-After` the permitted rate follows the capacity
              closely (see the chart) with about 1 429 per 100 successes, but two goals are missed: the drop's
              criterion fails on one later probe that draws 2 429s in a 3 s window (the rate itself settles within
              a second or two), and overall goodput is a little under the AWS SDK's (about 0.84 against 0.86):
              after the rise at 30 s the curve needs 11-13 s to reach the raised capacity, because C has reached
              its cap of 100000 by then (every 429 doubles it, the mission's rule), while the AWS SDK, whose scale
              never grows, takes 3-6 s with 2.5 times the 429s.
            +
            The candidates (one run each; runs of the same client differ by a few hundredths): `recoveryScale=5000`
            (C capped low) finds the raised capacity faster and wins overall goodput without `Retry-After` (0.94)
            at 1.5 429s per 100, but never re-converges after the drop; `recoveryScale=1000000` did well in this
            run with `Retry-After` but holds its plateau long; `decreaseFactor=0.5` and `signalCooldown=3s` change
            little, as both rarely apply now (the cut uses the measured rate, and events are confirmed by a
            second 429). The model's table shows the limits of the defaults elsewhere: a provider with a tiny
            bucket that answers `Retry-After: 1` (the demo's) loses capacity on every probe because the whole
            limiter pauses for the second it names; a 100 ms round trip multiplies the 429s of each event.

            Adaptive, what to change::
              Proposals: a recovery curve that is flat longer after a cut and steeper once it leaves the plateau
              (cubic couples the two: plateau and rise time both scale with cbrt(C)); and pausing only the throttled
              exchange for the first 429 of an event, the whole limiter from the second on (the mission asks for a
              whole-limiter pause on every `Retry-After`, so this needs a decision).
            """;
}
