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
              creates no queue entry, future or answer object, reads the clock once and keeps the store's state
              of its limiter (looked up again only when the store replaced it). Session 5: the state's
              lock-free lane. After a grant under the state's lock, while nothing but the pacing and the window
              guard can hold a caller back (no quota, no pause, no provider ceiling in force), the next grants take
              one compare-and-set on one word (their count and the next allowed time) instead of the monitor; any
              other call on the state (a wait, a 429, a quota report, a late start, a GC pause, a reset) closes the
              lane first and books its grants. The lane is stricter than the rules it stands for: its grants are
              at least two intervals apart (so the GCRA grid restarts at each, and the grid after the lane is
              exactly what the rules make of its grants), its first grants keep the window guard of the grants
              before it, and the guard's log gets each of its grants no earlier than it was made. A seeded test
              feeds every grant made (lane or lock) to a state without a lane through throttles, pauses, provider
              ceilings, late starts and resets at seven rates, which must grant each one; threads through the store
              and through `RateLimiter` are checked the same way. Only a caller told to wait queues. Session 8:
              at 10,000/s and more the lane has two words (stripes, each on its own cache line), one per thread
              by the parity of its id, so two threads no longer pass one cache line between their cores on every
              permit (see Overhead below for how they keep the rules). Session 11: a thread whose own stripe made
              it wait while the other granted takes the other as its own (a thread-local flag), so two threads
              whose ids share a parity part after their first clash (see Route overhead). Session 12: a second
              stripe that has not opened yet (it grants from the lane's opening plus the guard's span, 66 µs at
              10^9/s) no longer teaches its thread to take the first; every lane opening did (each GC pause closes
              the lane), and the two threads then shared the first stripe until their next clash.
            * *Route*: responses that are neither a rate-limit signal nor a provider quota report are not fed back
              at all; the `maxRate` ceiling is 10^9/s (a 1 ns interval), so a "huge" rate really never paces; one
              object per exchange is the limiter's waiter and the delegate's callback, and none at all (no permit
              either) for a call granted at once to a synchronous delegate, called directly rather than through
              Camel's asynchronous bridge, that leaves no exception and no header; the exchange properties are
              written only when they say something (a wait, an HTTP status, a failure; the limiter's name with any
              of them), so a call granted at once to a non-HTTP endpoint creates no property map (profiled: that
              map and its writes were over half of the component's cost per message); the observer no longer counts
              grants a second time and looks at nothing else for a permit that did not wait.
            * *Accuracy*: a window guard keeps the grants of the pacing itself to at most the rate in any window of
              1.001 s (the GCRA grid still makes up late wake-ups, but never past that); windows are 1/1000 longer
              than nominal, for the dispatch jitter between a grant and the call's start; and a call that starts more
              than 100 µs after its grant (a queued call on a stalled worker; one of the first 64 calls granted at
              once, which run cold code) reports it, so the in-memory limiter lengthens its
              windows by that lateness (at most 1/20 of the window) while the late start is in one (the next
              permits keep their distance from the call's real start); both windows remember each grant 1/20 of
              the window longer than W', so a lengthened window still counts the grant it was lengthened for.
            * *Adaptive*: re-tuned with `AdaptiveModel` (section above): a congestion event is confirmed by a second
              429 and cut once, to 0.9 of the rate the provider accepted between the two (never deeper than
              `decreaseFactor^3` when a pause fell in between); a 429 for a call the recovery sent while probing
              just above a measured capacity (under 1.5 x Wmax) cuts at once, back to 0.9 x Wmax (a probe cost two
              429s before); the cubic recovery is relative to Wmax with a 0.2 s time unit, and once it has passed
              1.15 x Wmax with no throttle since its cut (the capacity has risen) it turns into an exponential probe
              whose excess over Wmax doubles every 0.45 s x cbrt(C / 100000), left out after a 429 with
              `Retry-After` and when throttles take long to come back (tuning log step 8). Session 9 (step 9): a
              first 429 at 1.5 x Wmax or more, where the provider accepted under 1.25 x Wmax since the last cut (the
              probe drained a reserve of the provider's bucket, not a higher capacity), cuts at once to 0.9 x the
              larger of the two, instead of opening an event that cost 2-7 429s at that rate; a second one in a row,
              or one after a pause, opens the event as before; and every cut paces from the last grant at once.
              Session 10 (step 10): a probe's first 429 with `Retry-After` (sent above Wmax, under 1.5 x Wmax) cuts
              at once, measured Wmax or not, with A' the rate accepted since the last cut per second not paused
              (to 0.9 x A' under 0.9 x Wmax, else 0.9 x max(Wmax, A')), instead of opening an event whose second
              429 came right after the first one's pause and paused the whole limiter again.
              Session 13 (step 11): without a pause inside it, an event measures only once it has seen 8 calls
              accepted since it opened (bounded by 16 throttles and 1 s): its count is off by up to a call at each
              end, and 2 calls in 100 ms after a drop read 10/s to 30/s.
              The Redis scripts follow the same rules (checked step by step by the parity test). The mission's semantics
              stay: start at `maxRate`, never under `minRate`, C starts at 500 and doubles on every signal up to
              `recoveryScale` (100000), recovery slows as C grows.

            Overhead::
              Met with 1 and with 2 threads (the table above, the full run on b7f2eaf): 29.1 against 34.4 ns (x0.85)
              and 31.4 against 75.2 ns (x0.42); on c00d56e 30.0 against 35.8 ns (x0.84) and 31.8 against 76.3 ns
              (x0.42); on 69cbc06 30.6 against 35.6 ns (x0.86) and 32.1 against 77.7 ns
              (x0.41); on 558f480 32.8 against 38.8 ns (x0.85) and 33.7 against 85.1 ns (x0.40). The call is a clock read (about 22-26 ns, which every limiter pays), one read of a
              lane word and one compare-and-set. The 2-thread goal is met by giving each thread its own word: at
              10,000/s and more the lane has two (stripes, each on its own cache line), and a thread takes its
              permits from its own stripe (at first the one of its id's parity; the other once its own made it
              wait while the other granted). Ours then took 31-34 ns per call in every round of the CPU-share
              probe in this run (31-32 ns with two threads of one parity) while the one-word loop ran slow (97-105
              ns); Resilience4j 62-63 ns. On c00d56e: 32-34 ns (32-33 ns), the loop 42-75 ns, Resilience4j 67 ns;
              on 69cbc06: 32-35 ns (32-34 ns), the
              loop 40-110 ns, Resilience4j 66 ns; on 558f480: 34-39 ns (33-35 ns), Resilience4j 70-71 ns. In the run on 8412c03, before the thread-local flag:
              34-37 ns, and 126-134 ns with one parity.
              Before, with one word for both threads, ours followed that loop: 153 ns against 84 ns (x1.82) in the
              last published run, 47-60 ns in the fast mode.
            +
            Why one word could not meet it: on this 2-vCPU VM two threads writing one word move between two modes
            that flip within seconds, and in the slow one the bare one-word loop alone (117-146 ns) is above
            Resilience4j. Resilience4j gets there by parking: after a failed compare-and-set it calls
            `LockSupport.parkNanos(1)` (in `AtomicRateLimiter.compareAndSet`, read in its bytecode), which sleeps
            some 50 µs while the other thread takes permits alone; its two threads were on a CPU 65-66 % of the
            wall time, ours 93-99 %. Parking a caller is what this component rules out (it never blocks a
            thread).
            +
            How the stripes keep the rules (proof in `LimiterState.grantFast`): each stripe keeps the spacing of
            a lane of its own, max(2 intervals, 2 x span / (k - 1)) (k grants per span: the window guard), so any
            k + 1 grants of the two span the guard's window; the second stripe opens only once the grants before
            the lane are out of that window, so the first stripe's rule for the guard's first grants still counts
            every grant; and closing books both stripes' grants (never earlier than made) and puts the GCRA grid
            at max(L + I, L' + I0 + I), at or after the grid the rules would keep through the same grants. The
            one rule two stripes relax is the grid's spacing of a pair: two stripes can grant a nanosecond apart
            (the grid itself allows such a pair after a late grant); the window guard and the rate hold. Tests:
            an exact case on a manual clock; a seeded comparison with the rules at 10,000/s to 10^9/s in which
            the second stripe makes 1,900-31,000 grants, held to the rules exactly while one stripe grants and to
            every rule but the grid after, the grid compared at every close; real threads at 200,000/s and 10^9/s
            held to every rule but the grid. Opening the second stripe at once, or closing with the grid at
            L + I, fails them.
            +
            Two threads whose ids have the same parity used to both start on the first stripe ("ours, one
            parity" in the table): 126-134 ns in the run on 8412c03, 57-63 ns on 78d2509 (the loser of a
            compare-and-set moved to the other stripe, but its next call started on its own again). Session 8
            kept the parity alone, expecting a pool's threads to have consecutive ids, after a thread-local
            memory cost about 5 ns with 1 thread in a probe. Session 11 found the clash common: JMH's 2-thread
            route forks were bimodal (whole forks of `ratelimit` at about 1.9 M msg/s, others at 2.9 M), and in
            one JVM two threads through `ratelimit:noop` took 2.43 M msg/s with ids of one parity against
            2.82 M with ids of different parity (15 rounds each). Now a thread whose own stripe made it wait while
            the other granted takes the other as its own (a `ThreadLocal<Boolean>`, read only when the lane has
            two stripes): both cases then took 2.95-2.97 M msg/s, "one parity" above is 33-35 ns, and the
            1-thread figure moved from 32.4 to 32.8 ns.
            +
            Tried and not kept: taking the word's cache line for writing before reading it (a
            `compareAndExchange` that cannot match, or `getAndAdd(0)`): 98-101 ns against 117 ns in the slow
            mode with one word, 6-7 ns more with 1 thread. The lane word is padded on both sides (no other
            object shares its cache line), which removed some slow forks, not the mode. Why the monitor had to
            go (the lane replaced it on the common path): in one JMH run with 2 threads `synchronized` around
            nothing but a clock read took about 105 ns per call, a `ReentrantLock` 104 ns, a compare-and-set
            loop on one `AtomicLong` with the same clock read 46 ns. Tried and not kept in earlier sessions: a
            lock of one CAS instead of the monitor, the clock read before taking the lock (a caller then often
            reads a time before the other thread's grant and is told to wait), a clock-skew tolerance of 1 us on
            the grid, the fields a grant writes moved next to the lock word.

            Route overhead::
              Met with 1 and with 2 threads in this run (the full run on b7f2eaf) and in the three route runs before
              it (c00d56e, 6b9253f and 4320410, the same hot path): 0.930 / 0.932 / 0.930 / 0.943 with 1 thread and
              0.902 / 0.931 / 0.936 / 0.939 with 2 in JMH, interleaved in one JVM 0.917 / 0.907 / 0.928 / 0.936 and
              0.918 / 0.917 / 0.908 / 0.934, "never waits" (the same route with the clock running 1024x faster)
              0.939 / 0.947 / 0.932 / 0.933 and 0.927 / 0.962 / 0.950 / 0.947. The 2-thread JMH figure of this run,
              0.902, is the closest to the goal since session 12: its plain route's iterations ran 1.92-3.60 M msg/s and
              ours 1.71-3.35 M, so one low fork moves the mean by more than the margin; the interleaved rounds in
              one JVM, which compare the two routes side by side, gave 0.918. Before session 12 the 2-thread JMH figure
              was under the goal: 0.883 and 0.885 after session 11's stripe fix (558f480, c6068a0), 0.885 on
              d5f63eb, 0.854 on 7c6a870, 0.892 on 78d2509, 0.794 on 3013bc2, 0.921 once (8412c03).
            +
            The cause of the last gap, found this session: in those two runs `ratelimit` trailed "never waits"
            by 0.043 and 0.057 in JMH, although both run the same code on the same limiter and no message
            waited (a probe counted every grant: all at once). With JMH's 512 MiB heap a young GC runs about
            every 64 ms, and each one closes the lane (it is heard as a late start); the next grant opens a new
            one, whose second stripe grants only from its opening plus the guard's span (66 µs at 10^9/s with
            the real clock; 64 ns of real time with the 1024x clock). Meanwhile the thread of the second stripe
            was granted by the first, which session 11's rule took as a clash: the thread made the first stripe
            its own, and both threads shared it, passing its cache line at every permit, until their next
            compare-and-set clash parted them again. A probe counting these changes (one JVM, one route, two
            pooled threads, 512 MiB) saw 10-26 per second with the real clock and 0 with the fast one, about two
            per lane opening (13-16 openings per second). Now a second stripe that has not opened yet teaches
            nothing (`LimiterStateLaneTest.aSecondStripeNotOpenYetDoesNotTurnItsThreadToTheFirst`, which fails
            without it); the probe then counts 0, and with 2 threads `ratelimit` trails "never waits" by 0.008, 0.014 and 0.031 in JMH in the three runs since. The 2-thread forks of `ratelimit` were bimodal before session 11 (1.8-2.1 M msg/s
            against 2.5-2.9 M on d5f63eb); on 6b9253f they ran 2.06-3.22 M with one low fork, as plain
            (1.96-3.52 M) does.
            +
            Alone (the component's table) it adds 30-33 ns per message with 1 and 2 threads, 22 ns of it the
            clock read every permit needs; the rest of the gap is how the JIT compiles the route around it
            (inlining flags changed nothing in session 10). The fork-to-fork spread of JMH is wide (16 forks per
            route) and a single run is one sample: a margin of 0.03-0.04 over the goal is what three runs
            show, not a bound. The in-memory path writes no shared counter (a thread counts its grants in
            its own cell) and a thread keeps to its own stripe. A permit granted at
            once allocates nothing (`RateLimiter.grantNow()` returns the grant time; the listener hears it
            through `onGrantedAtOnce`), and a synchronous delegate (camel-http's producer, or the benchmark's
            no-op) inside Camel's asynchronous bridge is called directly, so an exchange that leaves no
            exception and no header gets no callback object either. Against any real HTTP call the component's
            35-45 ns are noise.

            Accuracy::
              Achieved rates are 0.98 or more of the configured rate at 1 to 5,000/s in every run (the table has
              this run's lowest), and in no 1 s window did the limiter's grants exceed the rate or the quota.
              Since bb9ebcd the calls' start times (what a provider sees) keep them too, with the quota and with
              `maxRate` alone: 20 runs of this part on bb9ebcd (session 14, not kept) had no window above the limit
              at any rate in either mode, and their lowest achieved ratio was 0.9874.
              +
              Before bb9ebcd about one run in four had one window one call over (5,001 at 5,000/s, 1,001 at
              1,000/s, 101 at 100/s; 3 of the 13 runs up to session 12 and 2 of 3 in session 13). The cause was in
              the limiter, not the machine. A call that starts more than 100 µs after its grant reports it (checked
              just before the delegate is called, for every call that waited and the first 64 granted at once), and
              the in-memory limiter then lengthens its windows by the lateness beyond the 1 ms guard, so that the
              next permits keep a whole window after the call's real start. But the window guard forgot every grant
              older than 1.001 s, and the quota every start older than its W': a grant asked for between 1.001 s and
              1.001 s plus the lateness found the late call's grant already gone and went through. Diagnostic
              builds that paired every call's grant, check and start (session 14, about 30 runs before the fix)
              found 8 windows over. In the 4 where they named the call with the oldest grant in the window, that
              call had been heard late by 3.2-5.7 ms, and the window's grants spanned 1.0023-1.0055 s, short of
              1.001 s plus its lateness. Both windows now keep their grants 1/20 of the window longer (the most a
              late start lengthens them); `LimiterStateTest` and `SlidingWindowQuotaTest` ask in that gap and fail
              without it.
              +
              What can still escape: a call stopped between the check and the delegate's start, about a
              microsecond of code. The diagnostic build saw this once in 15 runs after the fix, on a limiter's first
              call (granted at once: 1.6 ms late at the check, 0.9 ms more before its start, while the diagnostic's
              own bookkeeping ran in that gap for the first time); the 20 plain runs saw none. Stop-the-world GC
              pauses are heard too (from the JVM's GC notifications, taken as a late start for every in-memory
              limiter). A late start costs rate: its lateness beyond the guard, once per window, at most 1/20 of
              it. What a provider sees also includes the network's own jitter, so for a provider that counts
              strictly, leave a call or two of margin below its quota. With Redis grants are stamped by the
              server's clock and late starts are not reported: leave a margin there.

            Scale::
              10,000 waiting exchanges hold no threads (the count does not move) and about 0.6-1.2 KiB of heap each
              beyond the exchange itself; all of them are answered when the CamelContext stops.

            Adaptive::
              Every goal is met in the full run on b7f2eaf, with and without `Retry-After`, as in the runs on
              2334c32 (one published, one not kept). With it: steady goodput 0.99 / 0.99 of the capacity (0.96
              before step 10, the run on 8412c03), overall 0.930 / 0.932 (the AWS SDK 0.873 / 0.845, the Throttle
              EIP 0.770 / 0.769), 0.37 / 0.37 429s per 100 successes (the AWS SDK about 2.7, the Throttle EIP about
              26), re-converged 5 / 5 s after the drop (at the goal's edge, as in every run since step 9), 0.9 of the
              raised capacity within 2 / 2 s, nothing lost. Step 10 took the two probes in the 20/s phase from an
              event each (two 429s, two one-second pauses of the whole limiter, then a cut floored at
              `decreaseFactor^3`) to one 429 and a cut at once. Without `Retry-After`: steady 1.00 / 1.00, overall
              0.932 / 0.956 against the AWS SDK's 0.883 / 0.874, 1.52 / 1.03 429s per 100 (its 2.6 / 2.5),
              re-converged 2 / 1 s after the drop, 0.9 of the raised capacity within 5 / 4 s. The runs on 2334c32:
              without `Retry-After` drop 2 / 2 and 1 / 1 s, rise 6 / 5 and 4 / 3 s, 1.52 / 1.50 and 1.01 / 1.00
              429s per 100; with it drop 5 / 5 s, rise 2 / 2 s, 0.37 429s per 100.
              +
              The drop without `Retry-After` was the goal runs still missed until step 11: the full run on c00d56e
              re-converged 7 s after it in its second client run, 1 of 12 client runs since step 9, as the model's
              seeded means predicted (11 of 120 late). The late ones began with a drop's event that read the
              capacity low: its measure counts the calls the provider accepted between two 429s, and 2 calls in
              100 ms read anywhere from 10/s to 30/s (16/s against 20/s in the two seeds traced in session 12). Its
              plateau under the capacity then refilled the provider's bucket, and ten seconds later the probe's
              overshoot on that reserve looked like a rise (step 9's A over 1.25 Wmax): an event at 2-5 Wmax,
              several 429s in the 20/s phase. Step 11 lets the event count 8 accepted calls (or 16 throttles, or
              1 s): late drops 11 -> 4 of 120 in the model (48 -> 14 of 450), for 1.09 -> 1.32 429s per 100 there;
              the real run's 429s without `Retry-After` went 0.78 -> 1.0-1.5 per 100, most of them in the second of
              the drop (the event keeps the old rate while it counts), within the goal of 2 but closer to it. Each
              real run is one draw: the model still has 4 of 120 drops late in each mode, about one client run in
              30. The one traced in session 14 (no `Retry-After`, 0-30 ms of jitter) read the capacity 6 % low
              (18.7/s against 20/s) and cut to 0.9 of that; its plateau at the measured rate held goodput at 0.9 of
              the capacity for 8 s, until the probe passed it.
              Overall goodput without `Retry-After` was under the AWS SDK's until tuning step 8: all of it in the
              rise at 30 s, because C has reached its cap of 100000 by then (every 429 doubles it, the mission's
              rule) and the cubic needs 9 s after its plateau to double the rate; the fast probe past 1.15 Wmax
              rises in 3-7 s in most runs. At a steady capacity the probe meets its 429 before 1.15 Wmax, so the
              fast phase does not start and the probes cost what they did (the steady rows of the model are
              unchanged).
            +
            The candidates (one run each; runs of the same client differ by a few hundredths) show the trade:
            `recoveryScale=5000` (C capped low) meets every goal without `Retry-After` (overall 1.00, rise 1 s) but
            never re-converges after the drop with it (each probe is a one-second pause of the whole limiter);
            `recoveryScale=1000000` holds its plateau longer; `decreaseFactor=0.5` and `signalCooldown=3s` change
            little, as both rarely apply now (the cut uses the measured rate, and events are confirmed by a
            second 429). The model's table shows the limits of the defaults elsewhere: a provider with a tiny
            bucket that answers `Retry-After: 1` (the demo's) loses a second of capacity on every probe because
            the whole limiter pauses for the second it names (0.82 of the capacity in the model since step 10,
            0.65 before; the real demo 20.4/s of 25/s over 4,000 calls, 15.9/s before); a 100 ms round trip
            multiplies the 429s of each event, and with `Retry-After` its rises (10 -> 40/s, 5 -> 30/s) are not
            reached within their 15 s since step 10 (0.548 overall in the table, 0.622 before): its cuts now read
            the capacity, where the floored ones had left a Wmax twice as high, and with `Retry-After` only the
            cubic climbs.

            Adaptive, what to change::
              Proposals: without `Retry-After`, fewer 429s in a drop's event now that it counts 8 calls (step 11
              doubled the real run's 429s per 100, to 1.5; the event keeps the old rate while it counts, and
              lowering that rate to the count's upper bound failed on the 429s' jittered round trips), judged on
              the model's seeded means. Tried in the model and not kept (before step 11): a probe limit of 2 instead of 1.5 while the
              fast probe runs (a modest rise behind a small bucket, 20 -> 24/s with burst 5, then got 0.87 of the
              new capacity instead of 1.00); measuring an event for at least 250 ms instead of 100 ms (7 of 12
              late at 0-2 ms); counting in that measure only the 429s of calls sent since the event opened (twice
              the 429s with a 5-call bucket at 50 ms); adding a fraction of a call to that measure's count
              (session 12; it counts a handful): the issue's schedule without `Retry-After` had 23, 11, 10, 13
              and 101 of 120 drops late with -0.25, 0, +0.25, +0.5 and +1 call, and +0.25 took the late drops with
              `Retry-After` from 4 to 8 and with a 5-call bucket at 50 ms from 16 to 19: the count as it is reads
              the capacity best; the other step-9 variants in the tuning log. A single
              timeline of the model moves with where its probes fall (step 9 made the issue's row without
              `Retry-After` worse there, and the 500/s one drew 1.15 429s per 100 over the rise points: a probe
              cut just before its drop holds the next cut back for `signalCooldown`, 274 429s in that second);
              the seeded means do not. With `Retry-After`: a faster rise after a long round trip (the 100 ms
              schedule's rises, above; the fast probe is left out there because its overshoot would pause the whole
              limiter). Also: pausing only the throttled
              exchange for the first 429 of an event, the whole limiter from the second on (the mission asks for
              a whole-limiter pause on every `Retry-After`, so this needs a decision): it would help a provider
              with a tiny bucket that answers `Retry-After: 1` (the demo's, 0.81 of capacity in the model since
              step 10, which took one of the two pauses out of each probe), where every probe still pauses the
              whole limiter for a second. Step 10 did that within the mission. Tried for that provider in session 9 within the
              mission (model, seeded means) and not kept, each because the measure of an event with a pause inside
              cannot tell a tiny bucket from a fallen capacity: a floor at Wmax for an event opened by a probe above
              it (the demo's provider 0.65 -> 0.76 overall, but the 10 -> 40 -> 5 -> 30/s schedule with
              `Retry-After` then never found a rise again: 0.62 -> 0.46); a floor of decreaseFactor^2 or
              decreaseFactor instead of its cube, also from the rate when the event opened (0.65-0.73, but the
              issue's drop with `Retry-After` then settled late in all 120 runs, against 4); stopping the
              recovery's clock during a pause (0.52).
            """;
}
