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

    public static boolean isValid(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i + 8 <= end && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) { // ASCII, eight bytes at a time
            i += 8;
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

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
