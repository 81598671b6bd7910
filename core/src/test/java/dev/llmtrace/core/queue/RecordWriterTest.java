package dev.llmtrace.core.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records of every size land in the file exactly, one after another, and the reused buffer stays bounded. */
class RecordWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesEachRecordExactlyWhateverCameBeforeIt() throws Exception {
        Random random = new Random(42);
        int[] sizes = {10, 3_000, 1 << 20, 100, RecordWriter.BUFFER_BYTES + 1, 7, RecordWriter.BUFFER_BYTES - 16, 1};
        RecordWriter writer = new RecordWriter();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Path file = dir.resolve("segment.log");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int size : sizes) {
                byte[] head = new byte[16];
                byte[] payload = new byte[size];
                random.nextBytes(head);
                random.nextBytes(payload);
                writer.write(channel, ByteBuffer.wrap(head), payload);
                expected.write(head);
                expected.write(payload);
                assertEquals(expected.size(), channel.position(), "the channel is left after the record");
            }
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file), "no byte of an earlier, longer record leaks into a later one");
        assertEquals(RecordWriter.BUFFER_BYTES, writer.capacity(), "grown to the largest record it took, never past its bound");
    }

    @Test
    void growsInPowersOfTwoAndNotForRecordsOverItsBound() throws Exception {
        RecordWriter writer = new RecordWriter();
        try (FileChannel channel = FileChannel.open(dir.resolve("segment.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            writer.write(channel, ByteBuffer.allocate(8), new byte[1000]);
            assertEquals(1024, writer.capacity());
            writer.write(channel, ByteBuffer.allocate(8), new byte[RecordWriter.BUFFER_BYTES]);
            assertEquals(1024, writer.capacity(), "a record over the bound is written from where it is");
            writer.write(channel, ByteBuffer.allocate(8), new byte[500]);
            assertEquals(1024, writer.capacity(), "kept for the next records");
        }
    }
}
