package dev.llmtrace.core.otlp;

/**
 * Short ASCII strings seen recently, found again by their bytes: attribute keys and values such as model names
 * come back in every span, and one {@code String} for each (with its hash computed once) spares decoding and
 * allocating them each time. A direct-mapped table: a slot holds the last string that hashed to it, so a string
 * seen once costs one slot and is soon replaced. Shared by all threads without locks: a {@code String} is
 * immutable, so a reader sees either the old entry or a complete new one.
 */
final class Strings {
    private static final int SLOTS = 4096;
    private static final String[] TABLE = new String[SLOTS];

    private Strings() {}

    /** The string these bytes spell when it is in the table; null otherwise (decode it, then {@link #remember}). */
    static String cached(byte[] b, int offset, int length) {
        if (length == 0) {
            return "";
        }
        String s = TABLE[slot(b, offset, length)];
        if (s == null || s.length() != length) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != b[offset + i]) { // a byte beyond ASCII is negative and never equals a char
                return null;
            }
        }
        return s;
    }

    /** Keeps {@code s}, decoded from these bytes, when it is ASCII (its chars then are its bytes). */
    static void remember(String s, byte[] b, int offset, int length) {
        if (s.length() == length) {
            TABLE[slot(b, offset, length)] = s;
        }
    }

    private static int slot(byte[] b, int offset, int length) {
        return slot(b, offset, length, SLOTS);
    }

    /** The slot of these bytes in a direct-mapped table of {@code slots} (a power of two). */
    static int slot(byte[] b, int offset, int length, int slots) {
        int h = length;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = 31 * h + b[i];
        }
        return (h ^ (h >>> 12)) & (slots - 1);
    }
}
