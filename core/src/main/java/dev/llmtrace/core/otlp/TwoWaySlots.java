package dev.llmtrace.core.otlp;

import java.util.Arrays;

/**
 * Where the tables of things seen recently (decoded strings and attributes, keys' bytes, content-name answers) keep
 * an entry: each slot has a partner ({@code slot ^ 1}), a lookup tries both, and a new entry takes its own slot while
 * the one it displaces moves to the partner. Directly mapped, two of a span's fifty names in one slot took turns
 * evicting each other and both missed on every span. Shared by threads without locks: entries are immutable and a
 * lookup checks what it finds, so a slot seen mid-move costs a miss at worst.
 */
public final class TwoWaySlots {
    private TwoWaySlots() {}

    /** The slot tried after {@code slot}. */
    public static int partner(int slot) {
        return slot ^ 1;
    }

    /** An entry found again by the bytes it was made from (the decoder's tables). */
    interface FromBytes {
        byte[] bytes();
    }

    /** The entry of {@code slot}'s pair made from these bytes; null when neither is. */
    static <E extends FromBytes> E find(E[] table, int slot, byte[] b, int offset, int length) {
        E e = table[slot];
        if (e != null && madeFrom(e, b, offset, length)) {
            return e;
        }
        e = table[partner(slot)];
        return e != null && madeFrom(e, b, offset, length) ? e : null;
    }

    private static boolean madeFrom(FromBytes e, byte[] b, int offset, int length) {
        return Arrays.equals(e.bytes(), 0, e.bytes().length, b, offset, offset + length);
    }

    /** An entry found again by a name (keys' bytes, content-name answers). */
    public interface ByKey {
        String key();
    }

    /** The entry of {@code slot}'s pair for {@code key} (the same object first: names are mostly constants); null when neither is. */
    public static <E extends ByKey> E find(E[] table, int slot, String key) {
        E e = table[slot];
        if (e != null && isFor(e, key)) {
            return e;
        }
        e = table[partner(slot)];
        return e != null && isFor(e, key) ? e : null;
    }

    private static boolean isFor(ByKey e, String key) {
        return e.key() == key || e.key().equals(key);
    }

    /** Puts {@code entry} in {@code slot}; what was there moves to the partner, in place of what was there. */
    public static <E> void put(E[] table, int slot, E entry) {
        E displaced = table[slot];
        if (displaced != null) {
            table[partner(slot)] = displaced;
        }
        table[slot] = entry;
    }
}
