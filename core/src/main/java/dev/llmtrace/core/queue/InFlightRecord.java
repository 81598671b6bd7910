package dev.llmtrace.core.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A record {@link PersistentQueue#appendInFlight} wrote: its id, to {@link PersistentQueue#ack}, and where its payload
 * is, so a write-ahead log's caller need not keep the payload on its heap while it waits.
 */
public final class InFlightRecord {
    private final RecordRef ref;

    InFlightRecord(RecordRef ref) {
        this.ref = ref;
    }

    public long id() {
        return ref.id();
    }

    /**
     * Copies the payload into {@code into} at {@code at}: a positional read of the page cache, without the queue's lock
     * (the appends that hold it would make every read wait). Only until the record is acked: then its segment may be gone.
     */
    public void readInto(byte[] into, int at) {
        try {
            Segment.readFully(ref.segment().logChannel, ByteBuffer.wrap(into, at, ref.payloadLength()).slice(), ref.offset());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read queue record " + ref.id(), e);
        }
    }
}
