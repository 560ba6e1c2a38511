package io.github.camelratelimit.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one {@link ProviderSimulator} from the command line until interrupted, for trying routes by hand:
 *
 * <pre>
 * java -cp camel-ratelimit-simulator.jar io.github.camelratelimit.simulator.SimulatorMain [port] [capacity] [options]
 *
 *   port                      port on 127.0.0.1, 0 for a free one (default 8080)
 *   capacity                  permits per second of the token bucket (default 10)
 *   --burst=N                 bucket size in permits (default: one second of capacity)
 *   --retry-after=MODE        seconds | http-date | none (default seconds)
 *   --status=429|503          throttle status (default 429)
 *   --quota-headers=MODE      none | x-ratelimit | ietf (default none)
 *   --fixed-window=N/SECONDS  fixed-window quota instead of the bucket, e.g. 100/10
 *   --latency-ms=N            fixed service time (default 0)
 * </pre>
 *
 * On Ctrl-C it prints the stats and exits.
 */
public final class SimulatorMain {

    static final String USAGE = "usage: SimulatorMain [port] [capacity] [--burst=N]"
            + " [--retry-after=seconds|http-date|none] [--status=429|503] [--quota-headers=none|x-ratelimit|ietf]"
            + " [--fixed-window=N/SECONDS] [--latency-ms=N]";

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        ProviderSimulator.Builder builder;
        try {
            builder = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        ProviderSimulator sim = builder.build();
        sim.start();
        CountDownLatch done = new CountDownLatch(1);
        PrintStream out = System.out;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.stop();
            out.println("stopped: " + sim.stats());
            done.countDown();
        }, "provider-simulator-shutdown"));
        out.println("provider simulator listening on " + sim.baseUrl() + " (capacity "
                + sim.currentCapacity() + "/s); Ctrl-C to stop");
        done.await();
    }

    /**
     * Turns the command line into a builder.
     *
     * @throws IllegalArgumentException naming the argument that is not understood
     */
    static ProviderSimulator.Builder parse(String[] args) {
        ProviderSimulator.Builder b = ProviderSimulator.builder().port(8080);
        int positional = 0;
        for (String arg : args) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("option without value: " + arg);
                }
                String name = arg.substring(2, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "burst" -> b.burst(integer(name, value));
                    case "retry-after" -> b.retryAfter(ProviderSimulator.RetryAfterMode.valueOf(constant(name, value,
                            "SECONDS", "HTTP_DATE", "NONE")));
                    case "status" -> b.throttleStatus(integer(name, value));
                    case "quota-headers" -> b.quotaHeaders(ProviderSimulator.QuotaHeaders.valueOf(constant(name, value,
                            "NONE", "X_RATELIMIT", "IETF")));
                    case "fixed-window" -> {
                        int slash = value.indexOf('/');
                        if (slash < 0) {
                            throw new IllegalArgumentException("--fixed-window must be N/SECONDS, was " + value);
                        }
                        b.fixedWindow(integer(name, value.substring(0, slash)),
                                Duration.ofMillis(Math.round(number(name, value.substring(slash + 1)) * 1000)));
                    }
                    case "latency-ms" -> b.latency(Duration.ofMillis(integer(name, value)));
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            } else if (positional == 0) {
                b.port(integer("port", arg));
                positional++;
            } else if (positional == 1) {
                b.capacity(number("capacity", arg));
                positional++;
            } else {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
        }
        return b;
    }

    private static String constant(String name, String value, String... allowed) {
        String c = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (String a : allowed) {
            if (a.equals(c)) {
                return c;
            }
        }
        throw new IllegalArgumentException("--" + name + " must be one of "
                + String.join(", ", allowed).toLowerCase(Locale.ROOT).replace('_', '-') + ", was " + value);
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was " + value);
        }
    }

    private static double number(String name, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was " + value);
        }
    }
}
