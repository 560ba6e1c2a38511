package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.camelratelimit.core.Backoff.Jitter;
import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackoffTest {

    private static final long MS = 1_000_000L;

    private static long[] sequence(Jitter jitter, long seed) {
        Backoff b = Backoff.builder().jitter(jitter).build();
        Random random = new Random(seed);
        long[] out = new long[8];
        Duration prev = null;
        for (int n = 1; n <= out.length; n++) {
            prev = b.delay(n, prev, random);
            out[n - 1] = prev.toNanos();
        }
        return out;
    }

    @Test
    void exactDelaysWithSeed42() {
        // new Random(42).nextDouble() draws 0.7275636800328681, 0.6832234717598454, 0.30871945533265976, ...
        // defaults: base 500ms, x2, cap 30s
        assertArrayEquals(new long[] {500 * MS, 1_000 * MS, 2_000 * MS, 4_000 * MS, 8_000 * MS, 16_000 * MS,
                30_000 * MS, 30_000 * MS}, sequence(Jitter.NONE, 42));
        // FULL: u * t; 0.7275636800328681 * 500ms = 363.78184ms
        assertArrayEquals(new long[] {363_781_840L, 683_223_471L, 617_438_910L, 1_108_313_960L, 5_324_391_614L,
                14_453_956_234L, 11_063_487_402L, 8_272_442_083L}, sequence(Jitter.FULL, 42));
        // EQUAL: t/2 + u * t/2; 250ms + 0.7275636800328681 * 250ms = 431.89092ms
        assertArrayEquals(new long[] {431_890_920L, 841_611_735L, 1_308_719_455L, 2_554_156_980L, 6_662_195_807L,
                15_226_978_117L, 20_531_743_701L, 19_136_221_041L}, sequence(Jitter.EQUAL, 42));
        // DECORRELATED: base + u * (3p - base); 500ms + 0.7275636800328681 * 1000ms = 1227.56368ms, then
        // 500ms + 0.6832234717598454 * (3 * 1227.56368ms - 500ms) = 2674.489221ms
        assertArrayEquals(new long[] {1_227_563_680L, 2_674_489_221L, 2_822_640_839L, 2_707_739_940L,
                5_573_625_960L, 15_153_491_185L, 17_080_654_425L, 14_491_998_412L}, sequence(Jitter.DECORRELATED, 42));
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void matchesTheFormulaForManySeedsAndSettings(Jitter jitter) {
        SplittableRandom settings = new SplittableRandom(1);
        for (int seed = 0; seed < 2_000; seed++) {
            long baseMs = 1 + settings.nextLong(2_000);
            long capMs = baseMs + settings.nextLong(120_000);
            double m = 1 + settings.nextDouble() * 3;
            Backoff b = Backoff.builder().baseDelay(Duration.ofMillis(baseMs)).maxDelay(Duration.ofMillis(capMs))
                    .multiplier(m).jitter(jitter).build();
            double base = baseMs * 1e6;
            double cap = capMs * 1e6;
            Random actual = new Random(seed);
            Random expected = new Random(seed);
            Duration prev = null;
            for (int n = 1; n <= 20; n++) {
                double t = Math.min(cap, base * Math.pow(m, n - 1));
                double want = switch (jitter) {
                    case NONE -> t;
                    case FULL -> expected.nextDouble() * t;
                    case EQUAL -> t / 2 + expected.nextDouble() * t / 2;
                    case DECORRELATED -> {
                        double p = prev == null ? base : prev.toNanos();
                        yield Math.min(cap, base + expected.nextDouble() * (3 * p - base));
                    }
                };
                Duration got = b.delay(n, prev, actual);
                assertEquals((long) want, got.toNanos(), jitter + " seed " + seed + " attempt " + n);
                long lo = switch (jitter) {
                    case NONE -> (long) t;
                    case FULL -> 0;
                    case EQUAL -> (long) (t / 2);
                    case DECORRELATED -> (long) Math.min(base, cap);
                };
                assertTrue(got.toNanos() >= lo && got.toNanos() <= (long) cap, () -> jitter + " out of bounds " + got);
                prev = got;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void hugeAttemptsNeverOverflow(Jitter jitter) {
        Backoff b = Backoff.builder().jitter(jitter).multiplier(10).build();
        Random random = new Random(3);
        for (int attempt : new int[] {64, 1_000, 10_000, Integer.MAX_VALUE}) {
            Duration d = b.delay(attempt, Duration.ofDays(365), random);
            assertTrue(!d.isNegative() && d.compareTo(Backoff.DEFAULT_MAX_DELAY) <= 0, jitter + " " + d);
            assertEquals(Backoff.DEFAULT_MAX_DELAY, b.ceiling(attempt));
        }
        if (jitter == Jitter.NONE) {
            assertEquals(Duration.ofSeconds(30), b.delay(10_000, null, random));
        }
    }

    @Test
    void multiplierOneIsConstant() {
        Backoff b = Backoff.builder().multiplier(1).jitter(Jitter.NONE).baseDelay(Duration.ofSeconds(2)).build();
        for (int n = 1; n < 100; n += 7) {
            assertEquals(Duration.ofSeconds(2), b.delay(n, null, new Random(n)));
        }
    }

    @Test
    void decorrelatedClampsThePreviousDelay() {
        Backoff b = Backoff.builder().jitter(Jitter.DECORRELATED).build();
        // a previous below base counts as base: U(500ms, 1500ms)
        assertEquals(b.delay(1, null, new Random(5)), b.delay(1, Duration.ZERO, new Random(5)));
        assertEquals(b.delay(1, null, new Random(5)), b.delay(1, Duration.ofSeconds(-4), new Random(5)));
        // a previous above the cap counts as the cap, and the cap bounds the result
        assertEquals(b.delay(1, Duration.ofSeconds(30), new Random(5)),
                b.delay(1, Duration.ofSeconds(Long.MAX_VALUE), new Random(5)));
        // 500ms + 0.7275636800328681 * 89.5s > 30s -> capped
        assertEquals(Duration.ofSeconds(30), b.delay(1, Duration.ofSeconds(30), new Random(42)));
    }

    @Test
    void noneDrawsNothingAndTheOthersDrawOnce() {
        for (Jitter j : Jitter.values()) {
            Random used = new Random(11);
            Backoff.builder().jitter(j).build().delay(3, null, used);
            Random reference = new Random(11);
            if (j != Jitter.NONE) {
                reference.nextDouble();
            }
            assertEquals(reference.nextLong(), used.nextLong(), j.name());
        }
    }

    @Test
    void floorWithJitterIsNeverShorterThanTheServerWait() {
        Duration[] waits = {Duration.ZERO, Duration.ofNanos(1), Duration.ofMillis(1), Duration.ofMillis(1_500),
                Duration.ofSeconds(1, 123_456_789), Duration.ofMinutes(15), Duration.ofDays(3650)};
        double[] fractions = {0, 0.01, 0.1, 0.5, 1};
        for (Duration w : waits) {
            for (double f : fractions) {
                double wn = w.getSeconds() * 1e9 + w.getNano();
                for (long seed = 0; seed < 10_000; seed++) {
                    Duration d = Backoff.floorWithJitter(w, f, new SplittableRandom(seed));
                    assertTrue(d.compareTo(w) >= 0, () -> "shorter than " + w + ": " + d);
                    assertTrue(d.minus(w).toNanos() <= (long) (wn * f), () -> "more than +" + f + " of " + w + ": " + d);
                }
            }
        }
    }

    @Test
    void floorWithJitterExactValues() {
        // 10s * (1 + 0.1 * 0.7275636800328681)
        assertEquals(Duration.ofNanos(10_727_563_680L), Backoff.floorWithJitter(Duration.ofSeconds(10), 0.1,
                new Random(42)));
        assertEquals(Duration.ofSeconds(10), Backoff.floorWithJitter(Duration.ofSeconds(10), 0, new Random(42)));
        assertEquals(Duration.ZERO, Backoff.floorWithJitter(Duration.ofSeconds(-10), 0.1, new Random(42)));
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        assertEquals(huge, Backoff.floorWithJitter(huge, 1, new Random(42)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.floorWithJitter(Duration.ZERO, -0.1, new Random()));
        assertThrows(IllegalArgumentException.class, () -> Backoff.floorWithJitter(Duration.ZERO, 1.5, new Random()));
        assertThrows(IllegalArgumentException.class,
                () -> Backoff.floorWithJitter(Duration.ZERO, Double.NaN, new Random()));
    }

    @Test
    void retryDelayTakesTheLongerOfServerFloorAndBackoff() {
        Backoff b = Backoff.defaults();
        // attempt 1, FULL: 363.78184ms backoff, then the floor draws 0.6832234717598454: 2s * 1.06832234717598454
        assertEquals(Duration.ofNanos(2_136_644_694L), b.retryDelay(1, null, Duration.ofSeconds(2), new Random(42)));
        // attempt 6, FULL with a fresh seed 42: 0.7275636800328681 * 16s = 11.64101888s > 1s * (1 + 0.068...)
        assertEquals(Duration.ofNanos(11_641_018_880L), b.retryDelay(6, null, Duration.ofSeconds(1), new Random(42)));
        // no server wait: the backoff alone
        assertEquals(b.delay(3, null, new Random(9)), b.retryDelay(3, null, null, new Random(9)));
        // a server wait beyond maxDelay is kept (a floor, not capped)
        Duration longWait = Duration.ofMinutes(10);
        assertTrue(b.retryDelay(1, null, longWait, new Random(1)).compareTo(longWait) >= 0);
    }

    @Test
    void toMillisCeilRoundsUp() {
        assertEquals(0, Backoff.toMillisCeil(Duration.ZERO));
        assertEquals(1, Backoff.toMillisCeil(Duration.ofNanos(1)));
        assertEquals(1_000, Backoff.toMillisCeil(Duration.ofSeconds(1)));
        assertEquals(1_001, Backoff.toMillisCeil(Duration.ofNanos(1_000_000_001L)));
        assertEquals(0, Backoff.toMillisCeil(Duration.ofSeconds(-5)));
        assertEquals(Long.MAX_VALUE, Backoff.toMillisCeil(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    @Test
    void defaults() {
        Backoff b = Backoff.defaults();
        assertEquals(Duration.ofMillis(500), b.baseDelay());
        assertEquals(2.0, b.multiplier());
        assertEquals(Duration.ofSeconds(30), b.maxDelay());
        assertEquals(Jitter.FULL, b.jitter());
        assertEquals(0.1, b.retryAfterJitter());
        assertEquals(b, b.toBuilder().build());
        assertThrows(IllegalArgumentException.class, () -> b.delay(0, null, new Random()));
        assertThrows(IllegalArgumentException.class, () -> b.ceiling(-1));
    }

    @Test
    void invalidOptionsAreNamedWithValueAndRule() {
        invalid(x -> x.baseDelay(Duration.ZERO), "backoffBaseDelay", "must be > 0");
        invalid(x -> x.baseDelay(null), "backoffBaseDelay", "must be set");
        invalid(x -> x.baseDelay(Duration.ofMinutes(1)), "backoffBaseDelay", "must be <= backoffMaxDelay (PT30S)");
        invalid(x -> x.maxDelay(Duration.ofMillis(-1)), "backoffMaxDelay", "must be > 0");
        invalid(x -> x.maxDelay(Duration.ofDays(2)), "backoffMaxDelay", "must be <= PT24H");
        invalid(x -> x.multiplier(0.5), "backoffMultiplier", "must be a finite number >= 1");
        invalid(x -> x.multiplier(Double.NaN), "backoffMultiplier", "must be a finite number >= 1");
        invalid(x -> x.multiplier(Double.POSITIVE_INFINITY), "backoffMultiplier", "must be a finite number >= 1");
        invalid(x -> x.jitter(null), "backoffJitter", "must be one of FULL, EQUAL, DECORRELATED, NONE");
        invalid(x -> x.retryAfterJitter(-0.1), "retryAfterJitter", "must be >= 0 and <= 1");
        invalid(x -> x.retryAfterJitter(Double.NaN), "retryAfterJitter", "must be >= 0 and <= 1");
    }

    private static void invalid(Consumer<Backoff.Builder> change, String option, String rule) {
        Backoff.Builder builder = Backoff.builder();
        change.accept(builder);
        InvalidLimiterConfigException e = assertThrows(InvalidLimiterConfigException.class, builder::build);
        assertEquals(option, e.getOption());
        assertTrue(e.getMessage().startsWith("ratelimit option " + option + "="), e.getMessage());
        assertTrue(e.getMessage().endsWith("is invalid: " + rule), e.getMessage());
    }
}
