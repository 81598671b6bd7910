package dev.llmtrace.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentQueueTest {
    @TempDir
    Path dir;

    static byte[] payload(int i) {
        return ("payload-" + i).getBytes(UTF_8);
    }

    static long append(PersistentQueue q, int i) {
        byte[] p = payload(i);
        assertTrue(q.tryReserve(p.length));
        return q.appendReserved("tenant-" + i, i, p);
    }

    @Test
    void fifoWithTenantAndSpanCount() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            for (int i = 0; i < 3; i++) {
                append(q, i);
            }
            for (int i = 0; i < 3; i++) {
                PersistentQueue.Item item = q.take(1, TimeUnit.SECONDS);
                assertArrayEquals(payload(i), item.payload());
                assertEquals("tenant-" + i, item.tenant());
                assertEquals(i, item.spans());
                q.ack(item.id());
            }
            assertNull(q.take(10, TimeUnit.MILLISECONDS));
            assertEquals(0, q.size());
            assertEquals(0, q.bytes());
        }
    }

    @Test
    void unackedRecordsSurviveReopenAndAckedOnesDoNot() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 64)) { // tiny segments: many files
            for (int i = 0; i < 50; i++) {
                append(q, i);
            }
            for (int i = 0; i < 20; i++) {
                q.ack(q.take(1, TimeUnit.SECONDS).id());
            }
            q.take(1, TimeUnit.SECONDS); // in flight at the "crash": must come back
        }
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 64)) {
            assertEquals(30, q.size());
            for (int i = 20; i < 50; i++) {
                PersistentQueue.Item item = q.take(1, TimeUnit.SECONDS);
                assertArrayEquals(payload(i), item.payload(), "order kept across restart");
                q.ack(item.id());
            }
            long id = append(q, 99);
            assertTrue(id > 50, "ids keep growing across restarts");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.count() <= 4, "fully acknowledged segments are deleted");
        }
    }

    @Test
    void recordsSmallAndOverTheWriteBufferComeBackExactAfterReopen() throws Exception {
        java.util.Random random = new java.util.Random(7);
        int[] sizes = {RecordWriter.BUFFER_BYTES + 100, 12, 1 << 20, 40};
        List<byte[]> payloads = new ArrayList<>();
        try (PersistentQueue q = PersistentQueue.open(dir, 64 << 20, 8 << 20)) {
            for (int size : sizes) {
                byte[] p = new byte[size];
                random.nextBytes(p);
                payloads.add(p);
                assertTrue(q.tryReserve(p.length));
                q.appendReserved("t", 1, p);
            }
        }
        try (PersistentQueue q = PersistentQueue.open(dir, 64 << 20, 8 << 20)) { // each record's CRC checked again
            for (byte[] p : payloads) {
                PersistentQueue.Item item = q.take(1, TimeUnit.SECONDS);
                assertArrayEquals(p, item.payload());
                q.ack(item.id());
            }
            assertEquals(0, q.size());
        }
    }

    @Test
    void tornTailFromACrashIsCutOff() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            for (int i = 0; i < 5; i++) {
                append(q, i);
            }
        }
        Path log;
        try (Stream<Path> files = Files.list(dir)) {
            log = files.filter(p -> p.toString().endsWith(".log")).filter(p -> p.toFile().length() > 0).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3); // the last record half written
        }
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(4, q.size());
            assertEquals(new QueueRecovery(4, 4 * 9, 0, RECORD - 3), q.recovery());
            assertEquals(List.of("payload-0", "payload-1", "payload-2", "payload-3"), drain(q));
        }
    }

    /**
     * A crash (or a full disk) can leave part of an acknowledgement's 8 bytes. The acks written after it must stay
     * aligned: read back shifted they are garbage, and the records they acknowledged come back as pending.
     */
    @Test
    void aTornAcknowledgementLeavesTheAcksAfterItReadable() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            for (int i = 0; i < 6; i++) {
                append(q, i);
            }
            q.ack(q.take(1, TimeUnit.SECONDS).id());
        }
        Path ack;
        try (Stream<Path> files = Files.list(dir)) {
            ack = files.filter(p -> p.toString().endsWith(".ack")).filter(p -> p.toFile().length() > 0).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(ack, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0})); // the next id, torn after 3 bytes
        }
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(5, q.size());
            q.ack(q.take(1, TimeUnit.SECONDS).id());
            q.ack(q.take(1, TimeUnit.SECONDS).id());
        }
        assertEquals(3 * 8, Files.size(ack), "three whole ids, the torn bytes gone");
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            assertEquals(List.of("payload-3", "payload-4", "payload-5"), drain(q));
        }
    }

    /** Bytes of record {@code k} of {@link #append}'s, all in one segment: 8 header, 14 fixed, tenant and payload. */
    private static final int RECORD = PersistentQueue.HEADER + 14 + "tenant-0".length() + payload(0).length;

    /**
     * A disk can damage a record in the middle of a file (a crash tears only its end): the records after it are
     * kept, found by their ids and CRCs, and what was skipped is reported. Damage anywhere, at random: every record
     * whose bytes are untouched comes back, in order, and no damaged one does.
     */
    @Test
    void aDamagedRecordIsSkippedAndTheRecordsAfterItAreKept() throws Exception {
        java.util.Random random = new java.util.Random(5);
        for (int round = 0; round < 300; round++) {
            Path queueDir = Files.createTempDirectory(dir, "round");
            try (PersistentQueue q = PersistentQueue.open(queueDir, 1 << 20, 1 << 16)) {
                for (int i = 0; i < 10; i++) {
                    append(q, i);
                }
            }
            java.util.Set<Integer> damaged = new java.util.TreeSet<>();
            try (FileChannel ch = FileChannel.open(onlyLog(queueDir), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                for (int n = round == 0 ? 1 : 1 + random.nextInt(3); n > 0; n--) {
                    int at = round == 0 ? 2 * RECORD + 1 : random.nextInt(10 * RECORD); // round 0: record 2's length
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                    ch.read(b, at);
                    b.put(0, (byte) (b.get(0) ^ (1 + random.nextInt(255))));
                    ch.write(b.flip(), at);
                    damaged.add(at / RECORD);
                }
            }
            try (PersistentQueue q = PersistentQueue.open(queueDir, 1 << 20, 1 << 16)) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    if (!damaged.contains(i)) {
                        expected.add("payload-" + i);
                    }
                }
                int lastGood = expected.isEmpty() ? -1 : Integer.parseInt(expected.get(expected.size() - 1).substring(8));
                QueueRecovery recovery = q.recovery();
                assertEquals(expected, drain(q), "damaged " + damaged);
                assertEquals(new QueueRecovery(expected.size(), 9L * expected.size(),
                        (long) RECORD * (lastGood + 1 - expected.size()), (long) RECORD * (9 - lastGood)), recovery, "damaged " + damaged);
            }
        }
    }

    private static Path onlyLog(Path queueDir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(queueDir)) {
            return files.filter(p -> p.toString().endsWith(".log")).filter(p -> p.toFile().length() > 0).findFirst().orElseThrow();
        }
    }

    private static List<String> drain(PersistentQueue q) throws InterruptedException {
        List<String> got = new ArrayList<>();
        PersistentQueue.Item item;
        while ((item = q.take(10, TimeUnit.MILLISECONDS)) != null) {
            got.add(new String(item.payload(), UTF_8));
            q.ack(item.id());
        }
        return got;
    }

    @Test
    void capacityIsBoundedInBytesAndDropOldestMakesRoom() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 30, 1 << 16)) {
            append(q, 1);
            append(q, 2);
            append(q, 3); // 3 x 9 bytes
            assertFalse(q.tryReserve(9), "full");
            List<PersistentQueue.Item> dropped = q.dropOldestToFit(9);
            assertEquals(1, dropped.size());
            assertEquals(1, dropped.get(0).spans());
            assertTrue(q.tryReserve(9));
            q.appendReserved("t", 4, payload(4));
            assertArrayEquals(payload(2), q.take(1, TimeUnit.SECONDS).payload());
        }
    }

    @Test
    void requeuedRecordComesBackFirst() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 1 << 16)) {
            append(q, 1);
            append(q, 2);
            PersistentQueue.Item first = q.take(1, TimeUnit.SECONDS);
            q.requeue(first.id());
            assertArrayEquals(payload(1), q.take(1, TimeUnit.SECONDS).payload());
        }
    }

    /**
     * A consumer that comes soon gets the appender's own array; past {@code HELD_BYTES} of pending payloads the
     * rest is read from the file, equal and in order, and a record put back is read from the file too.
     */
    @Test
    void pendingPayloadsUpToALimitAreHandedOutAsTheyCame() throws Exception {
        int size = (int) (PersistentQueue.HELD_BYTES / 4);
        try (PersistentQueue q = PersistentQueue.open(dir, 8L * size, 1 << 20)) {
            List<byte[]> appended = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                byte[] p = new byte[size];
                java.util.Arrays.fill(p, (byte) i);
                assertTrue(q.tryReserve(size));
                q.appendReserved("t", 1, p);
                appended.add(p);
            }
            PersistentQueue.Item first = q.take(1, TimeUnit.SECONDS);
            assertSame(appended.get(0), first.payload());
            q.requeue(first.id());
            for (int i = 0; i < 6; i++) {
                PersistentQueue.Item item = q.take(1, TimeUnit.SECONDS);
                assertArrayEquals(appended.get(i), item.payload());
                assertEquals(i >= 1 && i < 4, appended.get(i) == item.payload(), "held: the 2nd to 4th; read from the file: " + i);
                q.ack(item.id());
            }
            assertEquals(0, q.bytes());
        }
    }

    /**
     * sync forces the disk outside the lock, while acks retire and delete segments: every record is delivered
     * once, no sync fails on a segment deleted under it, and the deleted segments' files are gone.
     */
    @Test
    void syncRunsBesideAppendsAndAcksThatDeleteSegments() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, 1 << 20, 64)) { // a new segment every record or two
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread syncer = new Thread(() -> {
                try {
                    while (!done.get()) {
                        q.sync();
                        syncs.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            syncer.start();
            for (int i = 0; i < 2000; i++) {
                append(q, i);
                PersistentQueue.Item item = q.take(1, TimeUnit.SECONDS);
                assertArrayEquals(payload(i), item.payload());
                q.ack(item.id());
            }
            done.set(true);
            syncer.join(10_000);
            assertFalse(syncer.isAlive());
            assertNull(failed.get(), () -> "sync failed: " + failed.get());
            assertTrue(syncs.get() > 0);
            assertEquals(0, q.size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.count() <= 4, "fully acknowledged segments are deleted");
        }
    }

    /**
     * A write-ahead log keeps no payload in memory: what it appended in flight is read back exactly, from every
     * segment it spans and into any place of a larger array.
     */
    @Test
    void inFlightPayloadsAreReadBackFromTheirSegmentsUntilAcked() throws Exception {
        try (PersistentQueue q = PersistentQueue.open(dir, Long.MAX_VALUE, 64)) { // a new segment every record or two
            List<InFlightRecord> records = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < 20; i++) {
                records.add(q.appendInFlight("tenant", i, payload(i)));
                total += payload(i).length;
            }
            assertNull(q.take(0, TimeUnit.MILLISECONDS), "in flight from the start: never handed out");
            byte[] joined = new byte[total + 2];
            int at = 1;
            for (int i = 0; i < 20; i++) {
                records.get(i).readInto(joined, at);
                at += payload(i).length;
            }
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            expected.write(0);
            for (int i = 0; i < 20; i++) {
                expected.write(payload(i));
            }
            expected.write(0);
            assertArrayEquals(expected.toByteArray(), joined);
            records.forEach(record -> q.ack(record.id()));
            assertEquals(0, q.size());
        }
    }
}
