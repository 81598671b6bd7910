package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the fields of the attributes a span is given anew ({@link SpanStream}'s edited spans: the dozens enrich
 * appends and the prompt it masks), sized when added and written later straight into the output. Protobuf's
 * serializer walks each string char by char twice, once to size it and once to encode it, a tenth of enrich's CPU;
 * here a text is encoded once by {@code String.getBytes}, which copies an ASCII string in one vectorized step, keys'
 * bytes are kept from span to span, and a text given twice in one span (the prompt and its {@code input.value} copy,
 * the same object, when enrich is asked for the copies) is encoded once. The common shapes are written here, a key with a scalar value or an array of them
 * (redaction's list of masked keys); any other (maps, bytes, unknown fields) is protobuf's to write. The bytes are the
 * ones protobuf writes.
 */
final class AttributeBytes {
    private static final int KEY = KeyValue.KEY_FIELD_NUMBER;
    private static final int VALUE = KeyValue.VALUE_FIELD_NUMBER;
    private static final int STRING = AnyValue.STRING_VALUE_FIELD_NUMBER;
    private static final int ARRAY = AnyValue.ARRAY_VALUE_FIELD_NUMBER;
    /** Keys come back in every span (and enrich's are constants): their bytes are kept, not encoded each time. */
    private static final Keys KEYS = new Keys();
    /** Texts this long or longer are looked for among the span's earlier ones (the prompt and completion copies). */
    private static final int WORTH_REUSING = 64;
    /** How an attribute's value is written: from the bytes kept for it, or protobuf's bytes of the whole attribute. */
    private static final byte SCALAR = 0;
    private static final byte TEXT = 1;
    private static final byte ARRAY_CONTENT = 2;
    private static final byte PROTOBUF = 3;

    private final int field;
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
        this.field = field;
        attributes = new KeyValue[capacity];
        kinds = new byte[capacity];
        keys = new byte[capacity][];
        values = new byte[capacity][];
        valueSizes = new int[capacity];
        contentSizes = new int[capacity];
    }

    /** Adds {@code attribute} as the next of those {@link #write} writes, and sizes its field. */
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
            content = key.length > 0 ? CodedOutputStream.computeByteArraySize(KEY, key) : 0;
            if (attribute.hasValue()) {
                AnyValue value = attribute.getValue();
                int valueSize = switch (kind) {
                    case TEXT -> CodedOutputStream.computeByteArraySize(STRING, values[i] = utf8(value.getStringValue()));
                    case ARRAY_CONTENT -> (values[i] = array(value.getArrayValue())).length;
                    default -> scalarSize(value);
                };
                valueSizes[i] = valueSize;
                content += CodedOutputStream.computeTagSize(VALUE) + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize;
            }
        }
        kinds[i] = kind;
        contentSizes[i] = content;
        size += CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(content) + content;
    }

    /** Bytes the fields of the attributes added so far take. */
    int size() {
        return size;
    }

    /** The fields of the attributes added from the {@code from}-th up to (not including) the {@code to}-th, in order. */
    void write(int from, int to, CodedOutputStream out) throws IOException {
        for (int i = from; i < to; i++) {
            out.writeTag(field, 2);
            out.writeUInt32NoTag(contentSizes[i]);
            if (kinds[i] == PROTOBUF) {
                out.writeRawBytes(values[i]);
                continue;
            }
            if (keys[i].length > 0) {
                out.writeByteArray(KEY, keys[i]);
            }
            KeyValue attribute = attributes[i];
            if (attribute.hasValue()) {
                out.writeTag(VALUE, 2);
                out.writeUInt32NoTag(valueSizes[i]);
                switch (kinds[i]) {
                    case TEXT -> out.writeByteArray(STRING, values[i]);
                    case ARRAY_CONTENT -> out.writeRawBytes(values[i]);
                    default -> scalar(attribute.getValue(), out);
                }
            }
        }
    }

    /** How many attributes were added. */
    int count() {
        return count;
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
            case BOOL_VALUE -> CodedOutputStream.computeBoolSize(AnyValue.BOOL_VALUE_FIELD_NUMBER, value.getBoolValue());
            case INT_VALUE -> CodedOutputStream.computeInt64Size(AnyValue.INT_VALUE_FIELD_NUMBER, value.getIntValue());
            case DOUBLE_VALUE -> CodedOutputStream.computeDoubleSize(AnyValue.DOUBLE_VALUE_FIELD_NUMBER, value.getDoubleValue());
            default -> 0; // not set: nothing
        };
    }

    private static void scalar(AnyValue value, CodedOutputStream out) throws IOException {
        switch (value.getValueCase()) {
            case BOOL_VALUE -> out.writeBool(AnyValue.BOOL_VALUE_FIELD_NUMBER, value.getBoolValue());
            case INT_VALUE -> out.writeInt64(AnyValue.INT_VALUE_FIELD_NUMBER, value.getIntValue());
            case DOUBLE_VALUE -> out.writeDouble(AnyValue.DOUBLE_VALUE_FIELD_NUMBER, value.getDoubleValue());
            default -> { } // not set: nothing
        }
    }

    /**
     * An array as the content of an {@code AnyValue} (its field 5), written at once: arrays are rare (redaction's list
     * of masked keys), so their values are not sized ahead.
     */
    private byte[] array(ArrayValue array) {
        byte[][] items = new byte[array.getValuesCount()][];
        int content = 0;
        for (int i = 0; i < items.length; i++) {
            AnyValue item = array.getValues(i);
            byte kind = kindOf(item);
            if (kind == ARRAY_CONTENT) {
                items[i] = array(item.getArrayValue());
            } else {
                byte[] text = kind == TEXT ? utf8(item.getStringValue()) : null;
                items[i] = written(text != null ? CodedOutputStream.computeByteArraySize(STRING, text) : scalarSize(item), out -> {
                    if (text != null) {
                        out.writeByteArray(STRING, text);
                    } else {
                        scalar(item, out);
                    }
                });
            }
            content += CodedOutputStream.computeByteArraySize(ArrayValue.VALUES_FIELD_NUMBER, items[i]);
        }
        int arrayContent = content;
        return written(CodedOutputStream.computeTagSize(ARRAY) + CodedOutputStream.computeUInt32SizeNoTag(content) + content, out -> {
            out.writeTag(ARRAY, 2);
            out.writeUInt32NoTag(arrayContent);
            for (byte[] item : items) {
                out.writeByteArray(ArrayValue.VALUES_FIELD_NUMBER, item);
            }
        });
    }

    private interface Writing {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] written(int size, Writing writing) {
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            writing.to(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("an attribute's size was computed wrong", e);
        }
        return bytes;
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

    /**
     * Keys' UTF-8 bytes, by the key's (cached) hash in {@link TwoWaySlots}, shared by all threads without locks as
     * {@link Strings} is. Keys are names, not secrets; long ones are not kept.
     */
    private static final class Keys {
        private static final int SLOTS = 1024;
        private static final int LONGEST = 128;

        private record Entry(String key, byte[] bytes) implements TwoWaySlots.ByKey {}

        private final Entry[] table = new Entry[SLOTS];

        byte[] bytes(String key) {
            int slot = (key.hashCode() ^ key.hashCode() >>> 16) & (SLOTS - 1);
            Entry e = TwoWaySlots.find(table, slot, key);
            if (e != null) {
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
