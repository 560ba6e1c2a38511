package io.github.camelratelimit.examples;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.camelratelimit.simulator.ProviderSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.support.FileSystemXmlApplicationContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Spring XML snippet of the Retry-After redelivery guide, run as written: no Java code. */
class SpringXmlRetryTest {

    @Test
    void retryAfterBeanFromSpringXml(@TempDir Path dir) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder().capacity(100).build()) {
            sim.start();
            sim.script(ProviderSimulator.Reply.of(429).header("Retry-After", "1"));
            String xml = """
                    <beans xmlns="http://www.springframework.org/schema/beans"
                           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                           xsi:schemaLocation="http://www.springframework.org/schema/beans
                             http://www.springframework.org/schema/beans/spring-beans.xsd
                             http://camel.apache.org/schema/spring http://camel.apache.org/schema/spring/camel-spring.xsd">
                      <bean id="retryAfter" class="io.github.camelratelimit.retry.RetryAfterRedelivery">
                        <property name="maxAttempts" value="5"/>
                        <property name="maxRetryAfter" value="#{T(java.time.Duration).ofMinutes(2)}"/>
                      </bean>
                      <camelContext xmlns="http://camel.apache.org/schema/spring">
                        <onException onExceptionOccurredRef="retryAfter">
                          <exception>java.lang.Exception</exception>
                          <retryWhile><ref>retryAfter</ref></retryWhile>
                          <redeliveryPolicy asyncDelayedRedelivery="true"/>
                        </onException>
                        <route>
                          <from uri="direct:fetch"/>
                          <to uri="ratelimit:URL/items?limiter=api"/>
                        </route>
                      </camelContext>
                    </beans>
                    """.replace("URL", sim.baseUrl());
            Path file = dir.resolve("camel-context.xml");
            Files.writeString(file, xml);
            try (FileSystemXmlApplicationContext spring = new FileSystemXmlApplicationContext(file.toUri().toString())) {
                CamelContext camel = spring.getBean(CamelContext.class);
                Exchange e = camel.createProducerTemplate().send("direct:fetch", x -> { });
                assertNull(e.getException(), "the 429 was retried after Retry-After and then delivered");
                assertEquals(2, sim.stats().requests());
                assertEquals(1, sim.stats().throttled());
            }
        }
    }
}
