package dev.llmtrace.core.otlp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Short ASCII strings seen recently, found again by their bytes: attribute keys and values such as model names
 * come back in every span, and one {@code String} for each (with its hash computed once) spares decoding and
 * allocating them each time. A table of the last strings that hashed to each slot ({@link TwoWaySlots}), so a string
 * seen once costs one slot and is soon replaced. Shared by all threads without locks: an entry is immutable, so a
 * reader sees either the old one or a complete new one. A hit is checked against the bytes kept with the string
 * (a vectorized compare, where comparing char by char was a twentieth of enrich's CPU).
 */
final class Strings {
    private static final int SLOTS = 4096;
    private static final Entry[] TABLE = new Entry[SLOTS];

    private record Entry(byte[] bytes, String string) implements TwoWaySlots.FromBytes {}

    private Strings() {}

    /** The string these bytes spell when it is in the table; null otherwise (decode it, then {@link #remember}). */
    static String cached(byte[] b, int offset, int length) {
        if (length == 0) {
            return "";
        }
        Entry e = TwoWaySlots.find(TABLE, slot(b, offset, length), b, offset, length);
        return e == null ? null : e.string;
    }

    /** Keeps {@code s}, decoded from these bytes, when it is ASCII (its chars then are its bytes). */
    static void remember(String s, byte[] b, int offset, int length) {
        if (s.length() == length) {
            TwoWaySlots.put(TABLE, slot(b, offset, length), new Entry(Arrays.copyOfRange(b, offset, offset + length), s));
        }
    }

    private static int slot(byte[] b, int offset, int length) {
        return slot(b, offset, length, SLOTS);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    /**
     * The slot of these bytes in a table of {@code slots} (a power of two). Eight bytes a step: every
     * short attribute of every span is hashed here, and a byte-at-a-time hash was a sixteenth of enrich's CPU.
     */
    static int slot(byte[] b, int offset, int length, int slots) {
        long h = length;
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = (h + (long) LONGS.get(b, i)) * MIX;
        }
        if (i < end) { // the last one to seven bytes: the eight ending there when there are that many, else byte by byte
            long tail = 0;
            if (length >= Long.BYTES) {
                tail = (long) LONGS.get(b, end - Long.BYTES);
            } else {
                for (; i < end; i++) {
                    tail = tail << 8 | (b[i] & 0xFF);
                }
            }
            h = (h + tail) * MIX;
        }
        return (int) (h >>> 32 ^ h >>> 52) & (slots - 1);
    }
}
