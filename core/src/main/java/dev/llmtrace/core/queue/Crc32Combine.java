package dev.llmtrace.core.queue;

import java.util.zip.CRC32;

/**
 * The CRC-32 of two byte runs joined, from the CRC-32 of each and the second's length, as zlib's
 * {@code crc32_combine} computes it: appending n bytes multiplies the first CRC by x^(8n) modulo the CRC
 * polynomial (in the reflected bit order {@link CRC32} uses), and the powers x^(2^k) are kept in a table so
 * that takes one multiplication per bit of n. A queue record's CRC covers its header and then its payload;
 * export writes the same payload to several destination queues, so the payload's CRC is computed once and
 * each queue combines it with its own header's. The records on disk are exactly what they were.
 */
public final class Crc32Combine {
    /** The CRC-32 polynomial, reflected. */
    private static final int POLY = 0xEDB88320;
    /** {@code POWERS[k]} = x^(2^k) mod POLY, reflected. */
    private static final int[] POWERS = new int[32];

    static {
        int p = 1 << 30; // x^1
        POWERS[0] = p;
        for (int k = 1; k < 32; k++) {
            p = multiply(p, p);
            POWERS[k] = p;
        }
    }

    private Crc32Combine() {}

    /** The CRC-32 of all of {@code bytes}. */
    public static int of(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** The CRC-32 of A then B, given A's CRC, B's CRC and B's length in bytes. */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("negative length");
        }
        return multiply(xPower8n(lengthB), crcA) ^ crcB;
    }

    /** x^(8n) mod POLY: a product of the table's powers, one for each bit set in 8n. */
    private static int xPower8n(long n) {
        int p = 1 << 31; // x^0
        for (int k = 3; n != 0; n >>>= 1, k++) {
            if ((n & 1) != 0) {
                p = multiply(POWERS[k & 31], p); // x^(2^32) = x modulo POLY: the powers repeat (zlib's table relies on it too)
            }
        }
        return p;
    }

    /** a × b mod POLY, both reflected (the highest bit is x^0). */
    private static int multiply(int a, int b) {
        int product = 0;
        for (int m = 1 << 31; m != 0; m >>>= 1) {
            if ((a & m) != 0) {
                product ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return product;
    }
}
