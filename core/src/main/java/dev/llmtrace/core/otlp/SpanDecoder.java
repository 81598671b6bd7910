package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.llmtrace.core.privacy.Redactor;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses one serialized span as {@code Span.parser()} does, with less garbage: its attributes, nearly all of a
 * span's objects, are read here. Protobuf's parser builds each {@code KeyValue} through a fresh builder, a
 * builder for its value, a field builder linking the two and a parent, and decodes every key anew; here one
 * builder of each per thread is reused, keys and short values repeated from span to span come from
 * {@link Strings}, and a short attribute whose bytes recur is the object decoded last time
 * ({@link RecentAttributes}). That was a third of what enrich allocated per span, and collecting it most of its GC time.
 * An attribute of any other shape (arrays, maps, bytes, a field given twice, unknown fields) or with anything wrong
 * (invalid UTF-8, a length past its end) is left to protobuf's parser, as are the span's other fields: its answers
 * and its errors stay protobuf's.
 */
final class SpanDecoder {
    private static final int ATTRIBUTES = Span.ATTRIBUTES_FIELD_NUMBER;
    private static final int KEY = KeyValue.KEY_FIELD_NUMBER;
    private static final int VALUE = KeyValue.VALUE_FIELD_NUMBER;
    private static final int STRING = AnyValue.STRING_VALUE_FIELD_NUMBER;
    private static final int BOOL = AnyValue.BOOL_VALUE_FIELD_NUMBER;
    private static final int INT = AnyValue.INT_VALUE_FIELD_NUMBER;
    private static final int DOUBLE = AnyValue.DOUBLE_VALUE_FIELD_NUMBER;
    /** Values up to this long (model names, providers, finish reasons …) repeat from span to span. */
    private static final int SHORT_VALUE = 32;
    /** Keys longer than this are not kept for reuse (the table holds what it keeps until replaced). */
    private static final int LONG_KEY = 128;

    /** A copy buffer grown past this (a span of large events) is let go after the span. */
    private static final int REST_KEPT = 1 << 16;
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<SpanDecoder> PER_THREAD = ThreadLocal.withInitial(SpanDecoder::new);

    private final Span.Builder span = Span.newBuilder();
    private final KeyValue.Builder keyValue = KeyValue.newBuilder();
    private final AnyValue.Builder value = AnyValue.newBuilder();
    /** The span's fields other than its attributes, copied as they came for protobuf to parse. */
    private byte[] rest = new byte[256];

    private SpanDecoder() {}

    static Span parse(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
        return parse(bytes, offset, length, new AttributeBounds(), false);
    }

    /**
     * As {@link #parse(byte[], int, int)}, recording in {@code bounds} where each attribute is; {@code utf8Checked}:
     * the bytes' strings were checked as UTF-8 already (by ingest, in this process), so they are not checked again.
     */
    static Span parse(byte[] bytes, int offset, int length, AttributeBounds bounds, boolean utf8Checked)
            throws InvalidProtocolBufferException {
        SpanDecoder decoder = PER_THREAD.get();
        decoder.utf8Checked = utf8Checked;
        return decoder.decode(bytes, offset, length, bounds);
    }

    private Span decode(byte[] bytes, int offset, int length, AttributeBounds bounds) throws InvalidProtocolBufferException {
        bounds.clear();
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
            List<KeyValue> attributes = new ArrayList<>(32);
            int restLength = 0;
            while (true) {
                int start = offset + in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (tag == tag(ATTRIBUTES, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    int size = in.readRawVarint32();
                    int at = offset + in.getTotalBytesRead();
                    in.skipRawBytes(size); // refuses a size past the end, or negative, as protobuf's parser does
                    attributes.add(attribute(bytes, at, size));
                    bounds.add(start, at + size);
                    continue;
                }
                in.skipField(tag);
                int fieldEnd = offset + in.getTotalBytesRead();
                if (restLength + fieldEnd - start > rest.length) {
                    rest = Arrays.copyOf(rest, Math.max(rest.length * 2, restLength + fieldEnd - start));
                }
                System.arraycopy(bytes, start, rest, restLength, fieldEnd - start);
                restLength += fieldEnd - start;
            }
            span.mergeFrom(rest, 0, restLength); // cleared after every span (finally)
            return span.addAllAttributes(attributes).build();
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        } finally {
            span.clear(); // no span's objects (or request bytes) held by this thread after it
            b = null;
            rest = rest.length > REST_KEPT ? new byte[256] : rest;
        }
    }

