package dev.llmtrace.ingest;

import dev.llmtrace.core.queue.FsyncSchedule;
import dev.llmtrace.core.queue.InFlightRecord;
import dev.llmtrace.core.queue.PersistentQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Every request ingest accepts, on disk before the sender is answered and until enrich has taken it,
 * so a 200 survives a crash of ingest (kill -9, OOM kill): on restart, what enrich had not acknowledged
 * is sent again. Built on core's {@link PersistentQueue}, the same file format as export's queues.
 * Each append reaches the operating system before the answer; {@code fsyncInterval} bounds what a power
 * loss could take ({@code 0}: forced to the disk before every answer).
 */
final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WriteAheadLog.class);

    private final PersistentQueue queue;
    private final FsyncSchedule fsync;

    private WriteAheadLog(PersistentQueue queue, Duration fsyncInterval) {
        this.queue = queue;
        this.fsync = new FsyncSchedule(fsyncInterval, "ingest-wal-fsync", this::syncQuietly);
    }

    /** Opens the log in {@code directory}, keeping what an earlier run left for {@link #recover}. */
    static WriteAheadLog open(Path directory, long segmentBytes, Duration fsyncInterval) {
        // capacity is bounded by ingest's admission (buffer.max-bytes) before anything is appended
        PersistentQueue queue = PersistentQueue.open(directory, Long.MAX_VALUE, segmentBytes);
        queue.recovery().report("write-ahead log " + directory, LOG::warn, LOG::info);
        return new WriteAheadLog(queue, fsyncInterval);
    }

    /** The requests an earlier run accepted and enrich never acknowledged, oldest first; each is in flight again. */
    List<IngestBuffer.Item> recover() {
        List<IngestBuffer.Item> items = new ArrayList<>();
        try {
            PersistentQueue.Item item;
            while ((item = queue.take(0, TimeUnit.MILLISECONDS)) != null) {
                items.add(new IngestBuffer.Item(item.tenant(), item.payload(), item.spans(), item.id(), item.payload().length, null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return items;
    }

    /**
     * Writes the request; returns it with its log id and without its bytes, which the log holds from now on (read
     * back by {@link IngestBuffer.Item#copyRequest}). Throws UncheckedIOException when the disk refuses.
     */
    IngestBuffer.Item append(IngestBuffer.Item item) {
        InFlightRecord record = queue.appendInFlight(item.tenant(), item.spans(), item.request());
        if (fsync.everyWrite()) {
            queue.sync();
        }
        return item.logged(record);
    }

    /** enrich has the request (or it was given up on, and counted): it leaves the log. */
    void remove(IngestBuffer.Item item) {
        queue.ack(item.logId());
    }

    /** Bytes of requests in the log. */
    long bytes() {
        return queue.bytes();
    }

    private void syncQuietly() {
        try {
            queue.sync();
        } catch (RuntimeException e) {
            LOG.errorf("cannot sync the write-ahead log: %s", e.getMessage());
        }
    }

    @Override
    public void close() {
        fsync.close();
        queue.close();
    }
}
