package io.github.camelratelimit.benchmarks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code noop:<name>}: an endpoint whose producer does nothing, so a route's own cost can be measured. When a
 * {@link StartRecorder} is registered under the endpoint's name, each call records its start time
 * ({@link System#nanoTime()}): that is when the limiter let the call through.
 */
final class NoOpComponent extends DefaultComponent {

    private final Map<String, StartRecorder> recorders = new ConcurrentHashMap<>();

    /** Records the calls of {@code noop:<name>} from now on; register before the route starts. */
    StartRecorder record(String name, int capacity) {
        StartRecorder r = new StartRecorder(capacity);
        recorders.put(name, r);
        return r;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new NoOpEndpoint(uri, this, recorders.get(remaining));
    }

    static final class NoOpEndpoint extends DefaultEndpoint {
        private final StartRecorder recorder;

        NoOpEndpoint(String uri, NoOpComponent component, StartRecorder recorder) {
            super(uri, component);
            this.recorder = recorder;
        }

        @Override
        public Producer createProducer() {
            StartRecorder r = recorder;
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    if (r != null) {
                        r.record(System.nanoTime());
                    }
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("noop: is a producer");
        }
    }

    /** Start times of calls, in call order, up to a fixed capacity (later calls are counted, not kept). */
    static final class StartRecorder {
        private final long[] starts;
        private final AtomicInteger count = new AtomicInteger();

        StartRecorder(int capacity) {
            this.starts = new long[capacity];
        }

        void record(long nanos) {
            int i = count.getAndIncrement();
            if (i < starts.length) {
                starts[i] = nanos;
            }
        }

        /** The recorded start times (a copy; safe once the calls have stopped). */
        long[] starts() {
            return java.util.Arrays.copyOf(starts, Math.min(count.get(), starts.length));
        }

        int count() {
            return count.get();
        }
    }
}
