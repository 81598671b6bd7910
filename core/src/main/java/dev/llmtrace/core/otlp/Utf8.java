package dev.llmtrace.core.otlp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Well-formed UTF-8 as protobuf requires of string fields (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), checked in place.
 */
public final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long HIGH_BITS = 0x8080808080808080L;

    public static boolean isValid(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i + Long.BYTES <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) { // ASCII, eight bytes at a time
            i += Long.BYTES;
        }
        // the loop ran out of whole words (rather than into a non-ASCII one): the rest in one more
        if (i < end && i + Long.BYTES > end && asciiTail(b, offset, i, end)) {
            return true;
        }
        while (i < end && b[i] >= 0) {
            i++;
        }
        while (i < end) {
            int c = b[i++] & 0xFF;
            if (c < 0x80) {
                continue;
            }
            if (c < 0xC2 || c > 0xF4) {
                return false; // a continuation byte, an overlong two-byte lead, or beyond U+10FFFF
            }
            if (c < 0xE0) {
                if (i >= end || !continuation(b[i++])) {
                    return false;
                }
            } else if (c < 0xF0) {
                if (i + 1 >= end) {
                    return false;
                }
                int c2 = b[i++] & 0xFF;
                if (!continuation((byte) c2) || (c == 0xE0 && c2 < 0xA0) || (c == 0xED && c2 >= 0xA0) || !continuation(b[i++])) {
                    return false; // overlong, or a surrogate
                }
            } else {
                if (i + 2 >= end) {
                    return false;
                }
                int c2 = b[i++] & 0xFF;
                if (!continuation((byte) c2) || (c == 0xF0 && c2 < 0x90) || (c == 0xF4 && c2 >= 0x90)
                        || !continuation(b[i++]) || !continuation(b[i++])) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether the one to seven bytes from {@code i} to {@code end} are ASCII, in one read of eight: those ending at
     * {@code end} when the text is that long, else those from {@code i}, masked, when the array is. Most strings of a
     * span (keys, names, models) are short, and their tails byte by byte were most of the check's time.
     */
    private static boolean asciiTail(byte[] b, int offset, int i, int end) {
        if (end - offset >= Long.BYTES) {
            return ((long) LONGS.get(b, end - Long.BYTES) & HIGH_BITS) == 0;
        }
        if (i + Long.BYTES <= b.length) {
            long tail = (1L << Byte.SIZE * (end - i)) - 1; // the low bytes are the first ones (little-endian)
            return ((long) LONGS.get(b, i) & HIGH_BITS & tail) == 0;
        }
        return false; // near the array's end: byte by byte
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
