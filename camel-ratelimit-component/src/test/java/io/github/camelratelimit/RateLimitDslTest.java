package io.github.camelratelimit;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.github.camelratelimit.RateLimitEndpointBuilderFactory.ratelimit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same endpoint from the Endpoint DSL and from a YAML route. */
class RateLimitDslTest {

    private TestHttpServer server;
    private CamelContext context;

    @BeforeEach
    void setUp() throws Exception {
        server = new TestHttpServer();
        context = new DefaultCamelContext();
    }

    @AfterEach
    void tearDown() {
        context.stop();
        server.close();
    }

    @Test
    void endpointDsl() throws Exception {
        context.addRoutes(new EndpointRouteBuilder() {
            @Override
            public void configure() {
                from(direct("dsl")).to(ratelimit(server.base() + "/dsl").limiter("dsl").maxRate(12).quota(100)
                        .quotaWindow("1h").maxWait("30s").delegateParameter("throwExceptionOnFailure", false));
            }
        });
        context.start();
        server.then(TestHttpServer.Reply.status(500, Map.of()));
        Exchange e = context.createProducerTemplate().send("direct:dsl", x -> { });
        assertNull(e.getException(), "throwExceptionOnFailure=false reached the delegate");
        assertEquals(500, e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        RateLimitComponent c = context.getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(12.0, c.getLimiter("dsl").config().maxRate());
        assertEquals(100, c.getLimiter("dsl").config().quota());
        assertEquals(3600, c.getLimiter("dsl").config().quotaWindow().toSeconds());
        assertEquals(30, c.getLimiter("dsl").config().maxWait().toSeconds());
    }

    @Test
    void yamlRouteWithParameters() throws Exception {
        context.getPropertiesComponent().addInitialProperty("api.url", server.base() + "/yaml");
        String yaml = """
                - route:
                    id: yaml-paced
                    from:
                      uri: direct:yaml
                      steps:
                        - to:
                            uri: "ratelimit:{{api.url}}"
                            parameters:
                              limiter: yaml
                              maxRate: 7
                              quota: 3
                              quotaWindow: 1h
                              throwExceptionOnFailure: false
                              token: "RAW(s3cr+t&x)"
                """;
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("paced.camel.yaml", yaml));
        context.start();
        for (int i = 0; i < 3; i++) {
            assertNull(context.createProducerTemplate().send("direct:yaml", x -> { }).getException());
        }
        Exchange fourth = context.createProducerTemplate().send("direct:yaml", x -> { });
        assertTrue(fourth.getException() instanceof io.github.camelratelimit.core.RateLimitExceededException,
                "the strict quota of 3 per hour holds: " + fourth.getException());
        RateLimitComponent c = context.getComponent("ratelimit", RateLimitComponent.class);
        assertEquals(7.0, c.getLimiter("yaml").config().maxRate());
        assertEquals(3, server.requests().size());
        String q = java.net.URLDecoder.decode(server.requests().get(0).rawQuery(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(q.contains("token=s3cr+t&x") && !q.contains("maxRate"), q);
    }
}
