package io.github.camelratelimit.redis;

import io.github.camelratelimit.core.Acquisition;
import io.github.camelratelimit.core.Clock;
import io.github.camelratelimit.core.Feedback;
import io.github.camelratelimit.core.InMemoryLimiterStore;
import io.github.camelratelimit.core.LimiterConfig;
import io.github.camelratelimit.core.LimiterSnapshot;
import io.github.camelratelimit.core.LimiterStore;
import io.github.camelratelimit.redis.RedisLimiterScripts.Reply;
import io.github.camelratelimit.redis.RedisLimiterScripts.Script;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link LimiterStore} whose state lives in Redis, so every JVM that names a limiter shares one limit.
 *
 * <p><b>One round trip per operation.</b> Each operation is one atomic Lua script (EVALSHA; EVAL once after a
 * NOSCRIPT answer, which also caches the script) running exactly the rules of {@code LimiterState}: the GCRA
 * grid of one interval, the pause, the strict sliding-window quota, one rate cut per congestion event with the
 * cubic recovery of {@code AdaptiveRateLimit}, the provider quota ceiling and limit rate. The time is the
 * server's ({@code TIME}, in microseconds, strictly increasing per limiter), never a node's clock, so
 * {@link Acquisition#grantedAt()} is server microseconds. Each call sends its node's validated
 * {@link LimiterConfig} as script arguments; nothing of the config is stored.
 *
 * <p><b>Keys</b> (both in one Redis Cluster slot thanks to the hash tag): {@code {prefix:limiter}:state}, a hash
 * with the adaptive state, pause, provider quota, GCRA tat and counters; {@code {prefix:limiter}:starts}, a
 * sorted set of the quota window's start times (only with a quota). Both expire
 * ({@code PEXPIRE}) after {@code redisIdleExpiry} without writes, never before what they hold back has passed.
 *
 * <p><b>Failures.</b> Every command has a timeout ({@code redisTimeout}); no thread ever blocks on Redis
 * (Lettuce's async API; replies complete the returned stages on Lettuce's I/O threads, timeouts on the JDK's
 * delayer thread). When a command fails or times out:
 * <ul>
 * <li>{@link RedisStoreSettings.Fallback#LOCAL}: the call is answered by an {@link InMemoryLimiterStore} in this
 * JVM whose limits are scaled by {@code redisFallbackShare} (maxRate, minRate, quota floored and at least 1); the
 * store logs one WARN per outage ({@code event=redis_fallback}), reports {@link #isDegraded()}, answers every
 * further call locally at once and checks Redis (PING) at most once per {@code redisProbeInterval}; the first
 * answer ends the outage ({@code event=redis_recovered}, INFO).</li>
 * <li>{@link RedisStoreSettings.Fallback#FAIL}: the stage completes exceptionally with a
 * {@link RedisLimiterStoreException}; the enforcer turns it into a {@code RateLimitExceededException}.</li>
 * </ul>
 * Grant time stamps stay in one time base across an outage: local grants are mapped to estimated server
 * microseconds with the offset seen in the last reply.
 *
 * <p>Thread-safe. Close it to close the connection it opened (and the client it created).
 */
public final class RedisLimiterStore implements LimiterStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLimiterStore.class);

    private final RedisStoreSettings settings;
    private final Clock clock;
    /** The client used to (re)connect; null when a connection was handed in. */
    private final RedisClient client;
    private final RedisURI uri;
    private final boolean ownsClient;
    private final boolean ownsConnection;
    private final ClientResources ownedResources;
    private final String description;

    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private volatile long nextConnectAt = Long.MIN_VALUE;

    private final InMemoryLimiterStore local;
    private final ConcurrentMap<LimiterConfig, LimiterConfig> scaledConfigs = new ConcurrentHashMap<>();

    private final AtomicBoolean degraded = new AtomicBoolean();
    /** Bumped on every switch between Redis and fallback; a reply only moves the state if sent in this epoch. */
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long nextProbeAt = Long.MIN_VALUE;
    private volatile long degradedSince;
    /** Server microseconds minus local microseconds, from the last reply (wall clock until then). */
    private volatile long offsetMicros;
    private final LongAdder commands = new LongAdder();
    private final AtomicLong fallbackAnswers = new AtomicLong();
    private volatile boolean closed;

    /**
     * A store on a Lettuce client the caller owns (for instance a bean from the Camel registry). The store
     * opens its own connection to {@code uri} (closed by {@link #close()}); the client stays the caller's.
     */
    public RedisLimiterStore(RedisClient client, RedisURI uri, RedisStoreSettings settings, Clock clock) {
        this(Objects.requireNonNull(client, "client"), Objects.requireNonNull(uri, "uri"), null, false, null,
                settings, clock);
    }

    /**
     * A store on a connection the caller owns and keeps open (it is not closed by {@link #close()}). Mind that
     * Lettuce's default {@code DisconnectedBehavior} queues commands while disconnected; the store's timeout still
     * bounds every call.
     */
    public RedisLimiterStore(StatefulRedisConnection<String, String> connection, RedisStoreSettings settings,
            Clock clock) {
        this(null, null, Objects.requireNonNull(connection, "connection"), false, null, settings, clock);
    }

    private RedisLimiterStore(RedisClient client, RedisURI uri, StatefulRedisConnection<String, String> given,
            boolean ownsClient, ClientResources ownedResources, RedisStoreSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = client;
        this.uri = uri;
        this.ownsClient = ownsClient;
        this.ownedResources = ownedResources;
        this.ownsConnection = given == null;
        this.description = uri != null ? describe(uri) : "a provided connection";
        this.local = new InMemoryLimiterStore(clock);
        this.offsetMicros = clock.wallMillis() * 1000L - clock.nanoTime() / 1000L;
        this.connection = given != null ? CompletableFuture.completedFuture(given) : connect();
    }

    /**
     * A store with its own Lettuce client for {@code uri} ({@code redis://[:password@]host:port[/db]},
     * {@code rediss://} for TLS): commands are rejected at once while disconnected, reconnects back off
     * exponentially up to {@code redisProbeInterval}. {@link #close()} shuts the client down.
     */
    public static RedisLimiterStore create(RedisURI uri, RedisStoreSettings settings, Clock clock) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(settings, "settings");
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), settings.probeInterval(), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisClient c = RedisClient.create(resources);
        Duration connectTimeout = settings.timeout().compareTo(Duration.ofSeconds(1)) > 0 ? settings.timeout()
                : Duration.ofSeconds(1);
        c.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
        return new RedisLimiterStore(c, uri, null, true, resources, settings, clock);
    }

    // ---- LimiterStore ----

    @Override
    public CompletionStage<Acquisition> tryAcquire(String limiter, LimiterConfig config) {
        return call(RedisLimiterScripts.ACQUIRE, limiter,
                RedisLimiterScripts.args(config, settings.idleExpiry(), RedisLimiterScripts.SERVER_TIME),
                RedisLimiterScripts::parseAcquire, () -> localAcquire(limiter, config));
    }

    @Override
    public CompletionStage<Boolean> record(String limiter, LimiterConfig config, Feedback feedback) {
        Objects.requireNonNull(feedback, "feedback");
        return call(RedisLimiterScripts.RECORD, limiter,
                RedisLimiterScripts.args(config, settings.idleExpiry(), RedisLimiterScripts.SERVER_TIME,
                        RedisLimiterScripts.recordArgs(feedback)),
                RedisLimiterScripts::parseRecord, () -> localRecord(limiter, config, feedback));
    }

    @Override
    public CompletionStage<LimiterSnapshot> snapshot(String limiter, LimiterConfig config) {
        return call(RedisLimiterScripts.SNAPSHOT, limiter,
                RedisLimiterScripts.args(config, settings.idleExpiry(), RedisLimiterScripts.SERVER_TIME),
                r -> RedisLimiterScripts.parseSnapshot(r, config),
                () -> local.snapshot(limiter, scaled(config)).toCompletableFuture().join());
    }

    @Override
    public CompletionStage<Void> reset(String limiter, LimiterConfig config) {
        // an operator's reset also clears the local fallback's memory of cuts and pauses
        local.reset(limiter, scaled(config));
        return call(RedisLimiterScripts.RESET, limiter,
                RedisLimiterScripts.args(config, settings.idleExpiry(), RedisLimiterScripts.SERVER_TIME),
                RedisLimiterScripts::parseReset, () -> null);
    }

    @Override
    public String kind() {
        return "redis";
    }

    /** {@code true} while Redis fails and calls are answered by the fallback (or fail, with {@code fail}). */
    @Override
    public boolean isDegraded() {
        return degraded.get();
    }

    /** Redis commands sent so far (scripts, NOSCRIPT re-sends and probes): round trips, for benchmarks. */
    public long redisCommands() {
        return commands.sum();
    }

    /** Calls answered by the local fallback so far. */
    public long fallbackAnswers() {
        return fallbackAnswers.get();
    }

    public RedisStoreSettings settings() {
        return settings;
    }

    /** The limiter config the local fallback uses for {@code config}: every limit times the fallback share. */
    public LimiterConfig fallbackConfig(LimiterConfig config) {
        return scaled(config);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsClient) {
            // closes the connection too
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
        } else if (ownsConnection) {
            connection.thenAccept(StatefulRedisConnection::closeAsync);
        }
        local.close();
    }

    // ---- one operation: Redis, or the fallback ----

    private <T> CompletionStage<T> call(Script script, String limiter, String[] args,
            Function<List<Object>, Reply<T>> parse, Supplier<T> fallback) {
        if (closed) {
            return CompletableFuture.failedFuture(new RedisLimiterStoreException("the Redis limiter store for "
                    + description + " is closed", null));
        }
        boolean local = settings.fallback() == RedisStoreSettings.Fallback.LOCAL;
        if (local && degraded.get()) {
            probe();
            return answerLocally(fallback);
        }
        long sentIn = epoch.get();
        String[] keys = RedisLimiterScripts.keys(settings.keyPrefix(), limiter);
        CompletableFuture<T> out = new CompletableFuture<>();
        eval(script, keys, args).whenComplete((reply, ex) -> {
            Throwable failure = unwrap(ex);
            if (failure == null) {
                try {
                    Reply<T> r = parse.apply(reply);
                    succeeded(sentIn, r.serverMicros());
                    out.complete(r.value());
                    return;
                } catch (RuntimeException parseError) {
                    failure = parseError;
                }
            }
            failed(sentIn, failure);
            if (local) {
                answerLocally(fallback).whenComplete((v, lex) -> {
                    if (lex != null) {
                        out.completeExceptionally(lex);
                    } else {
                        out.complete(v);
                    }
                });
            } else {
                out.completeExceptionally(storeException(failure));
            }
        });
        return out;
    }

    private <T> CompletableFuture<T> answerLocally(Supplier<T> fallback) {
        fallbackAnswers.incrementAndGet();
        try {
            return CompletableFuture.completedFuture(fallback.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Acquisition localAcquire(String limiter, LimiterConfig config) {
        Acquisition a = local.tryAcquire(limiter, scaled(config)).toCompletableFuture().join();
        return a.granted() ? Acquisition.granted(toServerMicros(a.grantedAt()), a.intervalNanos()) : a;
    }

    private Boolean localRecord(String limiter, LimiterConfig config, Feedback f) {
        Feedback mapped = new Feedback(f.outcome(), toLocalNanos(f.grantedAt()), f.retryAfterNanos(),
                f.statusCode(), f.providerQuota());
        return local.record(limiter, scaled(config), mapped).toCompletableFuture().join();
    }

    private LimiterConfig scaled(LimiterConfig c) {
        return scaledConfigs.computeIfAbsent(c, k -> {
            double share = settings.fallbackShare();
            LimiterConfig.Builder b = k.toBuilder().maxRate(k.maxRate() * share).minRate(k.minRate() * share);
            if (k.hasQuota()) {
                b.quota((int) Math.max(1L, (long) Math.floor(k.quota() * share)));
            }
            return b.build();
        });
    }

    private long toServerMicros(long localNanos) {
        return Math.floorDiv(localNanos, 1000L) + offsetMicros;
    }

    private long toLocalNanos(long serverMicros) {
        try {
            return Math.multiplyExact(Math.subtractExact(serverMicros, offsetMicros), 1000L);
        } catch (ArithmeticException e) {
            return serverMicros < offsetMicros ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ---- outage bookkeeping ----

    private void succeeded(long sentIn, long serverMicros) {
        if (serverMicros > 0) {
            offsetMicros = serverMicros - clock.nanoTime() / 1000L;
        }
        recovered(sentIn);
    }

    private void recovered(long sentIn) {
        if (degraded.get() && epoch.get() == sentIn && degraded.compareAndSet(true, false)) {
            epoch.incrementAndGet();
            long outageMillis = (clock.nanoTime() - degradedSince) / 1_000_000L;
            LOG.atInfo().addKeyValue("event", "redis_recovered").addKeyValue("redis", description)
                    .addKeyValue("outageMillis", outageMillis)
                    .log("Redis limiter store {} answers again after {} ms; limits are shared again", description,
                            outageMillis);
        }
    }

    private void failed(long sentIn, Throwable cause) {
        if (epoch.get() != sentIn || !degraded.compareAndSet(false, true)) {
            LOG.debug("Redis limiter store {} call failed: {}", description, cause.toString());
            return;
        }
        epoch.incrementAndGet();
        long now = clock.nanoTime();
        degradedSince = now;
        nextProbeAt = now + settings.probeInterval().toNanos();
        if (settings.fallback() == RedisStoreSettings.Fallback.LOCAL) {
            LOG.atWarn().addKeyValue("event", "redis_fallback").addKeyValue("redis", description)
                    .addKeyValue("fallback", "local").addKeyValue("share", settings.fallbackShare())
                    .addKeyValue("cause", String.valueOf(cause))
                    .log("Redis limiter store {} failed ({}); limits are NOT shared now: each JVM paces alone at {}"
                            + " of every limit until Redis answers again", description, String.valueOf(cause),
                            settings.fallbackShare());
        } else {
            LOG.atWarn().addKeyValue("event", "redis_fallback").addKeyValue("redis", description)
                    .addKeyValue("fallback", "fail").addKeyValue("cause", String.valueOf(cause))
                    .log("Redis limiter store {} failed ({}); calls fail until Redis answers again (redisFallback=fail)",
                            description, String.valueOf(cause));
        }
    }

    /** While degraded (fallback local): at most one PING in flight, at most one per probe interval. */
    private void probe() {
        long now = clock.nanoTime();
        if (now - nextProbeAt < 0 || !probing.compareAndSet(false, true)) {
            return;
        }
        nextProbeAt = now + settings.probeInterval().toNanos();
        long sentIn = epoch.get();
        send(RedisAsyncCommands::ping).whenComplete((pong, ex) -> {
            probing.set(false);
            if (ex == null) {
                recovered(sentIn);
            } else {
                LOG.debug("Redis limiter store {} still fails: {}", description, String.valueOf(unwrap(ex)));
            }
        });
    }

    // ---- Redis commands ----

    /** EVALSHA; on NOSCRIPT (a restarted or flushed server) EVAL, which caches the script again. */
    private CompletableFuture<List<Object>> eval(Script script, String[] keys, String[] args) {
        return this.<List<Object>>send(c -> c.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args))
                .exceptionallyCompose(ex -> unwrap(ex) instanceof RedisNoScriptException
                        ? send(c -> c.eval(script.source(), ScriptOutputType.MULTI, keys, args))
                        : CompletableFuture.failedFuture(ex));
    }

    /** Sends one command with the store's timeout; a command that times out is cancelled. */
    private <T> CompletableFuture<T> send(Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        CompletableFuture<T> out = new CompletableFuture<>();
        connection().whenComplete((conn, cex) -> {
            if (cex != null) {
                out.completeExceptionally(cex);
                return;
            }
            RedisFuture<T> rf;
            try {
                rf = command.apply(conn.async());
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            commands.increment();
            rf.whenComplete((v, ex) -> {
                if (ex != null) {
                    out.completeExceptionally(ex);
                } else {
                    out.complete(v);
                }
            });
            out.whenComplete((v, ex) -> {
                if (ex != null && !rf.isDone()) {
                    rf.cancel(false);
                }
            });
        });
        return out.orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The connection; an owned one whose connect failed is retried at most once per probe interval. */
    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
        if (client != null && c.isCompletedExceptionally()) {
            synchronized (this) {
                long now = clock.nanoTime();
                if (connection == c && !closed && now - nextConnectAt >= 0) {
                    nextConnectAt = now + settings.probeInterval().toNanos();
                    connection = connect();
                }
                c = connection;
            }
        }
        return c;
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connect() {
        nextConnectAt = clock.nanoTime() + settings.probeInterval().toNanos();
        try {
            return client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RedisLimiterStoreException storeException(Throwable cause) {
        String what = cause instanceof TimeoutException
                ? "gave no answer within redisTimeout=" + settings.timeout().toMillis() + "ms"
                : "failed: " + cause;
        return new RedisLimiterStoreException("Redis limiter store " + description + " " + what, cause);
    }

    private static Throwable unwrap(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** {@code redis://host:port/db} without credentials, for logs and messages. */
    static String describe(RedisURI u) {
        if (u.getSocket() != null) {
            return "redis-socket://" + u.getSocket();
        }
        if (u.getHost() == null && !u.getSentinels().isEmpty()) {
            RedisURI first = u.getSentinels().get(0);
            return "redis-sentinel://" + first.getHost() + ":" + first.getPort() + "#" + u.getSentinelMasterId();
        }
        return (u.isSsl() ? "rediss://" : "redis://") + u.getHost() + ":" + u.getPort() + "/" + u.getDatabase();
    }

    /** For tests: the script call with a fixed server time (us), bypassing the fallback. */
    CompletableFuture<List<Object>> evalAt(Script script, String limiter, LimiterConfig config, long nowMicros,
            String... extra) {
        return eval(script, RedisLimiterScripts.keys(settings.keyPrefix(), limiter),
                RedisLimiterScripts.args(config, settings.idleExpiry(), nowMicros, extra));
    }
}
