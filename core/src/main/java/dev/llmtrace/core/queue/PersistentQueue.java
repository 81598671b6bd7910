package dev.llmtrace.core.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A durable FIFO of byte payloads on local disk, one per destination.
 *
 * <p>Records are appended to segment files ({@code segment-<firstId>.log}: length, CRC-32, id, span
 * count, tenant, payload); acknowledgements are appended to a sibling {@code .ack} file as record ids.
 * A record leaves the queue only when acknowledged; a segment is deleted once every record in it is.
 * On open, every unacknowledged record (in flight at a crash included) is pending again; a record
 * torn by a crash mid-write is cut off by its length or CRC, and a damaged one in the middle of a file is skipped
 * ({@link #recovery()} says how many bytes of each).
 *
 * <p>Every append and ack is written to the file before the call returns, so it survives the process
 * being killed (kill -9): the data is in the operating system's page cache. {@link #sync()} forces it
 * to the disk, which also survives power loss; callers choose how often.
 *
 * <p>Capacity is counted in payload bytes. {@link #tryReserve} and {@link #appendReserved} let a
 * caller that writes one payload into several queues check all of them before writing any.
 */
public final class PersistentQueue implements AutoCloseable {

    /** A pending record handed to a consumer; give it back with {@link #ack} (or it is redelivered after a restart). */
    public record Item(long id, String tenant, int spans, byte[] payload) {}

    /**
     * Pending payloads up to this many bytes are also kept as the appender's array and handed to {@link #take} as
     * they are: export appends the same bytes to several queues, and a consumer that comes within milliseconds
     * read them back from the file into a new array of its own (a fifth of the all-in-one's allocation at 5k
     * spans/s, JFR). A backlog beyond it is read from the file, so a slow destination holds no more heap than this.
     */
    static final long HELD_BYTES = 2 << 20;

    static final int HEADER = 4 + 4; // length, crc
    /** The fields between the header and the tenant's bytes: id, span count, tenant length. */
    static final int FIELDS = 8 + 4 + 2;
    static final String PREFIX = "segment-";

    private final Path directory;
    private final long maxBytes;
    private final long segmentBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<RecordRef> pending = new ArrayDeque<>();
    private final Map<Long, RecordRef> inFlight = new HashMap<>();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private final RecordWriter writer = new RecordWriter();
    private long nextId = 1;
    private long usedBytes;
    private long reservedBytes;
    private long heldBytes;
    private boolean closed;
    private QueueRecovery recovery;

    private PersistentQueue(Path directory, long maxBytes, long segmentBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (or creates) the queue in {@code directory}, recovering whatever a previous run left. */
    public static PersistentQueue open(Path directory, long maxBytes, long segmentBytes) {
        if (maxBytes <= 0 || segmentBytes <= 0) {
            throw new IllegalArgumentException("maxBytes and segmentBytes must be positive");
        }
        PersistentQueue queue = new PersistentQueue(directory, maxBytes, segmentBytes);
        try {
            Files.createDirectories(directory);
            queue.recover();
            queue.roll();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open queue in " + directory, e);
        }
        return queue;
    }

    /** What {@link #open} found on disk. */
    public QueueRecovery recovery() {
        return recovery;
    }

    private void recover() throws IOException {
        long skippedBytes = 0;
        long cutBytes = 0;
        for (Segment segment : Segment.existing(directory)) {
            Segment.Contents contents = segment.readBack();
            skippedBytes += contents.skippedBytes();
            cutBytes += contents.cutBytes();
            nextId = Math.max(nextId, contents.nextId());
            for (RecordRef ref : contents.pending()) {
                pending.add(ref);
                usedBytes += ref.payloadLength();
            }
            if (segment.acked == segment.records) {
                segment.delete();
            } else {
                segments.put(segment.firstId, segment);
            }
        }
        recovery = new QueueRecovery(pending.size(), usedBytes, skippedBytes, cutBytes);
    }

    private void roll() throws IOException {
        Segment previous = active;
        if (previous != null && previous.acked == previous.records) {
            segments.remove(previous.firstId);
            SegmentDeleter.deleteLater(previous);
        }
        active = new Segment(directory, nextId);
        active.logChannel.truncate(0);
        active.ackChannel.truncate(0);
        active.size = 0;
        segments.put(active.firstId, active);
    }

    /** Reserves room for a payload; false when the queue is full. Release it or append with it. */
    public boolean tryReserve(long bytes) {
        lock.lock();
        try {
            if (usedBytes + reservedBytes + bytes > maxBytes && !(usedBytes + reservedBytes == 0)) {
                return false; // an empty queue takes any single payload
            }
            reservedBytes += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void release(long bytes) {
        lock.lock();
        try {
            reservedBytes -= bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Appends a payload whose room was reserved with {@link #tryReserve}; returns its id. */
    public long appendReserved(String tenant, int spans, byte[] payload) {
        return appendReserved(tenant, spans, payload, Crc32Combine.of(payload));
    }

    /**
     * As {@link #appendReserved(String, int, byte[])}, with the payload's CRC-32 ({@link Crc32Combine#of}) computed
     * by the caller: once for a payload appended to several queues, and outside their locks.
     */
    public long appendReserved(String tenant, int spans, byte[] payload, int payloadCrc) {
        lock.lock();
        try {
            reservedBytes -= payload.length;
            return append(tenant, spans, payload, payloadCrc, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a payload that the caller keeps and hands on itself (a write-ahead log): the record is in
     * flight at once and never handed out by {@link #take}; {@link #ack} it once it is delivered. After a
     * restart it is pending again, so {@code take} replays it. Capacity is the caller's to bound. The caller
     * need not keep the payload: the record it gets back reads it back until it is acked.
     */
    public InFlightRecord appendInFlight(String tenant, int spans, byte[] payload) {
        int payloadCrc = Crc32Combine.of(payload); // outside the lock: the log's other writers need not wait for it
        lock.lock();
        try {
            return new InFlightRecord(inFlight.get(append(tenant, spans, payload, payloadCrc, true)));
        } finally {
            lock.unlock();
        }
    }

    /** Drops pending (not in-flight) records, oldest first, until {@code bytes} more would fit; returns them. */
    public List<Item> dropOldestToFit(long bytes) {
        List<Item> dropped = new ArrayList<>();
        lock.lock();
        try {
            while (usedBytes + reservedBytes + bytes > maxBytes && !pending.isEmpty()) {
                RecordRef oldest = pollPending();
                dropped.add(new Item(oldest.id(), oldest.tenant(), oldest.spans(), new byte[0]));
                usedBytes -= oldest.payloadLength();
                writeAck(oldest);
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    private long append(String tenant, int spans, byte[] payload, int payloadCrc, boolean inFlight) {
        if (closed) {
            throw new IllegalStateException("queue is closed");
        }
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        int length = FIELDS + tenantBytes.length + payload.length;
        try {
            if (active.size > 0 && active.size + HEADER + length > segmentBytes) {
                roll(); // before the id is taken: a segment is named after the first id inside it
            }
            long id = nextId++;
            long offset = active.size;
            active.logChannel.position(offset);
            writer.write(active.logChannel, id, spans, tenantBytes, payload, payloadCrc);
            active.size += HEADER + length;
            active.records++;
            boolean hold = !inFlight && heldBytes + payload.length <= HELD_BYTES;
            heldBytes += hold ? payload.length : 0;
            RecordRef ref = new RecordRef(id, active, offset + HEADER + length - payload.length, payload.length, spans, tenant, hold ? payload : null);
            usedBytes += payload.length;
            if (inFlight) {
                this.inFlight.put(id, ref);
            } else {
                pending.add(ref);
                notEmpty.signal();
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to queue in " + directory, e);
        }
    }

    /** The next pending record, waiting up to {@code timeout}; null when none came or the queue closed. */
    public Item take(long timeout, TimeUnit unit) throws InterruptedException {
        RecordRef ref;
        lock.lock();
        try {
            long nanos = unit.toNanos(timeout);
            while (pending.isEmpty() && !closed) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            if (closed) {
                return null;
            }
            ref = pollPending();
            inFlight.put(ref.id(), ref.released());
            if (ref.held() != null) {
                return new Item(ref.id(), ref.tenant(), ref.spans(), ref.held());
            }
        } finally {
            lock.unlock();
        }
        try {
            ByteBuffer payload = ByteBuffer.allocate(ref.payloadLength());
            Segment.readFully(ref.segment().logChannel, payload, ref.offset());
            return new Item(ref.id(), ref.tenant(), ref.spans(), payload.array());
        } catch (IOException e) {
            requeue(ref.id());
            throw new UncheckedIOException("cannot read queue record " + ref.id(), e);
        } catch (RuntimeException | Error e) { // OutOfMemoryError for a large record: it stays pending, not lost in flight
            requeue(ref.id());
            throw e;
        }
    }

    /** The record was delivered (or given up on): it leaves the queue for good. */
    public void ack(long id) {
        lock.lock();
        try {
            RecordRef ref = inFlight.remove(id);
            if (ref == null) {
                return;
            }
            usedBytes -= ref.payloadLength();
            writeAck(ref);
        } finally {
            lock.unlock();
        }
    }

    /** The oldest pending record, its held payload no longer counted against {@link #HELD_BYTES}. */
    private RecordRef pollPending() {
        RecordRef ref = pending.poll();
        heldBytes -= ref.held() == null ? 0 : ref.payloadLength();
        return ref;
    }

    /** Puts an in-flight record back at the head (a consumer stopping before it finished). */
    public void requeue(long id) {
        lock.lock();
        try {
            RecordRef ref = inFlight.remove(id);
            if (ref != null) {
                pending.addFirst(ref);
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void writeAck(RecordRef ref) {
        Segment segment = ref.segment();
        try {
            segment.appendAck(ref.id());
            if (segment != active && segment.acked == segment.records) {
                segments.remove(segment.firstId);
                SegmentDeleter.deleteLater(segment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot acknowledge queue record " + ref.id(), e);
        }
    }

    /**
     * Forces appended records and acks to the disk: everything appended before the call. The disk works outside
     * the lock, so appends, takes and acks go on meanwhile; an fsync takes 20-40 ms on a slow disk, and while the
     * lock was held enrich's appends (and every stage behind them) waited that long, the all-in-one's p99 at 5k spans/s.
     */
    public void sync() {
        List<Segment> open;
        lock.lock();
        try {
            open = List.copyOf(segments.values());
        } finally {
            lock.unlock();
        }
        for (Segment segment : open) {
            try {
                segment.force();
            } catch (ClosedChannelException deleted) {
                // fully acknowledged and deleted meanwhile (or the queue closed): nothing of it left to keep
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync queue in " + directory, e);
            }
        }
    }

    /** Records not yet acknowledged (pending and in flight). */
    public int size() {
        lock.lock();
        try {
            return pending.size() + inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** Payload bytes not yet acknowledged. */
    public long bytes() {
        lock.lock();
        try {
            return usedBytes;
        } finally {
            lock.unlock();
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** True while a payload of {@code bytes} would fit. */
    public boolean hasRoomFor(long bytes) {
        lock.lock();
        try {
            return usedBytes + reservedBytes + bytes <= maxBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out records (waiting consumers get null); what is not acked stays on disk. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            notEmpty.signalAll();
            for (Segment segment : segments.values()) {
                try {
                    segment.force();
                } catch (IOException ignored) {
                    // best effort on the way out; the page cache still holds the data
                }
                segment.close();
            }
        } finally {
            lock.unlock();
        }
        SegmentDeleter.awaitDeleted(); // a closed queue leaves no acknowledged segment behind
    }
}
