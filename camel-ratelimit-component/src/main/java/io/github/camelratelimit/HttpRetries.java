package io.github.camelratelimit;

import org.apache.camel.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns off camel-http's hidden retry for a wrapped endpoint. HttpClient 5's default retry strategy retries a
 * 429/503 once and sleeps the calling thread for Retry-After; behind a limiter that would be a second, blocking,
 * unpaced retry. camel-http is optional: nothing here runs unless the delegate is a camel-http endpoint.
 */
final class HttpRetries {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRetries.class);
    private static final boolean CAMEL_HTTP = isPresent("org.apache.camel.component.http.HttpEndpoint");

    private HttpRetries() {
    }

    static void disableOn(Endpoint delegate) {
        if (CAMEL_HTTP) {
            CamelHttp.disable(delegate);
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, HttpRetries.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when camel-http is on the classpath. */
    private static final class CamelHttp {
        static void disable(Endpoint delegate) {
            if (delegate instanceof org.apache.camel.component.http.HttpEndpoint http) {
                // the endpoint's client is built lazily from this builder when its producer starts
                http.getClientBuilder().disableAutomaticRetries();
                LOG.atDebug().setMessage("disabled HttpClient automatic retries on the wrapped endpoint")
                        .addKeyValue("event", "http_retries_disabled")
                        .addKeyValue("endpoint", io.github.camelratelimit.observe.Masking.maskUri(delegate.getEndpointUri())).log();
            }
        }
    }
}
