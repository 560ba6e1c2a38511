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

            Three proposals below were applied after the first run and the overhead, route, accuracy and scale
            figures above were measured again: a caller granted at once hands the drain to the scheduler instead of
            serving others' permits in its own thread; with the (synchronous) in-memory store a caller that arrives
            while another asks the store asks it too instead of queueing; and successes without a provider report
            are no longer sent to the store. With 2 threads `RateLimiter.acquire` went from 2,671 ns to about
            850 ns. The others are open.

            Overhead::
              The algorithm (`LimiterState.tryAcquire`) and the in-memory store are in the range of Resilience4j,
              Bucket4j and Guava. `RateLimiter.acquire`, the enforcer the producer calls, costs a few times the
              fastest alternative alone and an order of magnitude more with 2 threads. Read in `RateLimiter`: every
              call allocates a queue entry and a `CompletableFuture` and takes the monitor twice even when the permit
              is granted at once, and a caller that arrives while another thread owns the drain (`draining`) is
              queued *without asking the store*, so under contention a permit that was available goes through the
              worker executor. (In the first run the thread that owned the drain also served the queue in its own
              `acquire` call for as long as other threads kept queueing; that is fixed: the drain goes to the
              scheduler; and with the in-memory store an arriving caller now asks the store alongside.) Open
              proposals: create the entry only when queueing; take the monitor once on the granted path; give the
              in-memory store a synchronous `tryAcquire` that returns the `Acquisition` without a future.

            Route overhead::
              Even when the store never answers "wait" ("never waits") the component stays below 0.9 of the plain route's
              throughput on this machine: its fixed cost per message (permit, exchange properties, response
              classification, feedback record through the store) is of the order of a plain route's whole cost
              (under a microsecond). With the
              real clock, `maxRate=1000000` (the ceiling the component accepts) is *not* "unlimited": a route to a
              no-op endpoint runs faster than one message per µs, some messages must wait, and each waiting message
              pays a scheduler wake-up and a thread hop (tens of µs), so throughput collapses. Proposals: a burst
              tolerance in the GCRA step (next point), and either a higher `maxRate` ceiling or an explicit
              "no pacing" value for limiters that only exist to react to 429s.

            Accuracy::
              Pacing is exact in the mean at 1-100/s and can lose a little at 1,000-5,000/s, most with the quota on
              top (the first run, before the drain hand-off, lost up to 4.6 % at 5,000/s with the quota; the run
              above at most 0.5 %). The "slips" column shows why: a permit for a waiting exchange needs a scheduler wake-up
              per interval (1 ms at 1,000/s, 200 µs at 5,000/s); when one comes later than one interval, the GCRA
              grid restarts from "now" and the time is lost. With the quota a late start also delays the start one
              quota later (the window counts from actual starts), so lateness adds up. Proposal: keep the grid while `now - tat` is below a tolerance of a few milliseconds
              (GCRA's burst tolerance) instead of one interval, or grant every permit that is due in one drain pass;
              the cost is that a window may then hold a few more starts than `rate x W`, which the strict quota
              still prevents where it matters. The "max in 1 s" columns show two more facts users should know:
              `maxRate` alone lets a 1 s window hold `rate + 1` starts (documented in `LimiterState`), and with
              `quota` the limiter's *grants* never exceed the quota, but the calls *start* on the worker pool a
              little later and unevenly, so a provider counting arrivals can still see `quota + 1` in one window.
              Proposal: document it, or apply the quota with a small guard interval (window + a few ms).

            Scale::
              10,000 waiting exchanges hold no threads (the count does not move) and about 0.6 KiB of heap each
              beyond the exchange itself; all of them are answered when the CamelContext stops.

            Adaptive::
              With the defaults the limiter avoids 429s well (fewest of all three clients with Retry-After) and
              loses nothing, but it leaves half the capacity unused: each cut doubles the recovery constant C
              (500, 1,000, 2,000, ... up to `recoveryScale` = 100,000), so after the few cuts of the first phases
              the cubic recovery takes minutes, the permitted rate stays near the low capacity and the raised
              capacity is never reached. In the tuning table (one run per candidate; the scenario repeats closely,
              compare the two runs of the main clients):
            +
            * `recoveryScale=25` (C = 25 from the first cut on: the mission's semantics, another default) reaches
              the raised capacity in about 15 s and keeps the steady goodput near or above 0.95 with about the
              same 429s; 50 and 100 recover more slowly.
            * adding `decreaseFactor=0.5` brings the 429s without Retry-After from about 3 to under 1 per 100 and
              re-converges after the drop within 5 s, at a slightly lower steady goodput with Retry-After;
              `decreaseFactor=0.8` changes little.
            * removing the whole-limiter pause (`maxPause=1`) multiplies the 429s with Retry-After several times
              for about the same goodput: the pause should stay.
            * `signalCooldown=3s` shows the best overall goodput with Retry-After only because its rate stays far
              above the capacity and the Retry-After pauses alone pace the calls (stop and go); without
              Retry-After it draws over 20 429s per 100. Not a default.

            Adaptive, what to change::
              Proposals: default `recoveryScale` to about 25 and `decreaseFactor` to 0.5 (or keep the doubling
              of C but from a lower start and let it decay after a clean period, which needs a core change); keep
              the pause. What no candidate reaches: with Retry-After, re-converging after the drop within 5 s,
              because each 429 pauses the whole limiter for the whole second the provider names (its bucket
              refills in milliseconds) and a window holding a pause falls below 0.9 of the capacity; and overall
              goodput above the AWS SDK's, which does not pause on Retry-After and takes several times more 429s.
              The mission's own reading ("a single 429 with Retry-After is first simply waited out; the algorithm
              throttles when several arrive") suggests pausing only the throttled exchange for a first 429 and
              the whole limiter for the following ones, which would sit between the pause and `maxPause=1` rows.
            """;
}
