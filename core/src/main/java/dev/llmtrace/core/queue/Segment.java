package dev.llmtrace.core.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/** One segment of a {@link PersistentQueue}: its record and ack files, and reading them back after a restart. */
final class Segment {
    final long firstId;
    final Path log;
    final Path ack;
    final FileChannel logChannel;
    final FileChannel ackChannel;
    long size;
    int records;
    int acked;

    Segment(Path directory, long firstId) throws IOException {
        this.firstId = firstId;
        this.log = directory.resolve(String.format("%s%020d.log", PersistentQueue.PREFIX, firstId));
        this.ack = directory.resolve(String.format("%s%020d.ack", PersistentQueue.PREFIX, firstId));
        this.logChannel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.ackChannel = FileChannel.open(ack, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.size = logChannel.size();
    }

    void close() {
        try {
            logChannel.close();
            ackChannel.close();
        } catch (IOException ignored) {
            // closing a file we only read from or already flushed
        }
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(log);
        Files.deleteIfExists(ack);
    }

    /** Deletes a segment acknowledged to the end; one left behind is read as such at the next start and deleted then. */
    void deleteQuietly() {
        try {
            delete();
        } catch (IOException leftBehind) {
            // nothing in it is pending
        }
    }

    /** Forces its records and acks to the disk. */
    void force() throws IOException {
        logChannel.force(false);
        ackChannel.force(false);
    }

    /** Reads records up to the first one that is torn or corrupt, and cuts the file there. */
    List<PersistentQueue.Ref> readRecords() throws IOException {
        Segment segment = this;
        List<PersistentQueue.Ref> refs = new ArrayList<>();
        FileChannel ch = segment.logChannel;
        long position = 0;
        long size = ch.size();
        ByteBuffer header = ByteBuffer.allocate(PersistentQueue.HEADER);
        while (position + PersistentQueue.HEADER <= size) {
            header.clear();
            readFully(ch, header, position);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 14 || position + PersistentQueue.HEADER + length > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(ch, body, position + PersistentQueue.HEADER);
            CRC32 check = new CRC32();
            check.update(body.array());
            if ((int) check.getValue() != crc) {
                break;
            }
            body.flip();
            long id = body.getLong();
            int spans = body.getInt();
            int tenantLength = body.getShort() & 0xFFFF;
            String tenant = new String(body.array(), body.position(), tenantLength, StandardCharsets.UTF_8);
            int payloadOffset = 8 + 4 + 2 + tenantLength;
            refs.add(new PersistentQueue.Ref(id, segment, position + PersistentQueue.HEADER + payloadOffset, length - payloadOffset, spans, tenant, null));
            position += PersistentQueue.HEADER + length;
        }
        if (position < size) {
            ch.truncate(position); // a torn tail from a crash mid-write
        }
        segment.size = position;
        return refs;
    }

    Set<Long> readAcks() throws IOException {
        Segment segment = this;
        Set<Long> acked = new HashSet<>();
        long size = segment.ackChannel.size() / 8 * 8; // a torn last id is ignored
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        readFully(segment.ackChannel, buffer, 0);
        buffer.flip();
        while (buffer.remaining() >= 8) {
            acked.add(buffer.getLong());
        }
        segment.ackChannel.position(segment.ackChannel.size());
        return acked;
    }

    static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of queue file");
            }
        }
    }
}
