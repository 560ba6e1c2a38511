package io.github.camelratelimit.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application that calls a rate-limited catalog API through {@code ratelimit:}. Everything about the
 * limiter is configured in application.yaml: the component's defaults as {@code camel.component.ratelimit.*} (bound
 * by camel-ratelimit-spring-boot-starter) and the catalog limiter's own settings as
 * {@code ratelimit.limiter.catalog.*}. Point {@code catalog.url} at the API, e.g. the simulator:
 * {@code java -cp camel-ratelimit-simulator.jar io.github.camelratelimit.simulator.SimulatorMain 8080 20}.
 */
@SpringBootApplication
public class RateLimitExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(RateLimitExampleApplication.class, args);
    }
}
