package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a serialized {@code ExportTraceServiceRequest} on the wire, without building it: the walk is
 * guided by the messages' descriptors, checks every string field as protobuf's parser does (UTF-8),
 * applies {@link TraceValidator}'s id rules to every span and counts the spans. A hop that has nothing
 * to change can then pass the bytes on as they came, instead of parsing thousands of objects and
 * serializing them again. Anything unusual (malformed, invalid span, too deep) answers "not clean",
 * and the caller takes the full parse, which produces the precise error or partial success.
 */
public final class OtlpWire {
    /** The parser's default recursion limit. */
    private static final int MAX_DEPTH = 100;
    private static final int NOT_CLEAN = -1;
    private static final Descriptor SPAN = Span.getDescriptor();
    private static final Layout REQUEST = Layout.tree(ExportTraceServiceRequest.getDescriptor());

    private OtlpWire() {}

    /**
     * The number of spans when {@code request} parses and every span passes {@link TraceValidator};
     * -1 otherwise.
     */
    public static int cleanSpanCount(byte[] request) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(request);
            Walk walk = new Walk(request, in);
            return walk.message(REQUEST, 0, request.length) ? walk.spans : NOT_CLEAN;
        } catch (IOException | RuntimeException e) {
            return NOT_CLEAN;
        }
    }

    /**
     * For each field number of one message type: what a length-delimited value of it is. Built once for
     * the whole tree of message types, linked directly, so the walk does no lookups.
     */
    private static final class Layout {
        final Descriptor type;
        Layout[] messages; // non-null: a message field, of that layout
        boolean[] strings;

        private Layout(Descriptor type) {
            this.type = type;
        }

        static Layout tree(Descriptor root) {
            Map<Descriptor, Layout> built = new HashMap<>();
            Layout layout = build(root, built);
            return layout;
        }

        private static Layout build(Descriptor type, Map<Descriptor, Layout> built) {
            Layout existing = built.get(type);
            if (existing != null) {
                return existing; // recursive types (AnyValue) link back
            }
            Layout layout = new Layout(type);
            built.put(type, layout);
            int max = 0;
            for (FieldDescriptor f : type.getFields()) {
                max = Math.max(max, f.getNumber());
            }
            layout.messages = new Layout[max + 1];
            layout.strings = new boolean[max + 1];
            for (FieldDescriptor f : type.getFields()) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    layout.messages[f.getNumber()] = build(f.getMessageType(), built);
                } else if (f.getType() == FieldDescriptor.Type.STRING) {
                    layout.strings[f.getNumber()] = true;
                }
            }
            return layout;
        }
    }

    private static final class Walk {
        final byte[] bytes;
        final CodedInputStream in;
        int spans;

        Walk(byte[] bytes, CodedInputStream in) {
            this.bytes = bytes;
            this.in = in;
        }

        /** Walks the fields of one message, which ends at offset {@code end}; false when something is not clean. */
        boolean message(Layout layout, int depth, int end) throws IOException {
            if (depth > MAX_DEPTH) {
                return false;
            }
            boolean span = layout.type == SPAN;
            int traceId = -1;
            int spanId = -1;
            int parentSpanId = 0;
            int traceIdAt = 0;
            int spanIdAt = 0;
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int number = WireFormat.getTagFieldNumber(tag);
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED || number >= layout.strings.length) {
                    if (!in.skipField(tag)) {
                        return false; // an end-group tag where none belongs
                    }
                    continue;
                }
                int length = in.readRawVarint32();
                int at = in.getTotalBytesRead();
                if (length < 0 || length > end - at) {
                    return false;
                }
                if (span && number <= 4) { // trace_id 1, span_id 2, parent_span_id 4; the last one counts, as when parsing
                    if (number == 1) {
                        traceId = length;
                        traceIdAt = at;
                    } else if (number == 2) {
                        spanId = length;
                        spanIdAt = at;
                    } else if (number == 4) {
                        parentSpanId = length;
                    }
                }
                Layout nested = layout.messages[number];
                if (nested != null) {
                    int old = in.pushLimit(length);
                    if (!message(nested, depth + 1, at + length)) {
                        return false;
                    }
                    in.popLimit(old);
                } else {
                    if (layout.strings[number] && !Utf8.isValid(bytes, at, length)) {
                        return false;
                    }
                    in.skipRawBytes(length);
                }
            }
            if (span) {
                if (!nonZeroId(traceIdAt, traceId, 16) || !nonZeroId(spanIdAt, spanId, 8) || (parentSpanId != 0 && parentSpanId != 8)) {
                    return false;
                }
                spans++;
            }
            return true;
        }

        private boolean nonZeroId(int at, int length, int expected) {
            if (length != expected) {
                return false;
            }
            for (int i = at; i < at + length; i++) {
                if (bytes[i] != 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
