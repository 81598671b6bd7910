package dev.llmtrace.export;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Batches that some destinations' queues took before the queue of another could not be written (a full disk). The
 * sender is told to retry the whole batch; when it comes again, the destinations that have it already are left out,
 * so it does not reach them twice. A body is known by its destination, tenant, length and CRC-32: the same bytes
 * are the same spans, so leaving out a body that merely looks like a remembered one leaves out only a duplicate.
 * The oldest are forgotten past {@link #REMEMBERED} (a retry that never comes). Not thread-safe: used under
 * {@link Destinations}' lock.
 */
final class PartlyQueued {
    static final int REMEMBERED = 1024;

    record Body(String destination, String tenant, int length, int crc) {}

    private final Map<Body, Boolean> queued = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Body, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    boolean isEmpty() {
        return queued.isEmpty();
    }

    /** A destination's queue took {@code body}, and the batch was refused for another's. */
    void remember(Body body) {
        queued.put(body, Boolean.TRUE);
    }

    boolean has(Body body) {
        return queued.containsKey(body);
    }

    /** The retry reached every other destination: nothing is left to leave out. */
    void forget(Body body) {
        queued.remove(body);
    }
}
