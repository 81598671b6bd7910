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
import java.util.stream.Stream;
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

    /** The segments a queue left in {@code directory}, oldest first. */
    static List<Segment> existing(Path directory) throws IOException {
        List<Segment> segments = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path log : files.filter(p -> p.getFileName().toString().startsWith(PersistentQueue.PREFIX) && p.toString().endsWith(".log"))
                    .sorted().toList()) {
                String name = log.getFileName().toString();
                segments.add(new Segment(directory, Long.parseLong(name.substring(PersistentQueue.PREFIX.length(), name.length() - 4))));
            }
        }
        return segments;
    }

    /**
     * What reading a segment back found: its records not acknowledged, the id after its last record, bytes skipped
     * between records, bytes cut off its end.
     */
    record Contents(List<RecordRef> pending, long nextId, long skippedBytes, long cutBytes) {}

    /** Reads the records and acknowledgements an earlier run left; counts both. */
    Contents readBack() throws IOException {
        Set<Long> acked = readAcks();
        Read read = readRecords();
        List<RecordRef> pending = new ArrayList<>();
        for (RecordRef ref : read.records()) {
            if (acked.contains(ref.id())) {
                this.acked++;
            } else {
                pending.add(ref);
            }
        }
        this.records = read.records().size();
        return new Contents(pending, read.nextId(), read.skippedBytes(), read.cutBytes());
    }

    void appendAck(long id) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(8).putLong(id).flip();
        long at = ackChannel.position();
        try {
            while (bytes.hasRemaining()) {
                ackChannel.write(bytes);
            }
        } catch (IOException e) {
            // a full disk takes part of the id: the next ack goes where this one began, or every id after it would
            // be read back shifted, as garbage, and their records sent again
            ackChannel.position(at);
            throw e;
        }
        acked++;
    }

    private static final int MIN_RECORD = PersistentQueue.HEADER + PersistentQueue.FIELDS;

    /** Every record read back, acknowledged or not, and what was skipped and cut. */
    private record Read(List<RecordRef> records, long nextId, long skippedBytes, long cutBytes) {}

    /**
     * Reads the records back. A record that does not check out (its length runs past the end, or its CRC differs)
     * is skipped up to the next one that does, found by its id (the ids in a segment run on from its name) and
     * CRC: a crash tears only the end of a file, but a disk can damage one record in the middle, and the records
     * after it are still good. What is left unreadable at the end (a torn last write) is cut off the file.
     */
    private Read readRecords() throws IOException {
        long fileSize = logChannel.size();
        if (fileSize > Integer.MAX_VALUE) {
            throw new IOException(log + " is larger than a segment can be");
        }
        ByteBuffer file = logChannel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        List<RecordRef> refs = new ArrayList<>();
        int size = (int) fileSize;
        int position = 0;
        long nextId = firstId;
        long skipped = 0;
        while (position + MIN_RECORD <= size) {
            int at = recordAt(file, position, nextId);
            if (at < 0) {
                break; // nothing readable up to the end: a torn tail
            }
            skipped += at - position;
            int length = file.getInt(at);
            long id = file.getLong(at + PersistentQueue.HEADER);
            int spans = file.getInt(at + PersistentQueue.HEADER + 8);
            int tenantLength = file.getShort(at + PersistentQueue.HEADER + 12) & 0xFFFF;
            byte[] tenant = new byte[tenantLength];
            file.get(at + MIN_RECORD, tenant);
            int payloadOffset = MIN_RECORD + tenantLength;
            refs.add(new RecordRef(id, this, at + payloadOffset, PersistentQueue.HEADER + length - payloadOffset, spans,
                    new String(tenant, StandardCharsets.UTF_8), null));
            position = at + PersistentQueue.HEADER + length;
            nextId = id + 1;
        }
        if (position < size) {
            logChannel.truncate(position);
        }
        this.size = position;
        return new Read(refs, nextId, skipped, size - position);
    }

    /** Where the first record that checks out starts, at {@code from} or after it; -1 if none does. */
    private int recordAt(ByteBuffer file, int from, long expectedId) {
        int size = file.limit();
        long lastPossibleId = expectedId + (size - from) / MIN_RECORD; // each record takes at least MIN_RECORD bytes
        for (int at = from; at + MIN_RECORD <= size; at++) {
            int length = file.getInt(at);
            if (length < PersistentQueue.FIELDS || length > size - at - PersistentQueue.HEADER) {
                continue;
            }
            long id = file.getLong(at + PersistentQueue.HEADER);
            int tenantLength = file.getShort(at + PersistentQueue.HEADER + 12) & 0xFFFF;
            if (id < expectedId || id > lastPossibleId || PersistentQueue.FIELDS + tenantLength > length) {
                continue;
            }
            CRC32 check = new CRC32();
            check.update(file.slice(at + PersistentQueue.HEADER, length));
            if ((int) check.getValue() == file.getInt(at + 4)) {
                return at;
            }
        }
        return -1;
    }

    private Set<Long> readAcks() throws IOException {
        Set<Long> acked = new HashSet<>();
        long size = ackChannel.size() / 8 * 8;
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        readFully(ackChannel, buffer, 0);
        buffer.flip();
        while (buffer.remaining() >= 8) {
            acked.add(buffer.getLong());
        }
        if (ackChannel.size() > size) {
            ackChannel.truncate(size); // a torn last id is cut, so the acks written next stay aligned
        }
        ackChannel.position(size);
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
