package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The pacing decision of {@link LimiterState} after provider quota reports, on a fake clock with exact numbers.
 * Defaults: maxRate 60/s (interval 16,666,667 ns), quotaSafetyMargin 0.1, maxPause 15 min.
 */
class ProviderQuotaPacingTest {

    static final long S = 1_000_000_000L;
    static final long MAX_RATE_INTERVAL = 16_666_667L; // round(1e9 / 60)

    final LimiterState state = new LimiterState(LimiterConfig.defaults());

    /** Grants one permit at {@code now} (must be available) and reports a 200 with {@code quota}. */
    void callAndReport(long now, ProviderQuota quota) {
        Acquisition a = state.tryAcquire(now);
        assertTrue(a.granted(), a::toString);
        state.record(Feedback.success(a.grantedAt(), 200).withProviderQuota(quota), now);
    }

    /** An eager single caller from {@code from}: takes every permit as soon as it is offered, before {@code until}. */
    List<Long> grants(long from, long until) {
        List<Long> times = new ArrayList<>();
        long now = from;
        while (now < until) {
            Acquisition a = state.tryAcquire(now);
            if (a.granted()) {
                times.add(now);
            } else {
                now += a.waitNanos();
            }
        }
        return times;
    }

    @Test
    void remainingTenInTenSecondsPacesAtNinePerTenSeconds() {
        callAndReport(0, new ProviderQuota(-1, 10, 10 * S, -1));

        // ceiling = 10 * (1 - 0.1) / 10 s = 0.9/s -> interval round(1e9 / 0.9) = 1,111,111,111 ns
        assertEquals(0.9, state.rate(0));
        assertEquals(0.9, state.providerCeiling(0));
        Acquisition wait = state.tryAcquire(0);
        assertEquals(MAX_RATE_INTERVAL, wait.waitNanos()); // the slot already on the grid
        assertEquals(1_111_111_111L, wait.intervalNanos());
        assertEquals(Acquisition.WaitReason.PACING, wait.reason());

        List<Long> inWindow = grants(0, 10 * S);
        List<Long> expected = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            // below 1/s grants are at least one interval + 1/1000 of it apart (LimiterState's window guard)
            expected.add(MAX_RATE_INTERVAL + k * 1_112_222_222L);
        }
        assertEquals(expected, inWindow);
        assertTrue(inWindow.size() <= 10 * 0.9, "at most remaining * (1 - margin) calls before the reset");

