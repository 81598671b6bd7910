package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;

/**
 * The serialized fields of the attributes a span is given anew ({@link SpanStream}'s edited spans: the dozens enrich
 * appends and the prompt it masks), written by hand for the common shapes, a key and a scalar value or an array of
 * them (redaction's list of masked keys), all into one array sized by a first pass. Protobuf's serializer walks each
 * string char by char twice, once to size it and once to encode it, a tenth of enrich's CPU; {@code String.getBytes}
 * copies an ASCII string in one vectorized step. A text given twice in one span (the prompt and its
 * {@code input.value} copy, the same object) is encoded once. Any other shape (maps, bytes, unknown fields) is
 * protobuf's to write. The bytes are the ones protobuf writes.
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
    /** How an attribute's value is written: from the bytes kept for it, or protobuf's bytes of the whole attribute. */
    private static final byte SCALAR = 0;
    private static final byte TEXT = 1;
    private static final byte ARRAY_CONTENT = 2;
    private static final byte PROTOBUF = 3;

    private final int fieldTag;
    private final KeyValue[] attributes;
    private final byte[] kinds;
    /** Per attribute: its key's bytes; its text's, its array's content or protobuf's bytes of it (by kind); sizes. */
    private final byte[][] keys;
    private final byte[][] values;
    private final int[] valueSizes;
    private final int[] contentSizes;
    private int count;
    private int size;

    /** The last few long texts encoded for one span, by identity. */
    private String[] texts;
    private byte[][] encoded;
    private int next;

    /** For at most {@code capacity} attributes, each written as field {@code field} of its message (a span's: 9). */
    AttributeBytes(int field, int capacity) {
        if (field < 1 || field > 15) {
            throw new IllegalArgumentException("a field with a one-byte tag: " + field);
        }
        fieldTag = tag(field, 2);
        attributes = new KeyValue[capacity];
        kinds = new byte[capacity];
        keys = new byte[capacity][];
        values = new byte[capacity][];
        valueSizes = new int[capacity];
        contentSizes = new int[capacity];
    }

    /** Adds {@code attribute} to those {@link #write} writes. */
    void add(KeyValue attribute) {
        int i = count++;
        attributes[i] = attribute;
        byte kind = attribute.hasValue() ? kindOf(attribute.getValue()) : SCALAR;
        int content;
        if (kind == PROTOBUF || !attribute.getUnknownFields().isEmpty()) {
            kind = PROTOBUF;
            values[i] = attribute.toByteArray();
            content = values[i].length;
        } else {
            byte[] key = KEYS.bytes(attribute.getKey());
            keys[i] = key;
            int valueSize = 0;
            if (attribute.hasValue()) {
                AnyValue value = attribute.getValue();
                valueSize = switch (kind) {
                    case TEXT -> fieldSize((values[i] = utf8(value.getStringValue())).length);
                    case ARRAY_CONTENT -> (values[i] = array(value.getArrayValue())).length;
                    default -> scalarSize(value);
                };
            }
            valueSizes[i] = valueSize;
            content = (key.length > 0 ? fieldSize(key.length) : 0) + (attribute.hasValue() ? fieldSize(valueSize) : 0);
        }
        kinds[i] = kind;
        contentSizes[i] = content;
        size += fieldSize(content);
    }

    /** Bytes {@link #write} answers for the attributes added so far. */
    int size() {
        return size;
    }

    /** The fields of the attributes added, in order: tag, length and the bytes protobuf writes for each. */
    byte[] write() {
        Writer out = new Writer(size);
        for (int i = 0; i < count; i++) {
            out.varint(fieldTag).varint(contentSizes[i]);
            if (kinds[i] == PROTOBUF) {
                out.raw(values[i]);
                continue;
            }
            KeyValue attribute = attributes[i];
            if (keys[i].length > 0) {
                out.field(KEY, keys[i]);
            }
            if (attribute.hasValue()) {
                out.varint(VALUE).varint(valueSizes[i]);
                switch (kinds[i]) {
                    case TEXT -> out.field(STRING, values[i]);
                    case ARRAY_CONTENT -> out.raw(values[i]);
                    default -> scalar(attribute.getValue(), out);
                }
            }
        }
        return out.bytes;
    }

    private static byte kindOf(AnyValue value) {
        if (!value.getUnknownFields().isEmpty()) {
            return PROTOBUF;
        }
        return switch (value.getValueCase()) {
            case STRING_VALUE -> TEXT;
            case BOOL_VALUE, INT_VALUE, DOUBLE_VALUE, VALUE_NOT_SET -> SCALAR;
            case ARRAY_VALUE -> writable(value.getArrayValue()) ? ARRAY_CONTENT : PROTOBUF;
            default -> PROTOBUF; // maps and bytes
        };
    }

    private static boolean writable(ArrayValue array) {
        if (!array.getUnknownFields().isEmpty()) {
            return false;
        }
        for (int i = 0; i < array.getValuesCount(); i++) {
            if (kindOf(array.getValues(i)) == PROTOBUF) {
                return false;
            }
        }
        return true;
    }

    private static int scalarSize(AnyValue value) {
        return switch (value.getValueCase()) {
            case BOOL_VALUE -> 2;
            case INT_VALUE -> 1 + CodedOutputStream.computeUInt64SizeNoTag(value.getIntValue());
            case DOUBLE_VALUE -> 1 + Long.BYTES;
            default -> 0; // not set: nothing
        };
    }

    private static void scalar(AnyValue value, Writer out) {
        switch (value.getValueCase()) {
            case BOOL_VALUE -> out.varint(BOOL).varint(value.getBoolValue() ? 1 : 0);
            case INT_VALUE -> out.varint(INT).varint(value.getIntValue());
            case DOUBLE_VALUE -> out.varint(DOUBLE).fixed64(Double.doubleToRawLongBits(value.getDoubleValue()));
            default -> { } // not set: nothing
        }
    }

    /**
     * An array's bytes as the content of an {@code AnyValue} (its field 5), written at once: arrays are rare (redaction's
     * list of masked keys), so their values are not sized ahead.
     */
    private byte[] array(ArrayValue array) {
        byte[][] items = new byte[array.getValuesCount()][];
        int content = 0;
        for (int i = 0; i < items.length; i++) {
            AnyValue item = array.getValues(i);
            byte kind = kindOf(item);
            if (kind == TEXT) {
                byte[] text = utf8(item.getStringValue());
                items[i] = new Writer(fieldSize(text.length)).field(STRING, text).bytes;
            } else if (kind == ARRAY_CONTENT) {
                items[i] = array(item.getArrayValue());
            } else {
                Writer out = new Writer(scalarSize(item));
                scalar(item, out);
                items[i] = out.bytes;
            }
            content += fieldSize(items[i].length);
        }
        Writer out = new Writer(fieldSize(content)).varint(ARRAY).varint(content);
        for (byte[] item : items) {
            out.field(ARRAY_VALUES, item);
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
            return varint(tag).varint(b.length).raw(b);
        }

        Writer raw(byte[] b) {
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
     * Keys' UTF-8 bytes, by the key's (cached) hash in {@link TwoWaySlots}, shared by all threads without locks as
     * {@link Strings} is. Keys are names, not secrets; long ones are not kept.
     */
    private static final class Keys {
        private static final int SLOTS = 1024;
        private static final int LONGEST = 128;
        private record Entry(String key, byte[] bytes) {
            boolean isFor(String name) {
                return key == name || key.equals(name);
            }
        }
        private final Entry[] table = new Entry[SLOTS];

        byte[] bytes(String key) {
            int slot = (key.hashCode() ^ key.hashCode() >>> 16) & (SLOTS - 1);
            Entry e = table[slot];
            if (e == null || !e.isFor(key)) {
                e = table[TwoWaySlots.partner(slot)];
            }
            if (e != null && e.isFor(key)) {
                return e.bytes;
            }
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            if (key.length() <= LONGEST) {
                TwoWaySlots.put(table, slot, new Entry(key, bytes));
            }
            return bytes;
        }
    }
}
