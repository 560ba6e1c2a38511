package io.github.camelratelimit.redis;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.util.List;
import java.util.Objects;

/** Captures the log events of one logger (logback), to assert on levels and SLF4J key-values. */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        appender.start();
        logger.addAppender(appender);
    }

    /** Events whose key-value {@code event} equals {@code value}. */
    synchronized List<ILoggingEvent> withEvent(String value) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> value.equals(kv(e, "event"))).toList();
        }
    }

    static Object kv(ILoggingEvent e, String key) {
        List<KeyValuePair> kvs = e.getKeyValuePairs();
        if (kvs == null) {
            return null;
        }
        return kvs.stream().filter(p -> Objects.equals(p.key, key)).map(p -> p.value).findFirst().orElse(null);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
