package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;

/**
 * The serialized bytes of the attributes a span is given anew ({@link SpanStream}'s edited spans: the dozens enrich
 * appends and the prompt it masks), written by hand for the common shapes, a key and a scalar value or an array of
 * them (redaction's list of masked keys). Protobuf's
 * serializer walks each string char by char twice, once to size it and once to encode it, a tenth of enrich's CPU;
 * {@code String.getBytes} copies an ASCII string in one vectorized step. A text given twice in one span (the
 * prompt and its {@code input.value} copy, the same object) is encoded once. Any other shape (maps, bytes, unknown
 * fields) is protobuf's to write. The bytes are the ones protobuf writes.
 */
final class AttributeBytes {
    private static final int KEY = tag(KeyValue.KEY_FIELD_NUMBER, 2);
    private static final int VALUE = tag(KeyValue.VALUE_FIELD_NUMBER, 2);
    private static final int STRING = tag(AnyValue.STRING_VALUE_FIELD_NUMBER, 2);
    private static final int BOOL = tag(AnyValue.BOOL_VALUE_FIELD_NUMBER, 0);
    private static final int INT = tag(AnyValue.INT_VALUE_FIELD_NUMBER, 0);
    private static final int DOUBLE = tag(AnyValue.DOUBLE_VALUE_FIELD_NUMBER, 1);
    private static final int ARRAY = tag(AnyValue.ARRAY_VALUE_FIELD_NUMBER, 2);
    private static final int ARRAY_VALUES = tag(ArrayValue.VALUES_FIELD_NUMBER, 2);
    /** Keys come back in every span (and enrich's are constants): their bytes are kept, not encoded each time. */
    private static final Keys KEYS = new Keys();
    /** Texts this long or longer are looked for among the span's earlier ones (the prompt and completion copies). */
    private static final int WORTH_REUSING = 64;

    /** The last few long texts encoded for one span, by identity. */
    private String[] texts;
    private byte[][] encoded;
    private int next;

    /** {@code attribute} as the content of a {@code KeyValue} field: what follows its tag and length. */
    byte[] of(KeyValue attribute) {
        byte[] value = attribute.hasValue() ? content(attribute.getValue()) : NONE;
        if (value == null || !attribute.getUnknownFields().isEmpty()) {
            return attribute.toByteArray();
        }
        byte[] key = KEYS.bytes(attribute.getKey());
        Writer out = new Writer((key.length > 0 ? fieldSize(key.length) : 0) + (attribute.hasValue() ? fieldSize(value.length) : 0));
        if (key.length > 0) {
            out.field(KEY, key);
        }
        if (attribute.hasValue()) {
            out.field(VALUE, value);
        }
        return out.bytes;
    }

    private static final byte[] NONE = new byte[0];

    /** An {@code AnyValue}'s bytes: a scalar, or an array of values this can write; null for any other. */
    private byte[] content(AnyValue value) {
        if (!value.getUnknownFields().isEmpty()) {
            return null;
        }
        return switch (value.getValueCase()) {
            case STRING_VALUE -> {
                byte[] text = utf8(value.getStringValue());
                yield new Writer(fieldSize(text.length)).field(STRING, text).bytes;
            }
            case BOOL_VALUE -> new Writer(2).varint(BOOL).varint(value.getBoolValue() ? 1 : 0).bytes;
            case INT_VALUE -> new Writer(1 + CodedOutputStream.computeUInt64SizeNoTag(value.getIntValue())).varint(INT).varint(value.getIntValue()).bytes;
            case DOUBLE_VALUE -> new Writer(1 + Long.BYTES).varint(DOUBLE).fixed64(Double.doubleToRawLongBits(value.getDoubleValue())).bytes;
            case VALUE_NOT_SET -> NONE;
            case ARRAY_VALUE -> array(value.getArrayValue());
            default -> null; // maps and bytes: protobuf's
        };
    }

    /** An array's values (redaction's list of masked keys), as the one field of an {@code AnyValue}. */
    private byte[] array(ArrayValue array) {
        if (!array.getUnknownFields().isEmpty()) {
            return null;
        }
        byte[][] values = new byte[array.getValuesCount()][];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = content(array.getValues(i));
            if (values[i] == null) {
                return null;
            }
            size += fieldSize(values[i].length);
        }
        Writer out = new Writer(fieldSize(size)).varint(ARRAY).varint(size);
        for (byte[] value : values) {
            out.field(ARRAY_VALUES, value);
        }
        return out.bytes;
    }

    byte[] utf8(String text) {
        if (text.length() < WORTH_REUSING) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (texts == null) {
            texts = new String[4];
            encoded = new byte[4][];
        }
        for (int i = 0; i < texts.length; i++) {
            if (texts[i] == text) {
                return encoded[i];
            }
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        texts[next & 3] = text;
        encoded[next++ & 3] = bytes;
        return bytes;
    }

    /** A length-delimited field with a one-byte tag: the bytes it takes for {@code length} bytes of content. */
    static int fieldSize(int length) {
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** Writes into an array of the exact size. */
    private static final class Writer {
        final byte[] bytes;
        int at;

        Writer(int size) {
            this.bytes = new byte[size];
        }

        Writer varint(long n) {
            while ((n & ~0x7FL) != 0) {
                bytes[at++] = (byte) ((n & 0x7F) | 0x80);
                n >>>= 7;
            }
            bytes[at++] = (byte) n;
            return this;
        }

        Writer field(int tag, byte[] b) {
            varint(tag).varint(b.length);
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
            return this;
        }

        Writer fixed64(long n) {
            for (int i = 0; i < Long.BYTES; i++) {
                bytes[at++] = (byte) (n >>> 8 * i);
            }
            return this;
        }
    }

    /**
     * Keys' UTF-8 bytes, direct-mapped by the key's (cached) hash, shared by all threads without locks as
     * {@link Strings} is: an entry is immutable. Keys are names, not secrets; long ones are not kept.
     */
    private static final class Keys {
        private static final int SLOTS = 1024;
        private static final int LONGEST = 128;
        private record Entry(String key, byte[] bytes) {}
        private final Entry[] table = new Entry[SLOTS];

        byte[] bytes(String key) {
            int slot = (key.hashCode() ^ key.hashCode() >>> 16) & (SLOTS - 1);
            Entry e = table[slot];
            if (e != null && (e.key == key || e.key.equals(key))) {
                return e.bytes;
            }
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            if (key.length() <= LONGEST) {
                table[slot] = new Entry(key, bytes);
            }
            return bytes;
        }
    }
}
