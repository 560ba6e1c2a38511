package io.github.camelratelimit;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.github.camelratelimit.core.InMemoryLimiterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the in-memory store about stop-the-world GC pauses, from the JVM's own GC notifications: a call granted
 * just before such a pause starts only after it, later than its grant by up to the pause, and no check in the
 * producer can see that (it ran before the pause). The store then treats the pause as a late start
 * ({@link InMemoryLimiterStore#jvmPaused}), so the next permits keep a whole window after the calls' real starts.
 *
 * <p>Only pauses count: the notifications of young, mixed and full collections (every thread stopped for the
 * reported duration) and the pause notifications of concurrent collectors; the cycles of concurrent collectors
 * (ZGC, Shenandoah) run beside the application and are ignored. Durations come in whole milliseconds and are
 * rounded up by one. A JVM without these notifications (not HotSpot-based) simply has no watch.
 */
final class JvmPauseWatch implements NotificationListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JvmPauseWatch.class);

    /** The GC actions that stopped every thread for their duration. */
    static final Set<String> PAUSES = Set.of("end of minor GC", "end of major GC", "end of mixed GC", "end of GC pause");

    private final InMemoryLimiterStore store;
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    private JvmPauseWatch(InMemoryLimiterStore store) {
        this.store = store;
    }

    /** Listens to every collector of this JVM that sends notifications. */
    static JvmPauseWatch start(InMemoryLimiterStore store) {
        JvmPauseWatch watch = new JvmPauseWatch(store);
        try {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(watch, null, null);
                    watch.emitters.add(emitter);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("ratelimit hears no GC pauses on this JVM: {}", e.toString());
        }
        return watch;
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        try {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            heard(info.getGcAction(), info.getGcInfo().getDuration());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("ratelimit could not read a GC notification: {}", e.toString());
        }
    }

    /** One collection: {@code action} as the JVM names it, {@code durationMillis} as it reports it. */
    void heard(String action, long durationMillis) {
        if (action != null && durationMillis >= 0 && PAUSES.contains(action)) {
            store.jvmPaused(TimeUnit.MILLISECONDS.toNanos(durationMillis + 1));
        }
    }

    /** Stops listening. Idempotent. */
    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(this);
            } catch (ListenerNotFoundException | RuntimeException e) {
                LOG.debug("ratelimit GC listener already gone: {}", e.toString());
            }
        }
        emitters.clear();
    }
}
