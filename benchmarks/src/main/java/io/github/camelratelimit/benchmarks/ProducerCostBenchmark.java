package io.github.camelratelimit.benchmarks;

import java.util.concurrent.TimeUnit;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
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
 * The component's own cost per message, without the route around it: {@code process(exchange, callback)} of the
 * producer of {@link RouteOverheadBenchmark#LIMITED_URI} against that of {@code noop:sink}, on one exchange per
 * thread used again and again (a call granted at once to a non-HTTP endpoint leaves nothing on it). With 2 threads
 * both share the one limiter. {@code clock} is {@link System#nanoTime()} alone: every permit reads it once.
 *
 * <p>Why beside {@link RouteOverheadBenchmark}: a route costs some 600-700 ns per message and how one JVM compiles
 * it moves by more than the component costs, so the route's ratio scatters from run to run; here the component's
 * ns per message are measured to about 1 ns.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProducerCostBenchmark {

    /** The context and the two producers, shared by the threads (one limiter). */
    @State(Scope.Benchmark)
    public static class Producers {
        CamelContext camel;
        AsyncProducer plain;
        AsyncProducer limited;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            camel = RouteOverheadBenchmark.startContext();
            plain = camel.getEndpoint("noop:sink").createAsyncProducer();
            limited = camel.getEndpoint(RouteOverheadBenchmark.LIMITED_URI).createAsyncProducer();
            ServiceHelper.startService(plain, limited);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            ServiceHelper.stopService(plain, limited);
            camel.close();
        }
    }

    /** One exchange per thread. */
    @State(Scope.Thread)
    public static class Message {
        Exchange exchange;
        final AsyncCallback done = doneSync -> { };

        @Setup(Level.Trial)
        public void setUp(Producers p) {
            exchange = new DefaultExchange(p.camel);
            exchange.getMessage().setBody("x");
        }
    }

    @Benchmark
    public boolean plain(Producers p, Message m) {
        return p.plain.process(m.exchange, m.done);
    }

    @Benchmark
    public boolean ratelimit(Producers p, Message m) {
        return p.limited.process(m.exchange, m.done);
    }

    @Benchmark
    public long clock() {
        return System.nanoTime();
    }
}
