package io.github.camelratelimit.examples.quarkus;

import java.util.Map;

import io.github.camelratelimit.simulator.ProviderSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the provider simulator (20 calls/s, burst 5) before the application and points catalog.url at it. */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {

    static ProviderSimulator sim;

    @Override
    public Map<String, String> start() {
        sim = ProviderSimulator.builder().capacity(20).burst(5).build();
        try {
            sim.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("catalog.url", sim.baseUrl());
    }

    @Override
    public void stop() {
        if (sim != null) {
            sim.stop();
        }
    }
}
