package io.github.camelratelimit.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Captures the component's key-value log events (logback ListAppender on {@link RateLimitEvents#LOGGER}). */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        this(RateLimitEvents.LOGGER);
    }

    LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** Key-values of every captured line, in order. */
    synchronized List<Map<String, Object>> all() {
        return appender.list.stream().map(LogCapture::keyValues).collect(Collectors.toList());
    }

    /** Key-values of the lines whose event is {@code event}. */
    List<Map<String, Object>> events(String event) {
        return all().stream().filter(m -> event.equals(m.get("event"))).collect(Collectors.toList());
    }

    /** Every formatted message and value, for leak checks. */
    String text() {
        StringBuilder b = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            b.append(e.getFormattedMessage()).append(' ').append(keyValues(e)).append('\n');
        }
        return b.toString();
    }

    static Map<String, Object> keyValues(ILoggingEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", e.getLevel().toString());
        if (e.getKeyValuePairs() != null) {
            for (KeyValuePair kv : e.getKeyValuePairs()) {
                m.put(kv.key, kv.value);
            }
        }
        return m;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
