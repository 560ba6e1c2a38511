package io.github.camelratelimit.benchmarks;

import java.util.concurrent.TimeUnit;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.core.RateLimiterListener;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Messages per second through {@code direct:x -> to("ratelimit:noop:sink?maxRate=1000000000")} against the same
 * route with {@code to("noop:sink")}: what the limiter costs a route when it does not need to wait. The clock is
 * the real one (the component's default); at the highest accepted {@code maxRate} (10<sup>9</sup>/s, a 1 ns
 * pacing interval) no call waits for pacing ({@link RunAll} reports how many did wait);
 * {@code ratelimitNeverWaits} runs the same limiter through {@link FastForwardClock}, which rules out even a wait
 * of 1 ns.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class RouteOverheadBenchmark {

    static final String LIMITED_URI = "ratelimit:noop:sink?limiter=bench&maxRate=1000000000";
    /** A second ratelimit component whose clock runs 1024x faster: its calls never wait (see FastForwardClock). */
    static final String FAST_SCHEME = "ratelimit-fastclock";

    private CamelContext camel;
    private ProducerTemplate template;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        camel = startContext();
        template = camel.createProducerTemplate();
    }

    static CamelContext startContext() throws Exception {
        return startContext(null);
    }

    /** Starts the routes; {@code listener} (may be null) hears the limiters' grants and queueing. */
    static CamelContext startContext(RateLimiterListener listener) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.getShutdownStrategy().setTimeout(2); // seconds; exchanges still waiting at the end are not served
        camel.addComponent("noop", new NoOpComponent());
        RateLimitComponent fast = new RateLimitComponent();
        fast.setClock(new FastForwardClock());
        camel.addComponent(FAST_SCHEME, fast);
        if (listener != null) {
            camel.getComponent("ratelimit", RateLimitComponent.class).setListener(listener);
        }
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:plain").to("noop:sink");
                from("direct:limited").to(LIMITED_URI);
                from("direct:fast").to(FAST_SCHEME + LIMITED_URI.substring("ratelimit".length()));
            }
        });
        camel.start();
        return camel;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        camel.close();
    }

    @Benchmark
    public void plain() {
        template.sendBody("direct:plain", "x");
    }

    @Benchmark
    public void ratelimit() {
        template.sendBody("direct:limited", "x");
    }

    /** The same limiter seen through {@link FastForwardClock}: the fixed cost of the component, no call waits. */
    @Benchmark
    public void ratelimitNeverWaits() {
        template.sendBody("direct:fast", "x");
    }
}
