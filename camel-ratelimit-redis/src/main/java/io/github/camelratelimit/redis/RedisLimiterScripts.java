package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.ProviderQuota;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The four Lua scripts of the Redis store ({@code lua/*.lua} beside this class: a shared prelude plus one body
 * per operation) with their SHA-1 digests, their argument lists and the parsing of their replies.
 *
 * <p>Config travels as ARGV on every call (nothing of it is stored), times come back as server microseconds,
 * waits and intervals as nanoseconds. Stateless and thread-safe.
 */
final class RedisLimiterScripts {

    /** One script: its source and the SHA-1 that EVALSHA names. */
    record Script(String name, String source, String sha) {
    }

    static final Script ACQUIRE = load("acquire");
    static final Script RECORD = load("record");
    static final Script SNAPSHOT = load("snapshot");
    static final Script RESET = load("reset");

    /** ARGV[11] value meaning "use the server's TIME". */
    static final long SERVER_TIME = -1L;

    private RedisLimiterScripts() {
    }

    /** The state hash and the window zset of a limiter; both inside the hash tag {@code {prefix:limiter}}. */
    static String[] keys(String prefix, String limiter) {
        String tag = "{" + prefix + ":" + limiter + "}";
        return new String[] {tag + ":state", tag + ":starts"};
    }

    /** ARGV 1..11 (config, idle expiry, time override) followed by {@code extra}. */
    static String[] args(LimiterConfig c, Duration idleExpiry, long nowOverrideMicros, String... extra) {
        String[] a = new String[11 + extra.length];
        a[0] = Double.toString(c.minRate());
        a[1] = Double.toString(c.maxRate());
        a[2] = Double.toString(c.recoveryScale());
        a[3] = Double.toString(c.decreaseFactor());
        a[4] = Integer.toString(c.quota());
        a[5] = Long.toString(nanos(c.quotaWindow()));
        a[6] = Long.toString(nanos(c.signalCooldown()));
        a[7] = Long.toString(nanos(c.maxPause()));
        a[8] = Double.toString(c.quotaSafetyMargin());
        a[9] = Long.toString(idleExpiry.toMillis());
        a[10] = Long.toString(nowOverrideMicros);
        System.arraycopy(extra, 0, a, 11, extra.length);
        return a;
    }

    /** The record script's own arguments (ARGV 12..19). */
    static String[] recordArgs(Feedback f) {
        String outcome = switch (f.outcome()) {
            case SUCCESS -> "S";
            case THROTTLED -> "T";
            case OTHER -> "O";
        };
        ProviderQuota q = f.providerQuota();
        boolean hasQuota = q != null && !q.isEmpty();
        return new String[] {outcome, Long.toString(f.grantedAt()), Long.toString(f.retryAfterNanos()),
                hasQuota ? "1" : "0",
                Long.toString(hasQuota ? q.limit() : -1), Long.toString(hasQuota ? q.remaining() : -1),
                Long.toString(hasQuota ? q.resetNanos() : -1), Long.toString(hasQuota ? q.windowNanos() : -1)};
    }

    /** A parsed reply and the server time (us) it was computed at. */
    record Reply<T>(T value, long serverMicros) {
    }

    static Reply<Acquisition> parseAcquire(List<Object> r) {
        long now = lng(r, 4);
        if (lng(r, 0) == 1L) {
            return new Reply<>(Acquisition.granted(now, lng(r, 2)), now);
        }
        Acquisition.WaitReason why = switch ((int) lng(r, 3)) {
            case 2 -> Acquisition.WaitReason.QUOTA;
            case 3 -> Acquisition.WaitReason.PAUSED;
            default -> Acquisition.WaitReason.PACING;
        };
        return new Reply<>(Acquisition.wait(lng(r, 1), lng(r, 2), why), now);
    }

    static Reply<Boolean> parseRecord(List<Object> r) {
        return new Reply<>(lng(r, 0) == 1L, lng(r, 1));
    }

    static Reply<LimiterSnapshot> parseSnapshot(List<Object> r, LimiterConfig c) {
        return new Reply<>(new LimiterSnapshot(dbl(r, 0), c.minRate(), c.maxRate(), lng(r, 1), lng(r, 2), dbl(r, 3),
                lng(r, 4), lng(r, 5), (int) lng(r, 6)), lng(r, 7));
    }

    static Reply<Void> parseReset(List<Object> r) {
        return new Reply<>(null, lng(r, 0));
    }

    private static long lng(List<Object> r, int i) {
        Object o = r.get(i);
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalStateException("unexpected reply element " + i + ": " + o);
    }

    private static double dbl(List<Object> r, int i) {
        Object o = r.get(i);
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return Double.parseDouble(String.valueOf(o));
    }

    /** Nanoseconds, saturated at Long.MAX_VALUE (a cooldown of centuries is "forever", not an overflow). */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static Script load(String name) {
        String source = resource("prelude") + resource(name);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new Script(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }

    private static String resource(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = RedisLimiterScripts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