    /** One attribute: the same object as last time when its bytes recur ({@link RecentAttributes}), else decoded. */
    private KeyValue attribute(byte[] bytes, int at, int size) throws InvalidProtocolBufferException {
        boolean small = size <= RecentAttributes.MAX_BYTES;
        KeyValue kv = small ? RecentAttributes.find(bytes, at, size) : null;
        if (kv != null) {
            return kv;
        }
        kv = keyValue(bytes, at, size);
        if (kv == null) {
            return KeyValue.parser().parseFrom(bytes, at, size);
        }
        // kept only with a value as short as Strings keeps and without a secret's tell-tale: the table keeps what it
        // holds until replaced, and must not hold on to a secret that privacy masks further down the pipeline (most
        // keys and tokens are longer, but an AWS access key id is 20 characters)
        String value = kv.getValue().getStringValue();
        if (small && value.length() <= SHORT_VALUE && !Redactor.mayHoldSecret(value)) {
            RecentAttributes.remember(kv, bytes, at, size);
        }
        return kv;
    }

    /*
     * A cursor over one attribute's bytes: read by hand, since a CodedInputStream for each attribute and its value
     * cost as much as the objects saved. Anything unexpected (an odd tag, a varint or length past the end, invalid
     * UTF-8) answers null, and protobuf's parser then reads the attribute and reports what is wrong as it would.
     */
    private byte[] b;
    private int pos;
    private int end;
    /** Set by {@link #varint} when the last one read ran past the end or was longer than ten bytes. */
    private boolean malformed;
    /** The span's strings were checked as UTF-8 before it came here. */
    private boolean utf8Checked;

    /** The common attribute: a key and one scalar value, each given once; null for anything else. */
    private KeyValue keyValue(byte[] bytes, int offset, int length) {
        b = bytes;
        pos = offset;
        int attributeEnd = end = offset + length;
        String key = null;
        AnyValue any = null;
        while (pos < attributeEnd) {
            long tag = varint();
            int size = tag < 0 ? -1 : length();
            if (size < 0) {
                return null;
            }
            int at = pos;
            if (tag == tag(KEY, WireFormat.WIRETYPE_LENGTH_DELIMITED) && key == null) {
                key = string(at, size, LONG_KEY);
                if (key == null) {
                    return null;
                }
            } else if (tag == tag(VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED) && any == null) {
                any = scalar(at, at + size);
                if (any == null) {
                    return null;
                }
                end = attributeEnd;
            } else {
                return null;
            }
            pos = at + size;
        }
        if (key == null || any == null) {
            return null;
        }
        return keyValue.clear().setKey(key).setValue(any).build();
    }

    /** A value holding one string, bool, int or double, and nothing else; null otherwise. */
    private AnyValue scalar(int from, int to) {
        pos = from;
        end = to;
        long tag = varint();
        AnyValue.Builder v = value.clear();
        if (tag == tag(STRING, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            int size = length();
            String s = size < 0 ? null : string(pos, size, SHORT_VALUE);
            if (s == null) {
                return null;
            }
            v.setStringValue(s);
            pos += size;
        } else if (tag == tag(BOOL, WireFormat.WIRETYPE_VARINT)) {
            long x = varint();
            v.setBoolValue(x != 0);
        } else if (tag == tag(INT, WireFormat.WIRETYPE_VARINT)) {
            v.setIntValue(varint()); // as protobuf reads an int64: all ten bytes of a negative one
        } else if (tag == tag(DOUBLE, WireFormat.WIRETYPE_FIXED64) && to - pos >= 8) {
            v.setDoubleValue(Double.longBitsToDouble((long) LONGS.get(b, pos)));
            pos += 8;
        } else {
            return null;
        }
        return pos == to && !malformed ? v.build() : null;
    }

    /** The varint at the cursor, as protobuf reads one (up to ten bytes); -1 and {@code malformed} when it runs past the end or is longer. */
    private long varint() {
        malformed = false;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                break;
            }
            byte x = b[pos++];
            result |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return result;
            }
        }
        malformed = true;
        return -1;
    }

    /** A length at the cursor that fits in what is left; -1 otherwise. */
    private int length() {
        long n = varint();
        return malformed || n < 0 || n > end - pos ? -1 : (int) n;
    }

    /** A valid UTF-8 string field (null otherwise); from {@link Strings} when at most {@code reuseUpTo} bytes. */
    private String string(int offset, int length, int reuseUpTo) {
        String s = length <= reuseUpTo ? Strings.cached(b, offset, length) : null;
        if (s != null) {
            return s;
        }
        if (!utf8Checked && !Utf8.isValid(b, offset, length)) {
            return null;
        }
        s = new String(b, offset, length, StandardCharsets.UTF_8);
        if (length <= reuseUpTo && !Redactor.mayHoldSecret(s)) { // as for whole attributes (above)
            Strings.remember(s, b, offset, length);
        }
        return s;
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }
}
