package dev.llmtrace.core.queue;

import dev.llmtrace.core.Schedulers;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Deletes fully acknowledged segments on one daemon thread for all queues. An unlink frees the file's blocks and
 * took 15-80 ms on a busy ext4 disk (JFR, the all-in-one at 5k spans/s): done by the append that rolled a segment,
 * it held export's fan-out (and every stage behind it) that long. A segment not yet deleted when the process
 * stops holds only acknowledged records and is deleted at the next start.
 */
final class SegmentDeleter {
    private static final ExecutorService THREAD = Schedulers.daemon("queue-segment-delete");

    private SegmentDeleter() {}

    /** Hands over a segment no longer in its queue's list; never blocks, so a queue may call it under its lock. */
    static void deleteLater(Segment segment) {
        THREAD.execute(segment::deleteQuietly);
    }

    /** Returns once every segment handed over before the call is deleted. */
    static void awaitDeleted() {
        try {
            THREAD.submit(() -> {}).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("segment deletion failed", e.getCause()); // deleteQuietly never throws
        }
    }
}
