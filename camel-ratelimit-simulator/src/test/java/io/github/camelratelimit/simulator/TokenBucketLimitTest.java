package io.github.camelratelimit.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBucketLimitTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static TokenBucketLimit bucket(long burst, double capacity) {
        return new TokenBucketLimit(burst, List.of(new ProviderSimulator.Phase(Duration.ofSeconds(1), capacity)), 0L);
    }

    private static int admitted(ServerLimit limit, int requests, long at) {
        int ok = 0;
        for (int i = 0; i < requests; i++) {
            if (limit.admit(at).allowed()) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void startsFullServesTheBurstThenThrottlesWithoutConsuming() {
        TokenBucketLimit b = bucket(5, 20.0);
        assertEquals(5, admitted(b, 12, 0L));
        ServerLimit.Verdict v = b.admit(0L);
        assertFalse(v.allowed());
        assertEquals(50 * MS, v.retryAfterNanos());
        assertEquals(250 * MS, v.resetNanos());
        // throttled requests took nothing: exactly one token after 50 ms
        assertEquals(1, admitted(b, 10, 50 * MS));
        assertEquals(0, admitted(b, 10, 50 * MS + 49 * MS));
        assertEquals(1, admitted(b, 10, 100 * MS));
    }

    @Test
    void refillIsCappedAtTheBurst() {
        TokenBucketLimit b = bucket(5, 20.0);
        assertEquals(5, admitted(b, 5, 0L));
        assertEquals(5, admitted(b, 100, 10 * S));
    }

    @Test
    void sustainedRateIsExact() {
        // 20/s for 10 s, a request every 10 ms (100/s offered): burst 5 + 200 refilled tokens
        TokenBucketLimit b = bucket(5, 20.0);
        int ok = 0;
        for (long t = 0; t < 10 * S; t += 10 * MS) {
            ok += b.admit(t).allowed() ? 1 : 0;
        }
        assertEquals(5 + 199, ok); // the token earned at exactly t = 10 s is not asked for
    }

    @Test
    void fractionalRateNeverServesEarly() {
        TokenBucketLimit b = bucket(1, 3.0);
        assertTrue(b.admit(0L).allowed());
        ServerLimit.Verdict v = b.admit(0L);
        assertEquals(333_333_334L, v.retryAfterNanos());
        assertFalse(b.admit(333_333_333L).allowed());
        assertTrue(b.admit(333_333_334L).allowed());
    }

    @Test
    void remainingAndQuotaDescribeTheBucket() {
        TokenBucketLimit b = bucket(5, 20.0);
        ServerLimit.Verdict v = b.admit(0L);
        assertEquals(4, v.remaining());
        assertEquals(20, v.limit());
        assertEquals(1, v.windowSeconds());
        assertEquals(50 * MS, v.resetNanos());

        TokenBucketLimit slow = bucket(1, 0.5);
        ServerLimit.Verdict s = slow.admit(0L);
        assertEquals(1, s.limit());
        assertEquals(2, s.windowSeconds());
        assertEquals(2 * S, s.resetNanos());
    }

    @Test
    void scheduleChangesTheRateAtPhaseBoundaries() {
        List<ProviderSimulator.Phase> phases = List.of(
                new ProviderSimulator.Phase(Duration.ofSeconds(1), 2.0),
                new ProviderSimulator.Phase(Duration.ofSeconds(1), 10.0),
                new ProviderSimulator.Phase(Duration.ofSeconds(1), 0.0));
        TokenBucketLimit b = new TokenBucketLimit(1, phases, 0L);
        assertEquals(2.0, b.capacityAt(0L));
        assertEquals(10.0, b.capacityAt(S));
        assertEquals(0.0, b.capacityAt(5 * S));
        assertTrue(b.admit(0L).allowed());
        assertTrue(b.admit(600 * MS).allowed()); // 1.2 tokens earned, capped at the burst of 1
        // at 0.9 s: 0.6 token; 0.2 more by the end of phase 1, the last 0.2 at 10/s takes 20 ms
        ServerLimit.Verdict v = b.admit(900 * MS);
        assertFalse(v.allowed());
        assertEquals(120 * MS, v.retryAfterNanos());
        assertTrue(b.admit(1020 * MS).allowed());
        // during the second phase: one every 100 ms
        assertEquals(1, admitted(b, 5, 1120 * MS));
        // the last phase (rate 0) lasts forever: what is left of phase 2 is all there will ever be
        assertTrue(b.admit(2 * S).allowed());
        ServerLimit.Verdict never = b.admit(100 * S);
        assertFalse(never.allowed());
        assertEquals(Long.MAX_VALUE, never.retryAfterNanos());
    }

    @Test
    void setCapacityKeepsEarnedTokensAndSurvivesRestart() {
        TokenBucketLimit b = bucket(2, 1.0);
        assertEquals(2, admitted(b, 2, 0L));
        b.setCapacity(10.0, 500 * MS); // half a token earned at 1/s
        assertEquals(0, admitted(b, 1, 500 * MS));
        assertEquals(1, admitted(b, 2, 550 * MS)); // + 0.5 at 10/s
        b.restart(S);
        assertEquals(10.0, b.capacityAt(S));
        assertEquals(2, admitted(b, 5, S));
    }
}
