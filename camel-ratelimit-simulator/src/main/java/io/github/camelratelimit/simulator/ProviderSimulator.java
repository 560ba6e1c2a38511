package io.github.camelratelimit.simulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A rate-limited HTTP API on {@code 127.0.0.1}, for demos, tests and benchmarks of clients that must pace
 * themselves: it answers like a real provider (429 or 503 with {@code Retry-After}, optional quota headers)
 * without a network, an account or a live quota. JDK only ({@link HttpServer}).
 *
 * <pre>{@code
 * try (ProviderSimulator sim = ProviderSimulator.builder().capacity(20).burst(5).build()) {
 *     sim.start();
 *     // call sim.baseUrl() + "/items/1" ... then:
 *     assertEquals(0, sim.stats().throttled());
 *     assertTrue(sim.maxInWindow(Duration.ofSeconds(1)) <= 25);
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Limit.</b> By default a hidden token bucket of {@code burst} tokens refilled at {@code capacity}
 *       tokens per second (optionally following a {@link Builder#capacitySchedule schedule}, or changed live
 *       with {@link #setCapacity}); the bucket starts full. With {@link Builder#fixedWindow} instead, at most
 *       N requests per window, windows laid end to end from {@link #start()}. A request that finds no token
 *       (or a used-up window) gets the {@link Builder#throttleStatus throttle status} and consumes nothing.</li>
 *   <li><b>Retry-After</b> on throttled replies, per {@link RetryAfterMode}: the time until one more request
 *       would be served, rounded up to whole seconds, at least 1 and at most
 *       {@value #MAX_RETRY_AFTER_SECONDS}.</li>
 *   <li><b>Quota headers</b> on every limited reply, per {@link QuotaHeaders}.</li>
 *   <li><b>Bodies.</b> Any path is served. {@code GET} answers {@code {"id":"<last path segment>","ok":true}};
 *       a request with a body (or a {@code POST}, {@code PUT}, {@code PATCH}) answers
 *       {@code {"received":<body length>,"ok":true}}; {@code HEAD} answers without a body; a throttled
 *       request answers {@code {"error":"rate limited","status":429}}.</li>
 *   <li><b>{@code /health}</b> always answers 200 {@code {"status":"UP"}}: it is never limited, never scripted
 *       and never recorded.</li>
 *   <li><b>Script.</b> {@link #script(Reply...)} queues replies that are served first, in order, to any path
 *       but {@code /health}, without touching the limit; then the normal behaviour resumes.</li>
 *   <li><b>Latency.</b> An optional fixed service time is added by scheduling the reply, never by blocking a
 *       server thread; admission is decided on arrival.</li>
 *   <li><b>Records.</b> Every request (but {@code /health}) is counted in {@link #stats()}, its arrival time
 *       appended to {@link #arrivalNanos()} and, unless {@link Builder#recordRequests(boolean) turned off},
 *       kept in {@link #requests()}.</li>
 * </ul>
 *
 * <p><b>Threads.</b> All methods are thread-safe. Requests are served by a pool of up to
 * {@link Builder#threads(int)} daemon threads (default {@value #DEFAULT_THREADS}) and the listen
 * backlog is {@value #BACKLOG}, so hundreds of concurrent connections are fine. Admission, recording and the script are
 * serialised under one lock, so arrivals are recorded in the order they were admitted.
 *
 * <p><b>Time.</b> The limit, arrivals and header values all come from one clock: the system clock by default,
 * or one given to {@link Builder#clock(Clock)} / {@link Builder#clock(LongSupplier)} for deterministic tests.
 * The JDK server stamps the {@code Date} header itself, from the system clock; with the system clock it is
 * consistent with an HTTP-date {@code Retry-After} (the date is rounded up, {@code Date} down).
 */
public final class ProviderSimulator implements AutoCloseable {

    /** The largest {@code Retry-After} sent, in seconds (one hour); longer waits are clamped to it. */
    public static final int MAX_RETRY_AFTER_SECONDS = 3600;

    /** Request bodies are recorded up to this many bytes (1 MiB); the rest is read and counted only. */
    public static final int MAX_RECORDED_BODY_BYTES = 1 << 20;

    /** The path that is never limited, scripted or recorded. */
    public static final String HEALTH_PATH = "/health";

    /** Default maximum number of server threads. */
    public static final int DEFAULT_THREADS = 200;

    /** Listen backlog of the server socket. */
    public static final int BACKLOG = 1024;

    /** The quota name used in the IETF headers. */
    static final String POLICY_NAME = "default";

    /**
     * IMF-fixdate (RFC 9110 §5.6.7), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. Spelled out rather than
     * {@link DateTimeFormatter#RFC_1123_DATE_TIME}, which writes days 1-9 with one digit; that formatter parses
     * this form back.
     */
    static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static final String JSON = "application/json";
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * The JDK server's switch for {@code TCP_NODELAY} on accepted connections. The server writes the status line
     * and headers, flushes, then writes the body; with Nagle's algorithm on, the body waits for the client's
     * delayed ACK, about 40 ms per request on Linux. The switch is read once, when the JVM's first
     * {@link HttpServer} is created, so this class sets it to {@code true} when loaded unless it is already set.
     */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        try {
            if (System.getProperty(NODELAY_PROPERTY) == null) {
                System.setProperty(NODELAY_PROPERTY, "true");
            }
        } catch (SecurityException e) {
            // keep the JDK default: slower replies, same behaviour
        }
    }

    /** How a throttled reply says when to come back. */
    public enum RetryAfterMode {
        /** {@code Retry-After: <delay-seconds>}: the wait rounded up to whole seconds, at least 1. */
        SECONDS,
        /**
         * {@code Retry-After: <IMF-fixdate>}: the instant the wait ends, rounded up to the next whole second,
         * with the server's {@code Date} header to measure it against.
         */
        HTTP_DATE,
        /** No {@code Retry-After} header. */
        NONE
    }

    /**
     * Which quota headers every limited reply (served or throttled; not {@code /health} and not scripted)
     * carries. For a token bucket the quota is {@code q = max(burst, round(capacity * w))} requests per
     * {@code w = max(1, ceil(burst / capacity))} seconds, remaining is the whole tokens left and the reset is
     * when the bucket is full again; for a fixed window they are its limit, window, requests left in the
     * current window and the window's end.
     */
    public enum QuotaHeaders {
        /** No quota headers. */
        NONE,
        /**
         * {@code X-RateLimit-Limit: q}, {@code X-RateLimit-Remaining: r} and {@code X-RateLimit-Reset: <epoch
         * seconds of the reset, rounded up>} (GitHub style).
         */
        X_RATELIMIT,
        /**
         * draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy: "default";q=<q>;w=<w>} and
         * {@code RateLimit: "default";r=<r>;t=<seconds to reset, rounded up>}.
         */
        IETF
    }

    /**
     * One phase of a capacity schedule.
     *
     * @param duration how long the phase lasts; the last phase of a schedule lasts forever whatever this is
     * @param capacity token-bucket refill rate in permits per second during the phase, {@code >= 0}
     */
    public record Phase(Duration duration, double capacity) {

        public Phase {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("phase duration must be > 0, was " + duration);
            }
            requireCapacity(capacity);
        }
    }

    /**
     * A canned reply for {@link #script(Reply...)}. Immutable: {@link #header} and {@link #body} return
     * changed copies. Without a body the reply has none; with one and no {@code Content-Type} header, the
     * content type is {@code application/json} when the body starts with <code>{</code> or {@code [}, else
     * {@code text/plain; charset=utf-8}.
     */
    public static final class Reply {

        private final int status;
        private final List<String[]> headers;
        private final String body;

        private Reply(int status, List<String[]> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        /** A reply with {@code status} (200-599), no headers and no body. */
        public static Reply of(int status) {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("reply status must be 200-599, was " + status);
            }
            return new Reply(status, List.of(), "");
        }

        /** This reply plus the header {@code name: value} (added after any already present). */
        public Reply header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isBlank() || (name + value).chars().anyMatch(c -> c == '\r' || c == '\n')) {
                throw new IllegalArgumentException("invalid header " + name + ": " + value);
            }
            List<String[]> copy = new ArrayList<>(headers);
            copy.add(new String[] {name, value});
            return new Reply(status, List.copyOf(copy), body);
        }

        /** This reply with {@code text} as its UTF-8 body. */
        public Reply body(String text) {
            return new Reply(status, headers, Objects.requireNonNull(text, "text"));
        }

        /** The status code. */
        public int status() {
            return status;
        }

        /** The body text, {@code ""} for none. */
        public String body() {
            return body;
        }

        /** The headers in the order added (names as given). */
        public List<Map.Entry<String, String>> headers() {
            List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
            for (String[] h : headers) {
                out.add(Map.entry(h[0], h[1]));
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public String toString() {
            return "Reply[" + status + "]";
        }
    }

    /** Starts a builder with the defaults: 10 permits/s, burst 10, SECONDS, 429, no quota headers. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Configures a {@link ProviderSimulator}. Not thread-safe; each setter validates its argument and throws
     * {@link IllegalArgumentException} naming the option.
     */
    public static final class Builder {

        private double capacity = 10.0;
        private Integer burst;
        private List<Phase> schedule;
        private RetryAfterMode retryAfter = RetryAfterMode.SECONDS;
        private int throttleStatus = 429;
        private QuotaHeaders quotaHeaders = QuotaHeaders.NONE;
        private int windowLimit = -1;
        private Duration window;
        private Duration latency = Duration.ZERO;
        private SimulatorTime time;
        private int port;
        private int threads = DEFAULT_THREADS;
        private boolean recordRequests = true;

        private Builder() {
        }

        /** Token-bucket refill rate in permits per second, {@code >= 0} (default 10). */
        public Builder capacity(double permitsPerSecond) {
            this.capacity = requireCapacity(permitsPerSecond);
            return this;
        }

        /**
         * Token-bucket size in permits, {@code >= 1}: how many requests pass back to back after a quiet spell.
         * Default {@code max(1, floor(c))} for the starting capacity {@code c}, i.e. about one second's worth.
         */
        public Builder burst(int permits) {
            if (permits < 1) {
                throw new IllegalArgumentException("burst must be >= 1, was " + permits);
            }
            this.burst = permits;
            return this;
        }

        /**
         * Capacity over time, from {@link #start()}: each phase holds its capacity for its duration; the last
         * one lasts forever. Replaces {@link #capacity(double)}. Not with {@link #fixedWindow}.
         */
        public Builder capacitySchedule(List<Phase> phases) {
            Objects.requireNonNull(phases, "capacitySchedule");
            if (phases.isEmpty() || phases.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("capacitySchedule must hold at least one phase and no null");
            }
            this.schedule = List.copyOf(phases);
            return this;
        }

        /** How throttled replies carry {@code Retry-After} (default {@link RetryAfterMode#SECONDS}). */
        public Builder retryAfter(RetryAfterMode mode) {
            this.retryAfter = Objects.requireNonNull(mode, "retryAfter");
            return this;
        }

        /** The status of a throttled reply: 429 (default) or 503. */
        public Builder throttleStatus(int status) {
            if (status != 429 && status != 503) {
                throw new IllegalArgumentException("throttleStatus must be 429 or 503, was " + status);
            }
            this.throttleStatus = status;
            return this;
        }

        /** Which quota headers limited replies carry (default {@link QuotaHeaders#NONE}). */
        public Builder quotaHeaders(QuotaHeaders mode) {
            this.quotaHeaders = Objects.requireNonNull(mode, "quotaHeaders");
            return this;
        }

        /**
         * Use a fixed-window quota instead of the token bucket: at most {@code limit} requests per
         * {@code window}, windows laid end to end from {@link #start()} (and {@link #reset()}).
         */
        public Builder fixedWindow(int limit, Duration window) {
            Objects.requireNonNull(window, "window");
            if (limit < 1) {
                throw new IllegalArgumentException("fixedWindow limit must be >= 1, was " + limit);
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("fixedWindow window must be > 0, was " + window);
            }
            this.windowLimit = limit;
            this.window = window;
            return this;
        }

        /** A fixed service time added to every reply but {@code /health}, without blocking (default 0). */
        public Builder latency(Duration serviceTime) {
            Objects.requireNonNull(serviceTime, "latency");
            if (serviceTime.isNegative()) {
                throw new IllegalArgumentException("latency must be >= 0, was " + serviceTime);
            }
            this.latency = serviceTime;
            return this;
        }

        /**
         * Take all time from {@code clock}: nanoseconds since the epoch of its instant for the limit and the
         * arrivals, its milliseconds for header dates. A clock that does not move freezes the bucket.
         */
        public Builder clock(Clock clock) {
            this.time = SimulatorTime.of(Objects.requireNonNull(clock, "clock"));
            return this;
        }

        /**
         * Take time from a monotonic nanosecond supplier (like {@link System#nanoTime()}); header dates follow
         * it from the system wall time at {@link #build()}.
         */
        public Builder clock(LongSupplier nanoTime) {
            this.time = SimulatorTime.of(Objects.requireNonNull(nanoTime, "clock"));
            return this;
        }

        /** The port to bind on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Maximum number of server threads, {@code >= 1} (default {@value ProviderSimulator#DEFAULT_THREADS}). */
        public Builder threads(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + max);
            }
            this.threads = max;
            return this;
        }

        /**
         * Whether to keep every request for {@link ProviderSimulator#requests()} (default true). Turn off for
         * long benchmarks: stats and arrival times are still kept.
         */
        public Builder recordRequests(boolean record) {
            this.recordRequests = record;
            return this;
        }

        /** Builds a stopped simulator; call {@link ProviderSimulator#start()}. */
        public ProviderSimulator build() {
            if (window != null && schedule != null) {
                throw new IllegalArgumentException("capacitySchedule and fixedWindow exclude each other");
            }
            return new ProviderSimulator(this);
        }
    }

    private final SimulatorTime time;
    private final RetryAfterMode retryAfterMode;
    private final int throttleStatus;
    private final QuotaHeaders quotaHeaders;
    private final long latencyNanos;
    private final int port;
    private final int threads;
    private final boolean recordRequests;
    private final boolean fixedWindow;
    private final int id = INSTANCES.incrementAndGet();

    private final Object lock = new Object();
    private final ServerLimit limit;
    private final ArrayDeque<Reply> script = new ArrayDeque<>();
    private long[] arrivals = new long[256];
    private int arrivalCount;
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private long requests;
    private long ok;
    private long throttled;
    private final Map<String, Long> pathCounts = new HashMap<>();
    private final Map<String, Long> methodCounts = new HashMap<>();
    private final Map<Integer, Long> statusCounts = new HashMap<>();

    private HttpServer server;
    private ThreadPoolExecutor executor;
    private ScheduledThreadPoolExecutor delayer;
    private boolean started;
    private boolean stopped;

    private ProviderSimulator(Builder b) {
        this.time = b.time != null ? b.time : SimulatorTime.system();
        this.retryAfterMode = b.retryAfter;
        this.throttleStatus = b.throttleStatus;
        this.quotaHeaders = b.quotaHeaders;
        this.latencyNanos = b.latency.toNanos();
        this.port = b.port;
        this.threads = b.threads;
        this.recordRequests = b.recordRequests;
        this.fixedWindow = b.window != null;
        long now = time.now().nanos();
        if (fixedWindow) {
            this.limit = new FixedWindowLimit(b.windowLimit, b.window.toNanos(), now);
        } else {
            List<Phase> phases = b.schedule != null ? b.schedule
                    : List.of(new Phase(Duration.ofSeconds(1), b.capacity));
            int burst = b.burst != null ? b.burst : (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    Math.floor(phases.get(0).capacity())));
            this.limit = new TokenBucketLimit(burst, phases, now);
        }
    }

    /**
     * Binds 127.0.0.1 (on the configured port, by default a free one) and starts serving. The limit starts
     * now: full bucket, first schedule phase, first window.
     *
     * @throws IOException if the port cannot be bound
     * @throws IllegalStateException if already started (a simulator is started once)
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("simulator already started");
            }
            HttpServer created = HttpServer.create(
                    new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), BACKLOG);
            started = true;
            executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    daemonThreads("provider-simulator-" + id + "-"));
            executor.allowCoreThreadTimeOut(true);
            if (latencyNanos > 0) {
                delayer = new ScheduledThreadPoolExecutor(1, daemonThreads("provider-simulator-" + id + "-delay-"));
                delayer.setRemoveOnCancelPolicy(true);
            }
            server = created;
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            limit.restart(time.now().nanos());
            server.start();
        }
    }

    /** Stops serving at once; replies still waiting for their latency are dropped. Idempotent. */
    public void stop() {
        HttpServer s;
        synchronized (lock) {
            if (!started || stopped) {
                return;
            }
            stopped = true;
            s = server;
        }
        s.stop(0);
        executor.shutdownNow();
        if (delayer != null) {
            delayer.shutdownNow();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The bound port. @throws IllegalStateException before {@link #start()} */
    public int port() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("simulator not started");
            }
            return server.getAddress().getPort();
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. @throws IllegalStateException before start */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** {@link #baseUrl()} followed by {@code path} (a leading {@code /} is added if missing). */
    public String url(String path) {
        return baseUrl() + (path.startsWith("/") ? path : "/" + path);
    }

    /**
     * Changes the token-bucket refill rate from now on (tokens earned so far are kept; the burst stays).
     * Replaces any capacity schedule, also across {@link #reset()}.
     *
     * @param permitsPerSecond the new rate, {@code >= 0}
     * @throws UnsupportedOperationException for a fixed-window simulator
     */
    public void setCapacity(double permitsPerSecond) {
        requireCapacity(permitsPerSecond);
        synchronized (lock) {
            limit.setCapacity(permitsPerSecond, time.now().nanos());
        }
    }

    /** The permits per second in force now (for a fixed window: limit / window). */
    public double currentCapacity() {
        synchronized (lock) {
            return limit.capacityAt(time.now().nanos());
        }
    }

    /** Queues {@code replies} after any already queued; they are served first, in order, to any path but /health. */
    public void script(Reply... replies) {
        for (Reply r : replies) {
            Objects.requireNonNull(r, "reply");
        }
        synchronized (lock) {
            script.addAll(Arrays.asList(replies));
        }
    }

    /** Scripted replies not served yet. */
    public int pendingScript() {
        synchronized (lock) {
            return script.size();
        }
    }

    /** A snapshot of the counters. */
    public SimulatorStats stats() {
        synchronized (lock) {
            return new SimulatorStats(requests, ok, throttled, pathCounts, methodCounts, statusCounts);
        }
    }

    /** The clock reading of every request's arrival (but /health), in order of admission. A copy. */
    public List<Long> arrivalNanos() {
        long[] copy;
        synchronized (lock) {
            copy = Arrays.copyOf(arrivals, arrivalCount);
        }
        List<Long> out = new ArrayList<>(copy.length);
        for (long a : copy) {
            out.add(a);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The largest number of arrivals inside any half-open window {@code [t, t + window)}: the peak rate the
     * provider saw. 0 when nothing arrived.
     */
    public int maxInWindow(Duration window) {
        long[] copy;
        synchronized (lock) {
            copy = Arrays.copyOf(arrivals, arrivalCount);
        }
        return maxInWindow(copy, window);
    }

    /**
     * The largest number of {@code arrivalNanos} inside any half-open window {@code [t, t + window)}
     * (the arrivals need not be sorted; the array is not changed). Two-pointer sweep, {@code O(n log n)}.
     */
    public static int maxInWindow(long[] arrivalNanos, Duration window) {
        long w = Objects.requireNonNull(window, "window").toNanos();
        if (w <= 0) {
            throw new IllegalArgumentException("window must be > 0, was " + window);
        }
        long[] a = arrivalNanos.clone();
        Arrays.sort(a);
        int best = 0;
        int lo = 0;
        for (int hi = 0; hi < a.length; hi++) {
            while (a[hi] - a[lo] >= w) {
                lo++;
            }
            best = Math.max(best, hi - lo + 1);
        }
        return best;
    }

    /** The recorded requests (but /health), in order of admission; empty when recording is off. A copy. */
    public List<RecordedRequest> requests() {
        synchronized (lock) {
            return List.copyOf(recorded);
        }
    }

    /**
     * Starts afresh: clears stats, arrivals, records and pending scripted replies, refills the bucket, restarts
     * the capacity schedule from its first phase (a {@link #setCapacity} value is kept) and the fixed window.
     */
    public void reset() {
        synchronized (lock) {
            limit.restart(time.now().nanos());
            script.clear();
            arrivals = new long[256];
            arrivalCount = 0;
            recorded.clear();
            requests = 0;
            ok = 0;
            throttled = 0;
            pathCounts.clear();
            methodCounts.clear();
            statusCounts.clear();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            String where = server == null ? "not started" : "127.0.0.1:" + server.getAddress().getPort();
            return "ProviderSimulator[" + where
                    + (fixedWindow ? ", fixed window" : ", token bucket") + ", requests=" + requests
                    + ", throttled=" + throttled + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------- serving

    /** What to send back. */
    private record Outcome(int status, List<String[]> headers, byte[] body) {
    }

    private static final Outcome HEALTH = new Outcome(200, List.<String[]>of(new String[] {"Content-Type", JSON}),
            "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8));

    private void handle(HttpExchange exchange) {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            byte[][] bodyHolder = new byte[1][];
            long bodyLength = readBody(exchange.getRequestBody(), bodyHolder);
            if (HEALTH_PATH.equals(path)) {
                send(exchange, method, HEALTH);
                return;
            }
            Outcome outcome;
            synchronized (lock) {
                SimulatorTime.Now now = time.now();
                Reply scripted = script.poll();
                outcome = scripted != null ? scripted(scripted) : limited(now, method, path, bodyLength);
                record(now.nanos(), method, path, exchange, bodyHolder[0], bodyLength, outcome.status());
            }
            if (delayer == null) {
                send(exchange, method, outcome);
            } else {
                delayer.schedule(() -> dispatch(exchange, method, outcome), latencyNanos, TimeUnit.NANOSECONDS);
            }
        } catch (IOException | RuntimeException e) {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange, String method, Outcome outcome) {
        try {
            executor.execute(() -> send(exchange, method, outcome));
        } catch (RejectedExecutionException e) {
            exchange.close();
        }
    }

    private Outcome scripted(Reply reply) {
        List<String[]> headers = new ArrayList<>(reply.headers);
        byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
        boolean typed = headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("Content-Type"));
        if (body.length > 0 && !typed) {
            String trimmed = reply.body.stripLeading();
            boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
            headers.add(new String[] {"Content-Type", json ? JSON : "text/plain; charset=utf-8"});
        }
        return new Outcome(reply.status, headers, body);
    }

    private Outcome limited(SimulatorTime.Now now, String method, String path, long bodyLength) {
        ServerLimit.Verdict v = limit.admit(now.nanos());
        List<String[]> headers = new ArrayList<>(6);
        headers.add(new String[] {"Content-Type", JSON});
        quotaHeaders(v, now, headers);
        String body;
        int status;
        if (v.allowed()) {
            status = 200;
            boolean echo = bodyLength > 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            body = echo ? "{\"received\":" + bodyLength + ",\"ok\":true}"
                    : "{\"id\":\"" + jsonEscape(lastSegment(path)) + "\",\"ok\":true}";
        } else {
            status = throttleStatus;
            retryAfter(v.retryAfterNanos(), now, headers);
            body = "{\"error\":\"rate limited\",\"status\":" + status + "}";
        }
        return new Outcome(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private void retryAfter(long waitNanos, SimulatorTime.Now now, List<String[]> headers) {
        long seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1L, ceilSeconds(waitNanos)));
        switch (retryAfterMode) {
            case SECONDS -> headers.add(new String[] {"Retry-After", Long.toString(seconds)});
            case HTTP_DATE -> {
                long nanos = Math.min(waitNanos, MAX_RETRY_AFTER_SECONDS * 1_000_000_000L);
                long epochSecond = ceilDiv(now.epochMillis() * 1_000_000L + nanos, 1_000_000_000L);
                headers.add(new String[] {"Retry-After", HTTP_DATE.format(Instant.ofEpochSecond(epochSecond))});
            }
            case NONE -> {
                // nothing
            }
        }
    }

    private void quotaHeaders(ServerLimit.Verdict v, SimulatorTime.Now now, List<String[]> headers) {
        long resetNanos = Math.min(v.resetNanos(), MAX_RETRY_AFTER_SECONDS * 1_000_000_000L);
        switch (quotaHeaders) {
            case X_RATELIMIT -> {
                long resetEpoch = ceilDiv(now.epochMillis() * 1_000_000L + resetNanos, 1_000_000_000L);
                headers.add(new String[] {"X-RateLimit-Limit", Long.toString(v.limit())});
                headers.add(new String[] {"X-RateLimit-Remaining", Long.toString(v.remaining())});
                headers.add(new String[] {"X-RateLimit-Reset", Long.toString(resetEpoch)});
            }
            case IETF -> {
                headers.add(new String[] {"RateLimit-Policy",
                        "\"" + POLICY_NAME + "\";q=" + v.limit() + ";w=" + v.windowSeconds()});
                headers.add(new String[] {"RateLimit",
                        "\"" + POLICY_NAME + "\";r=" + v.remaining() + ";t=" + ceilSeconds(resetNanos)});
            }
            case NONE -> {
                // nothing
            }
        }
    }

    private void record(long nanos, String method, String path, HttpExchange exchange, byte[] body,
                        long bodyLength, int status) {
        if (arrivalCount == arrivals.length) {
            arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
        }
        arrivals[arrivalCount++] = nanos;
        requests++;
        if (status >= 200 && status < 300) {
            ok++;
        } else if (status == 429 || status == 503) {
            throttled++;
        }
        pathCounts.merge(path, 1L, Long::sum);
        methodCounts.merge(method, 1L, Long::sum);
        statusCounts.merge(status, 1L, Long::sum);
        if (recordRequests) {
            recorded.add(new RecordedRequest(nanos, method, path, exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders(), body, bodyLength, status));
        }
    }

    private static void send(HttpExchange exchange, String method, Outcome outcome) {
        try (exchange) {
            Headers h = exchange.getResponseHeaders();
            for (String[] header : outcome.headers()) {
                h.add(header[0], header[1]);
            }
            byte[] body = outcome.body();
            boolean noBody = body.length == 0 || method.equals("HEAD") || outcome.status() == 204
                    || outcome.status() == 304;
            if (noBody) {
                exchange.sendResponseHeaders(outcome.status(), -1);
            } else {
                exchange.sendResponseHeaders(outcome.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to do
        }
    }

    /** Reads the whole body, keeping at most {@link #MAX_RECORDED_BODY_BYTES}; returns the full length. */
    private static long readBody(InputStream in, byte[][] kept) throws IOException {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream keep = new ByteArrayOutputStream();
        long total = 0;
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                keep.write(buf, 0, (int) Math.max(0, Math.min(n, MAX_RECORDED_BODY_BYTES - total)));
                total += n;
            }
        }
        kept[0] = keep.toByteArray();
        return total;
    }

    static String lastSegment(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    }

    static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    static long ceilSeconds(long nanos) {
        return nanos == Long.MAX_VALUE ? Long.MAX_VALUE : ceilDiv(nanos, 1_000_000_000L);
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }

    private static double requireCapacity(double permitsPerSecond) {
        if (!(permitsPerSecond >= 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("capacity must be finite and >= 0, was " + permitsPerSecond);
        }
        return permitsPerSecond;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
