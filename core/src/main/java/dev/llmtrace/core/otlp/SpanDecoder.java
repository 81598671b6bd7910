package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
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
 * builder of each per thread is reused, and keys and short values repeated from span to span come from
 * {@link Strings}. That was a third of what enrich allocated per span, and collecting it most of its GC time.
 * An attribute of any other shape (arrays, maps, bytes, a field given twice, unknown fields) is left to
 * protobuf's parser, as are the span's other fields.
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

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    private static final ThreadLocal<SpanDecoder> PER_THREAD = ThreadLocal.withInitial(SpanDecoder::new);

    private final Span.Builder span = Span.newBuilder();
    private final KeyValue.Builder keyValue = KeyValue.newBuilder();
    private final AnyValue.Builder value = AnyValue.newBuilder();
    /** The span's fields other than its attributes, copied as they came for protobuf to parse. */
    private byte[] rest = new byte[256];

    private SpanDecoder() {}

    static Span parse(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
        return PER_THREAD.get().decode(bytes, offset, length);
    }

    private Span decode(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
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
                    if (size < 0 || size > offset + length - at) {
                        throw new InvalidProtocolBufferException("an attribute runs past the end of its span");
                    }
                    in.skipRawBytes(size);
                    KeyValue kv = keyValue(bytes, at, size);
                    attributes.add(kv != null ? kv : KeyValue.parser().parseFrom(bytes, at, size));
                    continue;
                }
                in.skipField(tag);
                int end = offset + in.getTotalBytesRead();
                if (restLength + end - start > rest.length) {
                    rest = Arrays.copyOf(rest, Math.max(rest.length * 2, restLength + end - start));
                }
                System.arraycopy(bytes, start, rest, restLength, end - start);
                restLength += end - start;
            }
            span.clear().mergeFrom(rest, 0, restLength);
            return span.addAllAttributes(attributes).build();
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        } finally {
            span.clear(); // no span's objects held by this thread after it
        }
    }

    /** The common attribute: a key and one scalar value, each given once; null for anything else. */
    private KeyValue keyValue(byte[] b, int offset, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b, offset, length);
        String key = null;
        AnyValue any = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            if (tag == tag(KEY, WireFormat.WIRETYPE_LENGTH_DELIMITED) && key == null) {
                int size = in.readRawVarint32();
                int at = offset + in.getTotalBytesRead();
                in.skipRawBytes(size); // checks the size
                key = string(b, at, size, LONG_KEY);
            } else if (tag == tag(VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED) && any == null) {
                int size = in.readRawVarint32();
                int at = offset + in.getTotalBytesRead();
                in.skipRawBytes(size);
                any = scalar(b, at, size);
                if (any == null) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (key == null || any == null) {
            return null;
        }
        return keyValue.clear().setKey(key).setValue(any).build();
    }

    private AnyValue scalar(byte[] b, int offset, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b, offset, length);
        int tag = in.readTag();
        AnyValue.Builder v = value.clear();
        if (tag == tag(STRING, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
            int size = in.readRawVarint32();
            int at = offset + in.getTotalBytesRead();
            in.skipRawBytes(size);
            v.setStringValue(string(b, at, size, SHORT_VALUE));
        } else if (tag == tag(BOOL, WireFormat.WIRETYPE_VARINT)) {
            v.setBoolValue(in.readBool());
        } else if (tag == tag(INT, WireFormat.WIRETYPE_VARINT)) {
            v.setIntValue(in.readInt64());
        } else if (tag == tag(DOUBLE, WireFormat.WIRETYPE_FIXED64)) {
            v.setDoubleValue(in.readDouble());
        } else {
            return null;
        }
        return in.isAtEnd() ? v.build() : null;
    }

    /** A string field, checked as protobuf checks it; from {@link Strings} when at most {@code reuseUpTo} bytes. */
    private static String string(byte[] b, int offset, int length, int reuseUpTo) throws InvalidProtocolBufferException {
        String s = length <= reuseUpTo ? Strings.cached(b, offset, length) : null;
        if (s != null) {
            return s;
        }
        if (!Utf8.isValid(b, offset, length)) {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
        s = new String(b, offset, length, StandardCharsets.UTF_8);
        if (length <= reuseUpTo) {
            Strings.remember(s, b, offset, length);
        }
        return s;
    }
}
