package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link LimiterConfig}: defaults, every validation rule, equality for conflict detection, toBuilder. */
class LimiterConfigTest {

    @Test
    void defaults() {
        LimiterConfig c = LimiterConfig.defaults();
        assertEquals(1.0, c.minRate());
        assertEquals(60.0, c.maxRate());
        assertEquals(100_000.0, c.recoveryScale());
        assertEquals(0.7, c.decreaseFactor());
        assertEquals(0, c.quota());
        assertEquals(Duration.ofSeconds(1), c.quotaWindow());
        assertEquals(Duration.ofSeconds(60), c.maxWait());
        assertEquals(10_000, c.maxPending());
        assertEquals(Duration.ofSeconds(1), c.signalCooldown());
        assertEquals(Duration.ofMinutes(15), c.maxPause());
        assertEquals(0.1, c.quotaSafetyMargin());
        assertFalse(c.hasQuota());
        assertEquals(500.0, c.initialScale());
        assertEquals(c, LimiterConfig.builder().build());
    }

    @Test
    void initialScaleIsCappedByRecoveryScale() {
        assertEquals(200.0, LimiterConfig.builder().recoveryScale(200).build().initialScale());
        assertEquals(500.0, LimiterConfig.builder().recoveryScale(500).build().initialScale());
        assertEquals(500.0, LimiterConfig.builder().recoveryScale(501).build().initialScale());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("minRate > maxRate", b -> b.minRate(5).maxRate(2), "minRate", "5.0", "must be <= maxRate (2.0)"),
                bad("minRate 0", b -> b.minRate(0), "minRate", "0.0", "must be a finite number > 0"),
                bad("minRate negative", b -> b.minRate(-1), "minRate", "-1.0", "must be a finite number > 0"),
                bad("minRate NaN", b -> b.minRate(Double.NaN), "minRate", "NaN", "must be a finite number > 0"),
                bad("maxRate 0", b -> b.maxRate(0), "maxRate", "0.0", "must be a finite number > 0"),
                bad("maxRate NaN", b -> b.maxRate(Double.NaN), "maxRate", "NaN", "must be a finite number > 0"),
                bad("maxRate Infinity", b -> b.maxRate(Double.POSITIVE_INFINITY), "maxRate", "Infinity",
                        "must be a finite number > 0"),
                bad("maxRate -Infinity", b -> b.maxRate(Double.NEGATIVE_INFINITY), "maxRate", "-Infinity",
                        "must be a finite number > 0"),
                bad("maxRate above a billion", b -> b.maxRate(1_000_000_001), "maxRate", "1.000000001E9",
                        "must be <= 1000000000"),
                bad("recoveryScale 0", b -> b.recoveryScale(0), "recoveryScale", "0.0", "must be a finite number > 0"),
                bad("recoveryScale Infinity", b -> b.recoveryScale(Double.POSITIVE_INFINITY), "recoveryScale",
                        "Infinity", "must be a finite number > 0"),
                bad("recoveryScale NaN", b -> b.recoveryScale(Double.NaN), "recoveryScale", "NaN",
                        "must be a finite number > 0"),
                bad("decreaseFactor 0", b -> b.decreaseFactor(0), "decreaseFactor", "0.0", "must be > 0 and < 1"),
                bad("decreaseFactor 1", b -> b.decreaseFactor(1), "decreaseFactor", "1.0", "must be > 0 and < 1"),
                bad("decreaseFactor NaN", b -> b.decreaseFactor(Double.NaN), "decreaseFactor", "NaN",
                        "must be > 0 and < 1"),
                bad("quota negative", b -> b.quota(-1), "quota", "-1", "must be between 0 (off) and 10000000"),
                bad("quota above ten million", b -> b.quota(10_000_001), "quota", "10000001",
                        "must be between 0 (off) and 10000000"),
                bad("zero quotaWindow with quota", b -> b.quota(10).quotaWindow(Duration.ZERO), "quotaWindow", "PT0S",
                        "must be > 0 when quota is set"),
                bad("negative quotaWindow with quota", b -> b.quota(10).quotaWindow(Duration.ofSeconds(-1)),
                        "quotaWindow", "PT-1S", "must be > 0 when quota is set"),
                bad("quotaWindow above 366 days", b -> b.quota(10).quotaWindow(Duration.ofDays(367)), "quotaWindow",
                        "PT8808H", "must be <= 366 days"),
                bad("quotaWindow null", b -> b.quotaWindow(null), "quotaWindow", "null", "must be set"),
                bad("maxWait negative", b -> b.maxWait(Duration.ofMillis(-1)), "maxWait", "PT-0.001S", "must be >= 0"),
                bad("maxWait null", b -> b.maxWait(null), "maxWait", "null", "must be set"),
                bad("maxPending negative", b -> b.maxPending(-1), "maxPending", "-1", "must be >= 0"),
                bad("signalCooldown negative", b -> b.signalCooldown(Duration.ofSeconds(-1)), "signalCooldown",
                        "PT-1S", "must be >= 0"),
                bad("maxPause negative", b -> b.maxPause(Duration.ofSeconds(-1)), "maxPause", "PT-1S",
                        "must be >= 0"),
                bad("maxPause zero", b -> b.maxPause(Duration.ZERO), "maxPause", "PT0S", "must be > 0"),
                bad("quotaSafetyMargin 1", b -> b.quotaSafetyMargin(1), "quotaSafetyMargin", "1.0",
                        "must be >= 0 and < 1"),
                bad("quotaSafetyMargin negative", b -> b.quotaSafetyMargin(-0.1), "quotaSafetyMargin", "-0.1",
                        "must be >= 0 and < 1"),
                bad("quotaSafetyMargin NaN", b -> b.quotaSafetyMargin(Double.NaN), "quotaSafetyMargin", "NaN",
                        "must be >= 0 and < 1"));
    }

    private static Arguments bad(String name, UnaryOperator<LimiterConfig.Builder> settings, String option,
            String value, String rule) {
        return Arguments.of(name, settings, option, value, rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void eachRuleFailsNamingOptionValueAndRule(String name, UnaryOperator<LimiterConfig.Builder> settings,
            String option, String value, String rule) {
        InvalidLimiterConfigException e = assertThrows(InvalidLimiterConfigException.class,
                () -> settings.apply(LimiterConfig.builder()).build());
        assertEquals(option, e.getOption());
        assertEquals(value, e.getValue());
        assertEquals("ratelimit option " + option + "=" + value + " is invalid: " + rule, e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void boundaryValuesAreAccepted() {
        LimiterConfig c = LimiterConfig.builder()
                .minRate(1_000_000_000).maxRate(1_000_000_000) // min == max, at the ceiling
                .decreaseFactor(0.999).quota(10_000_000).quotaWindow(Duration.ofDays(366))
                .maxWait(Duration.ZERO).maxPending(0).signalCooldown(Duration.ZERO).maxPause(Duration.ofNanos(1))
                .quotaSafetyMargin(0).build();
        assertTrue(c.hasQuota());
        assertEquals(10_000_000, c.quota());
        assertEquals(0.001, LimiterConfig.builder().minRate(0.001).maxRate(0.001).build().minRate());
    }

    @Test
    void aZeroQuotaWindowIsFineWithoutQuota() {
        LimiterConfig c = LimiterConfig.builder().quotaWindow(Duration.ZERO).build();
        assertFalse(c.hasQuota());
    }

    @Test
    void theRecordConstructorValidatesToo() {
        assertThrows(InvalidLimiterConfigException.class, () -> new LimiterConfig(1, 60, 100_000, 0.7, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(60), 10_000, Duration.ofSeconds(1), Duration.ofMinutes(15),
                1.5));
    }

    @Test
    void equalSettingsAreEqual() {
        LimiterConfig a = LimiterConfig.builder().maxRate(10).quota(100).quotaWindow(Duration.ofMinutes(1)).build();
        LimiterConfig b = LimiterConfig.builder().quota(100).quotaWindow(Duration.ofSeconds(60)).maxRate(10).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    /** Two endpoints naming one limiter with any one option different must be told apart. */
    @Test
    void anyOneDifferentOptionMakesConfigsDiffer() {
        LimiterConfig base = LimiterConfig.defaults();
        List<UnaryOperator<LimiterConfig.Builder>> changes = List.of(
                b -> b.minRate(2),
                b -> b.maxRate(61),
                b -> b.recoveryScale(99_999),
                b -> b.decreaseFactor(0.5),
                b -> b.quota(1),
                b -> b.quotaWindow(Duration.ofSeconds(2)),
                b -> b.maxWait(Duration.ofSeconds(59)),
                b -> b.maxPending(9_999),
                b -> b.signalCooldown(Duration.ofMillis(999)),
                b -> b.maxPause(Duration.ofMinutes(14)),
                b -> b.quotaSafetyMargin(0.2));
        for (UnaryOperator<LimiterConfig.Builder> change : changes) {
            LimiterConfig other = change.apply(base.toBuilder()).build();
            assertNotEquals(base, other, other.toString());
        }
    }

    @Test
    void toBuilderRoundTrips() {
        LimiterConfig c = LimiterConfig.builder().minRate(0.5).maxRate(250).recoveryScale(3000).decreaseFactor(0.6)
                .quota(1000).quotaWindow(Duration.ofHours(1)).maxWait(Duration.ofSeconds(5)).maxPending(42)
                .signalCooldown(Duration.ofMillis(1500)).maxPause(Duration.ofMinutes(3)).quotaSafetyMargin(0.25)
                .build();
        LimiterConfig copy = c.toBuilder().build();
        assertEquals(c, copy);
        assertEquals(c.hashCode(), copy.hashCode());
        assertEquals(c.toString(), copy.toString());
        // the builder copies, it does not alias
        assertEquals(251.0, c.toBuilder().maxRate(251).build().maxRate());
        assertEquals(250.0, c.maxRate());
    }
}
