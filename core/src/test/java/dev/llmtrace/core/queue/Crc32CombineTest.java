package dev.llmtrace.core.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32CombineTest {

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    @Test
    void combiningTheCrcsOfTwoRunsGivesTheCrcOfBothJoined() {
        Random random = new Random(13);
        for (int trial = 0; trial < 500; trial++) {
            byte[] bytes = new byte[random.nextInt(trial < 100 ? 64 : 1 << 20)];
            random.nextBytes(bytes);
            int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int combined = Crc32Combine.combine(crc(bytes, 0, cut), crc(bytes, cut, bytes.length - cut), bytes.length - cut);
            assertEquals(crc(bytes, 0, bytes.length), combined, "length " + bytes.length + ", cut at " + cut);
        }
    }

    @Test
    void anEmptyRunChangesNothingAndOfIsTheJdksCrc() {
        byte[] bytes = "a queue record's header".getBytes();
        assertEquals(crc(bytes, 0, bytes.length), Crc32Combine.of(bytes));
        assertEquals(Crc32Combine.of(bytes), Crc32Combine.combine(Crc32Combine.of(bytes), Crc32Combine.of(new byte[0]), 0));
        assertEquals(Crc32Combine.of(bytes), Crc32Combine.combine(Crc32Combine.of(new byte[0]), Crc32Combine.of(bytes), bytes.length));
    }

    /** Lengths past what the table's first 32 powers cover (over 512 MiB) agree with joining in another order. */
    @Test
    void longLengthsAreAssociative() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int a = random.nextInt();
            int b = random.nextInt();
            int c = random.nextInt();
            long lengthB = random.nextLong() >>> 31; // up to 2^33 bytes
            long lengthC = random.nextLong() >>> 31;
            int leftFirst = Crc32Combine.combine(Crc32Combine.combine(a, b, lengthB), c, lengthC);
            int rightFirst = Crc32Combine.combine(a, Crc32Combine.combine(b, c, lengthC), lengthB + lengthC);
            assertEquals(leftFirst, rightFirst, lengthB + " + " + lengthC);
        }
    }
}
