package io.github.camelratelimit.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Computes how long to wait before a retry: capped exponential backoff with jitter, and a jittered floor for a
 * server's {@code Retry-After}.
 *
 * <pre>
 * n = attempt (1 = first retry), b = baseDelay, m = multiplier, cap = maxDelay, u = random.nextDouble() in [0, 1)
 * t            = min(cap, b * m^(n-1))
 * NONE         = t
 * FULL         = u * t                                        in [0, t)
 * EQUAL        = t/2 + u * t/2                                in [t/2, t)
 * DECORRELATED = min(cap, b + u * (3*p - b)),  p = clamp(previous, b, cap) (b when none)   in [b, min(cap, 3p))
 * server floor = w * (1 + u * f),  w = Retry-After wait, f = retryAfterJitter               in [w, w * (1 + f))
 * retryDelay   = max(server floor, backoff)     (backoff alone without a server wait)
 * </pre>
 *
 * <p><b>Default jitter: {@link Jitter#FULL}.</b> In the AWS Architecture Blog study "Exponential Backoff And
 * Jitter" (100 contending clients) full jitter needed the fewest calls to get every client through; decorrelated
 * jitter finished slightly sooner but made more calls, equal jitter did slightly more work than full jitter and
 * took much longer, and plain exponential backoff (NONE) was worst, because clients stay in lock-step. In front of a rate-limited API every
 * extra call spends the quota the limiter is trying to protect, so the least work wins.
 *
 * <p><b>A server's wait is a floor.</b> {@link #floorWithJitter} only ever adds (0 to {@code f}, default 10 %):
 * symmetric jitter could retry before the window the server named has reset, and without jitter every client
 * told the same {@code Retry-After} wakes at the same instant. {@link #retryDelay} also keeps the backoff when it
 * is longer, so a server that keeps throttling after its own {@code Retry-After} (or says {@code 0}) still sees
 * growing gaps. The server wait is not capped by {@code maxDelay}; clamp it when parsing
 * ({@link RetryAfterParser}) and give up on {@link RetryAfterParser.Kind#CLAMPED} if that is the policy.
 *
 * <table>
 * <caption>Options</caption>
 * <tr><th>option</th><th>default</th><th>rule</th></tr>
 * <tr><td>backoffBaseDelay</td><td>500ms</td><td>&gt; 0 and &lt;= backoffMaxDelay</td></tr>
 * <tr><td>backoffMultiplier</td><td>2.0</td><td>finite, &gt;= 1 (1 = constant t = base)</td></tr>
 * <tr><td>backoffMaxDelay</td><td>30s</td><td>&gt; 0 and &lt;= 1 day: the cap of every computed backoff</td></tr>
 * <tr><td>backoffJitter</td><td>FULL</td><td>FULL, EQUAL, DECORRELATED or NONE</td></tr>
 * <tr><td>retryAfterJitter</td><td>0.1</td><td>in [0, 1]: most a server's wait is lengthened, as a fraction</td></tr>
 * </table>
 *
 * <p>Results are whole nanoseconds, rounded down, and never negative; no input overflows (attempt may be any
 * positive {@code int}: {@code m^(n-1)} saturates at the cap). Randomness is the caller's, so tests pass a seeded
 * generator; each method documents how many values it draws. Immutable and thread-safe (the
 * {@code RandomGenerator} passed in must be safe for the calling thread, e.g.
 * {@link java.util.concurrent.ThreadLocalRandom#current()}).
 *
 * @param baseDelay        {@code b}: the first retry's ceiling (FULL/EQUAL/NONE) or floor (DECORRELATED)
 * @param multiplier       {@code m}: growth per attempt
 * @param maxDelay         {@code cap}: no computed backoff exceeds it
 * @param jitter           how randomness spreads retries
 * @param retryAfterJitter {@code f}: positive-only jitter added to a server's wait by {@link #retryDelay}
 */
public record Backoff(Duration baseDelay, double multiplier, Duration maxDelay, Jitter jitter,
        double retryAfterJitter) {

    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(500);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    public static final Jitter DEFAULT_JITTER = Jitter.FULL;
    public static final double DEFAULT_RETRY_AFTER_JITTER = 0.1;

    /** The longest {@code maxDelay}: a retry later than a day is a job for a scheduler, not a backoff. */
    static final Duration MAX_DELAY_LIMIT = Duration.ofDays(1);

    /** How a backoff is randomised; see the formulas on {@link Backoff}. */
    public enum Jitter {
        /** {@code U(0, t)}: the least total work; the default. */
        FULL,
        /** {@code t/2 + U(0, t/2)}: never shorter than half the exponential delay. */
        EQUAL,
        /** {@code min(cap, U(base, 3 * previous))}: grows from the previous delay, not from the attempt. */
        DECORRELATED,
        /** {@code t}: plain capped exponential; clients that failed together retry together. */
        NONE
    }

    /** Validates; prefer {@link #builder()}. Throws {@link InvalidLimiterConfigException} naming the option. */
    public Backoff {
        positive("backoffBaseDelay", baseDelay);
        positive("backoffMaxDelay", maxDelay);
        if (maxDelay.compareTo(MAX_DELAY_LIMIT) > 0) {
            throw new InvalidLimiterConfigException("backoffMaxDelay", maxDelay, "must be <= " + MAX_DELAY_LIMIT);
        }
        if (baseDelay.compareTo(maxDelay) > 0) {
            throw new InvalidLimiterConfigException("backoffBaseDelay", baseDelay,
                    "must be <= backoffMaxDelay (" + maxDelay + ")");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new InvalidLimiterConfigException("backoffMultiplier", multiplier, "must be a finite number >= 1");
        }
        if (jitter == null) {
            throw new InvalidLimiterConfigException("backoffJitter", null,
                    "must be one of FULL, EQUAL, DECORRELATED, NONE");
        }
        checkFraction("retryAfterJitter", retryAfterJitter);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 500ms, x2, 30s cap, full jitter, +0-10 % on a server's wait. */
    public static Backoff defaults() {
        return builder().build();
    }

    /** A builder that starts from this backoff's values. */
    public Builder toBuilder() {
        return new Builder().baseDelay(baseDelay).multiplier(multiplier).maxDelay(maxDelay).jitter(jitter)
                .retryAfterJitter(retryAfterJitter);
    }

    /**
     * The exponential ceiling before jitter: {@code t = min(cap, b * m^(n-1))}.
     *
     * @param attempt 1-based retry number, {@code >= 1}
     */
    public Duration ceiling(int attempt) {
        checkAttempt(attempt);
        return Duration.ofNanos((long) ceilingNanos(attempt));
    }

    /**
     * The delay before retry number {@code attempt}, per the configured {@link Jitter} (formulas on the class).
     * Draws exactly one {@code random.nextDouble()}, except with {@link Jitter#NONE}, which draws none.
     *
     * @param attempt  1-based retry number, {@code >= 1}
     * @param previous the delay returned for the previous attempt; used only by DECORRELATED, where
     *                 {@code null} (first retry) means {@code baseDelay} and values are clamped into
     *                 [{@code baseDelay}, {@code maxDelay}]
     * @param random   the randomness, e.g. {@code ThreadLocalRandom.current()} or a seeded generator in tests
     * @return in [0, maxDelay]
     * @throws IllegalArgumentException if {@code attempt < 1}
     */
    public Duration delay(int attempt, Duration previous, RandomGenerator random) {
        checkAttempt(attempt);
        Objects.requireNonNull(random, "random");
        double cap = maxDelay.toNanos();
        double nanos;
        switch (jitter) {
            case NONE -> nanos = ceilingNanos(attempt);
            case FULL -> nanos = random.nextDouble() * ceilingNanos(attempt);
            case EQUAL -> {
                double half = ceilingNanos(attempt) / 2;
                nanos = half + random.nextDouble() * half;
            }
            case DECORRELATED -> {
                double base = baseDelay.toNanos();
                double p = previous == null ? base : Math.min(cap, Math.max(base, nanosOf(previous)));
                nanos = Math.min(cap, base + random.nextDouble() * (3 * p - base));
            }
            default -> throw new IllegalStateException("unknown jitter " + jitter);
        }
        return Duration.ofNanos((long) Math.min(cap, Math.max(0, nanos)));
    }

    /**
     * The delay before a retry when the server may have named a wait: {@code max(floorWithJitter(serverWait,
     * retryAfterJitter), delay(attempt, previous))}, or just the backoff when {@code serverWait} is {@code null}.
     * Draws the backoff's value first, then (with a server wait) one more {@code nextDouble()}.
     *
     * @param serverWait the parsed {@code Retry-After} ({@link RetryAfterParser.RetryAfter#delay()} when
     *                   {@link RetryAfterParser.RetryAfter#hasDelay()}), or {@code null}
     * @return never shorter than {@code serverWait}
     */
    public Duration retryDelay(int attempt, Duration previous, Duration serverWait, RandomGenerator random) {
        Duration backoff = delay(attempt, previous, random);
        if (serverWait == null) {
            return backoff;
        }
        Duration floor = floorWithJitter(serverWait, retryAfterJitter, random);
        return floor.compareTo(backoff) >= 0 ? floor : backoff;
    }

    /**
     * A server's wait with positive-only jitter: {@code w * (1 + U(0, f))}, never shorter than {@code w}, never
     * longer than {@code w * (1 + f)}. Always draws exactly one {@code random.nextDouble()}. A negative wait
     * counts as zero; a wait so long that the jitter would overflow {@link Duration} is returned unchanged.
     *
     * @param serverWait       {@code w}, e.g. a parsed {@code Retry-After}
     * @param maxExtraFraction {@code f} in [0, 1] (the default option is 0.1)
     * @throws IllegalArgumentException if {@code maxExtraFraction} is outside [0, 1] or NaN
     */
    public static Duration floorWithJitter(Duration serverWait, double maxExtraFraction, RandomGenerator random) {
        Objects.requireNonNull(serverWait, "serverWait");
        Objects.requireNonNull(random, "random");
        if (!(maxExtraFraction >= 0 && maxExtraFraction <= 1)) {
            throw new IllegalArgumentException("maxExtraFraction must be in [0, 1]: " + maxExtraFraction);
        }
        double u = random.nextDouble();
        Duration w = serverWait.isNegative() ? Duration.ZERO : serverWait;
        long extra = (long) (nanosOf(w) * maxExtraFraction * u); // rounds down, saturates at Long.MAX_VALUE
        try {
            return w.plusNanos(extra);
        } catch (ArithmeticException e) {
            return w;
        }
    }

    /**
     * Whole milliseconds, rounded <em>up</em> so a server's floor survives the conversion (Camel's
     * {@code CamelRedeliveryDelay} header is a {@code long} of milliseconds). Negative gives 0; saturates at
     * {@link Long#MAX_VALUE}.
     */
    public static long toMillisCeil(Duration d) {
        if (d.isNegative()) {
            return 0L;
        }
        try {
            long millis = d.toMillis();
            return d.getNano() % 1_000_000 == 0 ? millis : Math.addExact(millis, 1L);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private double ceilingNanos(int attempt) {
        // pow saturates to +Infinity for huge attempts; min() then yields the cap
        double t = baseDelay.toNanos() * Math.pow(multiplier, attempt - 1);
        return Math.min(maxDelay.toNanos(), t);
    }

    private static double nanosOf(Duration d) {
        return d.getSeconds() * 1e9 + d.getNano();
    }

    private static void checkAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based: " + attempt);
        }
    }

    private static void positive(String option, Duration d) {
        if (d == null) {
            throw new InvalidLimiterConfigException(option, null, "must be set");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidLimiterConfigException(option, d, "must be > 0");
        }
    }

    private static void checkFraction(String option, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new InvalidLimiterConfigException(option, v, "must be >= 0 and <= 1");
        }
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Duration baseDelay = DEFAULT_BASE_DELAY;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private Jitter jitter = DEFAULT_JITTER;
        private double retryAfterJitter = DEFAULT_RETRY_AFTER_JITTER;

        private Builder() {
        }

        public Builder baseDelay(Duration v) { this.baseDelay = v; return this; }
        public Builder multiplier(double v) { this.multiplier = v; return this; }
        public Builder maxDelay(Duration v) { this.maxDelay = v; return this; }
        public Builder jitter(Jitter v) { this.jitter = v; return this; }
        public Builder retryAfterJitter(double v) { this.retryAfterJitter = v; return this; }

        /** @throws InvalidLimiterConfigException naming the first option that breaks a rule */
        public Backoff build() {
            return new Backoff(baseDelay, multiplier, maxDelay, jitter, retryAfterJitter);
        }
    }
}
