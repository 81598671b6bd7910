package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedOutputStream;
import java.util.Arrays;

/**
 * A growable byte array written in protobuf's wire format. A nested message's length is only known once
 * it is written, so {@link #prefixLength} moves the written bytes up by the size of their length prefix
 * (OTLP nests a handful of levels: each byte moves that many times at most).
 */
final class WireBuffer {
    private byte[] bytes;
    private int position;

    WireBuffer(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    int position() {
        return position;
    }

    /** Forgets everything written from {@code at} on. */
    void truncate(int at) {
        position = at;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    void tag(int fieldNumber, int wireType) {
        varint(((long) fieldNumber << 3) | wireType);
    }

    void varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    void fixed32(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    void lengthDelimited(byte[] value) {
        varint(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, position, value.length);
        position += value.length;
    }

    /** Makes everything written since {@code start} a length-delimited value: its length goes before it. */
    void prefixLength(int start) {
        int length = position - start;
        int prefix = CodedOutputStream.computeUInt32SizeNoTag(length);
        ensure(prefix);
        System.arraycopy(bytes, start, bytes, start + prefix, length);
        int end = position + prefix;
        position = start;
        varint(length);
        position = end;
    }

    /**
     * Writes chars as a length-delimited UTF-8 string. An unpaired surrogate becomes '?', as in
     * {@code String.getBytes(UTF_8)} and protobuf's own fallback for such strings.
     */
    void utf8(char[] chars, int offset, int length) {
        int end = offset + length;
        int size = 0;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                size++;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                size += 4;
                i++;
            } else {
                size += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        varint(size);
        ensure(size);
        byte[] b = bytes;
        int at = position;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                int cp = Character.toCodePoint(c, chars[++i]);
                b[at++] = (byte) (0xF0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[at++] = '?';
            } else {
                b[at++] = (byte) (0xE0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        position = at;
    }

    private void ensure(int more) {
        if (bytes.length - position < more) {
            long wanted = Math.max((long) bytes.length * 2, (long) position + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("message too large");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }
}
