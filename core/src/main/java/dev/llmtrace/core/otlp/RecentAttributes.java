package dev.llmtrace.core.otlp;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Arrays;

/**
 * Short attributes seen recently, found again by their serialized bytes: most of an LLM span's attributes come back
 * unchanged from span to span (model, provider, operation, finish reason, environment, unit prices), and a
 * {@code KeyValue} is immutable, so the one decoded last time is as good as a new one. The decoder's two message
 * objects per attribute were an eighth of what the all-in-one allocated (async-profiler). Built like {@link Strings}:
 * the last attributes that hashed to each slot ({@link TwoWaySlots}), shared by all threads without locks (an entry
 * is immutable: a reader sees the old one or a complete new one), and a hit is checked byte for byte.
 *
 * <p>Bounded: at most {@link #SLOTS} attributes of at most {@link #MAX_BYTES} bytes (about 1 MiB in all). It keeps
 * what it holds until replaced, so the decoder gives it no string value longer than {@code Strings} keeps (32 bytes:
 * shorter than most API keys and tokens) nor one with a secret's tell-tale (an AWS access key id is 20 characters).
 */
final class RecentAttributes {
    /** Key and value together; a model name under a long OpenRouter metadata key is about 60. */
    static final int MAX_BYTES = 80;
    private static final int SLOTS = 4096;
    private static final Entry[] TABLE = new Entry[SLOTS];

    private record Entry(byte[] bytes, KeyValue attribute) implements TwoWaySlots.FromBytes {}

    private RecentAttributes() {}

    /** The attribute these bytes encode when it is in the table; null otherwise (decode it, then {@link #remember}). */
    static KeyValue find(byte[] b, int offset, int length) {
        Entry e = TwoWaySlots.find(TABLE, slot(b, offset, length), b, offset, length);
        return e == null ? null : e.attribute;
    }

    /** Keeps {@code attribute}, decoded from these bytes (at most {@link #MAX_BYTES}). */
    static void remember(KeyValue attribute, byte[] b, int offset, int length) {
        TwoWaySlots.put(TABLE, slot(b, offset, length), new Entry(Arrays.copyOfRange(b, offset, offset + length), attribute));
    }

    static int slot(byte[] b, int offset, int length) {
        return Strings.slot(b, offset, length, SLOTS);
    }
}