        // the ceiling ends with the reported window: back to maxRate
        assertEquals(60.0, state.rate(10 * S));
        // the grid was capped at the reset, so the first call of the new window goes at the reset itself
        assertEquals(List.of(10_000_000_000L, 10_016_666_667L, 10_033_333_334L), grants(10 * S, 10_040_000_000L));
    }

    @Test
    void remainingZeroPausesUntilTheReset() {
        callAndReport(0, new ProviderQuota(5000, 0, 10 * S, -1));

        Acquisition a = state.tryAcquire(0);
        assertFalse(a.granted());
        assertEquals(10 * S, a.waitNanos());
        assertEquals(Acquisition.WaitReason.PAUSED, a.reason());
        assertEquals(5 * S, state.tryAcquire(5 * S).waitNanos());
        assertEquals(10 * S, state.snapshot(0).pauseRemainingNanos());
        assertTrue(state.tryAcquire(10 * S).granted());
        assertEquals(60.0, state.rate(10 * S)); // a pause does not lower the rate
    }

    @Test
    void remainingZeroPauseIsClampedToMaxPause() {
        callAndReport(0, new ProviderQuota(-1, 0, Duration.ofHours(1).toNanos(), -1));
        assertEquals(Duration.ofMinutes(15).toNanos(), state.tryAcquire(0).waitNanos());
    }

    @Test
    void reportedLimitBelowMaxRateLowersTheRateAndALargerOneAllowsMoreAgain() {
        // 30 per 60 s -> 30 * 0.9 / 60 = 0.45/s, interval round(1e9 / 0.45) = 2,222,222,222 ns
        callAndReport(0, new ProviderQuota(30, -1, -1, 60 * S));
        assertEquals(0.45, state.rate(0));
        // below 1/s: one interval + 1/1000 of it between grants (LimiterState's window guard)
        assertEquals(List.of(MAX_RATE_INTERVAL, MAX_RATE_INTERVAL + 2_224_444_444L,
                MAX_RATE_INTERVAL + 2 * 2_224_444_444L), grants(0, 5 * S));
        // the limit has no expiry of its own: it holds until the next report
        assertEquals(0.45, state.rate(3600 * S));

        // 600 per 60 s -> 9/s
        long now = 3600 * S;
        callAndReport(now, new ProviderQuota(600, -1, -1, 60 * S));
        assertEquals(9.0, state.rate(now));
        assertEquals(111_111_111L, state.tryAcquire(now).intervalNanos());

        // 6000 per 60 s -> 90/s, above maxRate: maxRate rules again. (The permit taken at `now` was spaced at
        // the old 0.45/s, so the next slot is 2.22 s later.)
        assertEquals(now + 2_222_222_222L, now + state.tryAcquire(now).waitNanos());
        callAndReport(now + 3 * S, new ProviderQuota(6000, -1, -1, 60 * S));
        assertEquals(90.0, state.providerCeiling(now + 3 * S));
        assertEquals(60.0, state.rate(now + 3 * S));
    }

    @Test
    void tighterOfCeilingAndLimitRateWins() {
        callAndReport(0, new ProviderQuota(600, 100, 10 * S, 60 * S)); // limit 9/s, ceiling 9/s
        assertEquals(9.0, state.rate(0));
        callAndReport(S, new ProviderQuota(600, 20, 10 * S, 60 * S)); // ceiling 20 * 0.9 / 10 = 1.8/s
        assertEquals(1.8, state.rate(S));
        assertEquals(9.0, state.rate(11 * S)); // ceiling over, the limit stays
    }

    @Test
    void providerQuotaMayPaceBelowMinRate() {
        callAndReport(0, new ProviderQuota(-1, 1, 60 * S, -1));
        // 1 * 0.9 / 60 = 0.015/s, far under minRate 1/s: the provider's word wins over the floor
        assertEquals(0.015, state.rate(0), 1e-15);
        assertEquals(66_666_666_667L, state.tryAcquire(0).intervalNanos());
        // the slot after the one already on the grid would be one ceiling interval (66.7 s) later, past the
        // reported reset: the grid is capped at the reset, where the provider's window starts afresh
        assertEquals(List.of(MAX_RATE_INTERVAL, 60 * S), grants(0, 60_010_000_000L));
    }

    @Test
    void unknownQuotaChangesNothing() {
        callAndReport(0, ProviderQuota.UNKNOWN);
        assertEquals(60.0, state.rate(0));
        assertEquals(Double.POSITIVE_INFINITY, state.providerCeiling(0));
        assertEquals(MAX_RATE_INTERVAL, state.tryAcquire(0).waitNanos());
    }

    @Test
    void parsedHeadersDriveThePacingEndToEnd() {
        ManualClock clock = new ManualClock();
        Duration maxPause = state.config().maxPause();
        List<String> warnings = new ArrayList<>();

        // GitHub-style: 10 left, reset as epoch seconds 10 s after the response's Date
        long epoch = clock.wallMillis() / 1000 + 10;
        ProviderQuota github = QuotaHeaderParser.DEFAULT.parse(Map.of("Date", "Thu, 01 Jan 2026 00:00:00 GMT",
                "x-ratelimit-limit", "5000", "x-ratelimit-remaining", "10", "x-ratelimit-reset",
                String.valueOf(epoch)), clock, maxPause, warnings::add);
        assertEquals(new ProviderQuota(5000, 10, 10 * S, -1), github);
        callAndReport(clock.nanoTime(), github);
        assertEquals(0.9, state.rate(clock.nanoTime()));
        assertEquals(9, grants(0, 10 * S).size());

        // Discord-style: bucket exhausted, resets after 2.5 s
        clock.setNanos(20 * S);
        ProviderQuota discord = QuotaHeaderParser.DEFAULT.parse(Map.of("X-RateLimit-Limit", "5",
                "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "2.5"), clock, maxPause, warnings::add);
        callAndReport(clock.nanoTime(), discord);
        assertEquals(2_500_000_000L, state.tryAcquire(clock.nanoTime()).waitNanos());

        // IETF: a daily policy, 100 left for 10 h -> clamped to 15 min with 2 left (rate kept, not raised)
        clock.setNanos(30 * S);
        ProviderQuota ietf = QuotaHeaderParser.DEFAULT.parse(Map.of(
                "RateLimit-Policy", "\"hour\";q=1000;w=3600, \"day\";q=5000;w=86400",
                "RateLimit", "\"day\";r=100;t=36000"), clock, maxPause, warnings::add);
        assertEquals(new ProviderQuota(5000, 2, 900 * S, 86_400 * S), ietf);
        callAndReport(clock.nanoTime(), ietf);
        // min(ceiling 2 * 0.9 / 900 = 0.002/s, limit 5000 * 0.9 / 86400 = 0.0520833/s)
        assertEquals(0.002, state.rate(clock.nanoTime()), 1e-18);
        assertEquals(List.of("RateLimit: reset in 36000 s clamped to maxReset 900 s, remaining 100 scaled to 2"),
                warnings);
    }
}
