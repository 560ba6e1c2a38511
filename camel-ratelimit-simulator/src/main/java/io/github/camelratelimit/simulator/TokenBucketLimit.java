package io.github.camelratelimit.simulator;

import java.util.List;

/**
 * A token bucket whose refill rate may follow a schedule of phases.
 *
 * <pre>
 * tokens(t) = min(burst, tokens(last) + integral over [last, t] of capacity(s) ds)
 * admit(t)  : tokens(t) >= 1  ->  tokens -= 1, served;   otherwise throttled, nothing consumed
 * retry(t)  = least d with  integral over [t, t + d] of capacity(s) ds >= 1 - tokens(t)
 * </pre>
 *
 * Tokens are kept as a {@code long} in units of 10<sup>-9</sup> token, so refilling {@code dt} nanoseconds
 * at {@code c} permits/s adds exactly {@code dt * c} units: integer rates give exact, repeatable counts. A
 * fractional remainder of a unit is dropped and waits are rounded up, so the bucket never serves early.
 * The bucket starts full. Not thread-safe.
 */
final class TokenBucketLimit implements ServerLimit {

    /** One token in internal units. */
    static final long UNIT = 1_000_000_000L;

    private final long burstUnits;
    private final long burst;
    private final List<ProviderSimulator.Phase> schedule;

    /** Absolute start of each segment; the last one lasts forever. */
    private long[] starts;
    private double[] rates;
    private boolean overridden;

    private long tokens;
    private long last;

    TokenBucketLimit(long burst, List<ProviderSimulator.Phase> schedule, long nowNanos) {
        this.burst = burst;
        this.burstUnits = Math.multiplyExact(burst, UNIT);
        this.schedule = List.copyOf(schedule);
        restart(nowNanos);
    }

    @Override
    public void restart(long nowNanos) {
        if (!overridden) {
            int n = schedule.size();
            starts = new long[n];
            rates = new double[n];
            long t = nowNanos;
            for (int i = 0; i < n; i++) {
                starts[i] = t;
                rates[i] = schedule.get(i).capacity();
                t = saturatedAdd(t, schedule.get(i).duration().toNanos());
            }
        }
        tokens = burstUnits;
        last = nowNanos;
    }

    @Override
    public void setCapacity(double permitsPerSecond, long nowNanos) {
        refill(nowNanos);
        starts = new long[] {nowNanos};
        rates = new double[] {permitsPerSecond};
        overridden = true;
    }

    @Override
    public double capacityAt(long nowNanos) {
        return rates[segment(nowNanos)];
    }

    @Override
    public Verdict admit(long nowNanos) {
        refill(nowNanos);
        double rate = capacityAt(nowNanos);
        long windowSeconds = rate > 0 ? Math.max(1L, (long) Math.ceil(burst / rate)) : 1L;
        long limit = Math.max(burst, Math.round(rate * windowSeconds));
        if (tokens >= UNIT) {
            tokens -= UNIT;
            return new Verdict(true, limit, windowSeconds, tokens / UNIT, nanosUntil(burstUnits, nowNanos), 0L);
        }
        return new Verdict(false, limit, windowSeconds, 0L, nanosUntil(burstUnits, nowNanos),
                nanosUntil(UNIT, nowNanos));
    }

    /** Whole tokens in the bucket at {@code nowNanos} (refills first). */
    long tokensAt(long nowNanos) {
        refill(nowNanos);
        return tokens / UNIT;
    }

    private void refill(long nowNanos) {
        long t = last;
        while (t < nowNanos && tokens < burstUnits) {
            int i = segment(t);
            long end = i + 1 < starts.length ? Math.min(starts[i + 1], nowNanos) : nowNanos;
            double add = (double) (end - t) * rates[i];
            long room = burstUnits - tokens;
            tokens = add >= room ? burstUnits : tokens + (long) add;
            t = end;
        }
        last = Math.max(last, nowNanos);
    }

    /** Nanoseconds from {@code nowNanos} (already refilled) until the bucket holds {@code units}. */
    private long nanosUntil(long units, long nowNanos) {
        long deficit = units - tokens;
        if (deficit <= 0) {
            return 0L;
        }
        long t = nowNanos;
        for (int i = segment(nowNanos); i < starts.length; i++) {
            long end = i + 1 < starts.length ? starts[i + 1] : Long.MAX_VALUE;
            double rate = rates[i];
            if (rate > 0) {
                double need = Math.ceil(deficit / rate);
                if (need <= (double) (end - t)) {
                    long at = saturatedAdd(t, (long) need);
                    return at == Long.MAX_VALUE ? Long.MAX_VALUE : at - nowNanos;
                }
                deficit -= (long) ((double) (end - t) * rate);
            }
            t = end;
        }
        return Long.MAX_VALUE;
    }

    private int segment(long t) {
        int i = starts.length - 1;
        while (i > 0 && starts[i] > t) {
            i--;
        }
        return i;
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }
}
