package dev.llmtrace.ingest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP/2 request bodies being read, swept for ones that stopped coming. An HTTP/1.1 body that stops is ended
 * by its connection's idle timeout, but one HTTP/2 connection carries many streams: while others keep it busy, a
 * stream whose body stopped would keep its memory charge for as long as the connection lives. A body that got no
 * byte for the idle timeout is handed to its {@code onStall}, once. One set and one sweep for all bodies: a
 * timer per body cost the Broadcast workload 6-7 % of its throughput (bench/RESULTS.md).
 */
final class StalledStreams {
    private final long idleNanos;
    private final Set<Body> reading = ConcurrentHashMap.newKeySet();

    StalledStreams(java.time.Duration idle) {
        this.idleNanos = idle.toNanos();
    }

    /** How often {@link #sweep} should run: a stalled body is found between one and 1.25 idle timeouts after its last byte. */
    long sweepEveryMillis() {
        return Math.max(100, idleNanos / 4 / 1_000_000);
    }

    /** A body no sweep looks at (HTTP/1.1: its connection's idle timeout ends it); its calls do nothing. */
    static final Body NOT_WATCHED = new Body(null, null);

    /** Starts watching a body; {@code onStall} runs on the sweeping thread. */
    Body watch(Runnable onStall) {
        Body body = new Body(reading, onStall);
        reading.add(body);
        return body;
    }

    /** Hands each body that received nothing since {@code idle} ago to its {@code onStall}, and stops watching it. */
    void sweep(long nowNanos) {
        for (Body body : reading) {
            long received = body.received;
            if (received != body.receivedAtLastLook) {
                body.receivedAtLastLook = received;
                body.lastProgressNanos = nowNanos;
            } else if (nowNanos - body.lastProgressNanos >= idleNanos && reading.remove(body)) {
                body.onStall.run();
            }
        }
    }

    /** One body being read: the reading thread counts its bytes, the sweep compares them with what it saw last. */
    static final class Body {
        private final Set<Body> reading;
        private final Runnable onStall;
        private volatile long received;
        // the sweep's own: only the one sweeping thread reads and writes them
        private long receivedAtLastLook = -1;
        private long lastProgressNanos;

        private Body(Set<Body> reading, Runnable onStall) {
            this.reading = reading;
            this.onStall = onStall;
        }

        /** Called by the one thread reading the body. */
        void received(long total) {
            if (reading != null) { // no volatile write to the one shared NOT_WATCHED from every event loop
                received = total;
            }
        }

        /** The body was read to its end, failed or was refused: no longer watched. */
        void done() {
            if (reading != null) {
                reading.remove(this);
            }
        }
    }
}
