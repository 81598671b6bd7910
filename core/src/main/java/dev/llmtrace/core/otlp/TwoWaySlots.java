package dev.llmtrace.core.otlp;

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

    /** Puts {@code entry} in {@code slot}; what was there moves to the partner, in place of what was there. */
    public static <E> void put(E[] table, int slot, E entry) {
        E displaced = table[slot];
        if (displaced != null) {
            table[partner(slot)] = displaced;
        }
        table[slot] = entry;
    }
}
