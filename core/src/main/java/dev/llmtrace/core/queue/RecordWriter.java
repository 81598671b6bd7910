package dev.llmtrace.core.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Writes a queue's records (a header, then the payload; {@link Segment} reads them back) to its segment files through one direct buffer it reuses.
 * A file channel copies heap bytes into a direct buffer anyway; for a record over {@code jdk.nio.maxCachedBufferSize}
 * (256 KiB in the lean JVM flags; a batch is about 1 MiB) the JDK allocated, zeroed and freed a temporary one each
 * time. Records over {@link #BUFFER_BYTES} are written from where they are, so the buffer never grows past it.
 * Not thread-safe: the queue calls it under its lock.
 */
final class RecordWriter {
    static final int BUFFER_BYTES = 4 << 20;

    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

    /**
     * Writes one record at the channel's position: length, CRC-32 (of what follows it), id, span count, tenant, payload.
     * {@code payloadCrc}: the payload's CRC ({@link Crc32Combine#of}), combined with the header's.
     */
    void write(FileChannel channel, long id, int spans, byte[] tenant, byte[] payload, int payloadCrc) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(PersistentQueue.HEADER + PersistentQueue.FIELDS + tenant.length);
        head.putInt(head.capacity() - PersistentQueue.HEADER + payload.length).putInt(0).putLong(id).putInt(spans)
                .putShort((short) tenant.length).put(tenant);
        CRC32 crc = new CRC32();
        crc.update(head.array(), PersistentQueue.HEADER, head.position() - PersistentQueue.HEADER);
        head.putInt(4, Crc32Combine.combine((int) crc.getValue(), payloadCrc, payload.length)).flip();
        write(channel, head, payload);
    }

    /** Writes {@code head} (its remaining bytes) and then {@code payload} at the channel's position. */
    void write(FileChannel channel, ByteBuffer head, byte[] payload) throws IOException {
        int size = head.remaining() + payload.length;
        if (size > BUFFER_BYTES) {
            ByteBuffer[] record = {head, ByteBuffer.wrap(payload)};
            while (record[1].hasRemaining()) {
                channel.write(record);
            }
            return;
        }
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocateDirect(Math.min(BUFFER_BYTES, Integer.highestOneBit(size - 1) << 1));
        }
        ByteBuffer out = buffer.clear();
        out.put(head).put(payload).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** The direct buffer's size now: what the queue holds off the heap for writing. */
    int capacity() {
        return buffer.capacity();
    }
}
