package dev.llmtrace.core.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.WireFormat;
import dev.llmtrace.core.SpanProcessor;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link SpanProcessor} over a serialized {@code ExportTraceServiceRequest} span by span: the request's
 * frame (resource spans, scope spans) is walked on the wire, each span parsed on its own, processed and written
 * while its objects are still in the cache, and what a step left unchanged is copied as it came (a span whose
 * attributes alone changed: its bytes with those attributes written anew, see {@link AttributeEdits}). Parsing a whole
 * batch first built more objects than the cache holds, and each later pass (steps, privacy, serialization) fetched
 * them from memory again; it also held the whole parsed batch at once. The result parses to what
 * {@link SpanProcessor#process} answers for the parsed request.
 */
public final class SpanStream {
    private static final int RESOURCE_SPANS = 1;
    private static final int RESOURCE = 1;
    private static final int SCOPE_SPANS = 2;
    private static final int SCOPE = 1;
    private static final int SPANS = 2;
    private static final int SCHEMA_URL = 3;

    private SpanStream() {}

    /** The processed request and how many spans it holds. */
    public record Result(byte[] bytes, int spans) {}

    /**
     * A request this walk leaves to the whole-request path: a resource or scope given twice in one message, which
     * protobuf merges into one.
     */
    public static final class NotStreamable extends Exception {
        NotStreamable(String why) {
            super(why, null, false, false);
        }
    }

    public static Result process(byte[] request, SpanProcessor steps, String tenant) throws InvalidProtocolBufferException, NotStreamable {
        return process(request, steps, tenant, false);
    }

    /**
     * As {@link #process(byte[], SpanProcessor, String)}; {@code utf8Checked}: the stage that received the request
     * in this process checked every string in it as UTF-8, so the attributes' strings are decoded without a second
     * check (invalid bytes would decode as U+FFFD instead of failing the request).
     */
    public static Result process(byte[] request, SpanProcessor steps, String tenant, boolean utf8Checked)
            throws InvalidProtocolBufferException, NotStreamable {
        Walk walk = new Walk(request, steps, tenant, utf8Checked);
        try {
            Part.Nested root = walk.message(0, 0, request.length, Walk.Level.REQUEST);
            byte[] out = new byte[root.contentSize()];
            CodedOutputStream writer = CodedOutputStream.newInstance(out);
            root.writeContent(writer);
            writer.checkNoSpaceLeft();
            return new Result(out, walk.spans);
        } catch (InvalidProtocolBufferException | NotStreamable e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    /** The walk over one request: each message of the frame becomes parts, the spans in it processed. */
    private static final class Walk {
        enum Level { REQUEST, RESOURCE_SPANS, SCOPE_SPANS }

        final byte[] bytes;
        final SpanProcessor steps;
        final String tenant;
        final boolean utf8Checked;
        /** The attributes' places in the span decoded last: a replaced one is written over its bytes. */
        final AttributeBounds bounds = new AttributeBounds();
        int spans;

        Walk(byte[] bytes, SpanProcessor steps, String tenant, boolean utf8Checked) {
            this.bytes = bytes;
            this.steps = steps;
            this.tenant = tenant;
            this.utf8Checked = utf8Checked;
        }

        /** The fields of one message of the frame (field {@code number} of its parent), between {@code from} and {@code to}, as parts. */
        Part.Nested message(int field, int from, int to, Level level) throws IOException, NotStreamable {
            CodedInputStream in = CodedInputStream.newInstance(bytes, from, to - from);
            List<Part> parts = new ArrayList<>();
            boolean singularSeen = false;
            while (true) {
                int start = from + in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int number = WireFormat.getTagFieldNumber(tag);
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    in.skipField(tag);
                    parts.add(new Part.Raw(bytes, start, from + in.getTotalBytesRead() - start)); // unknown: kept as it came
                    continue;
                }
                int length = in.readRawVarint32();
                int at = from + in.getTotalBytesRead();
                if (length < 0 || length > to - at) {
                    throw new InvalidProtocolBufferException("a length runs past the end of its message");
                }
                in.skipRawBytes(length);
                Part raw = new Part.Raw(bytes, start, at + length - start);
                Part part = switch (level) {
                    case REQUEST -> number == RESOURCE_SPANS ? message(number, at, at + length, Level.RESOURCE_SPANS) : raw;
                    case RESOURCE_SPANS -> switch (number) {
                        case RESOURCE -> {
                            singularSeen = once(singularSeen, "resource");
                            Resource resource = Resource.parser().parseFrom(bytes, at, length);
                            Resource after = steps.resource(resource, tenant);
                            yield after == resource ? raw : new Part.Message(number, after);
                        }
                        case SCOPE_SPANS -> message(number, at, at + length, Level.SCOPE_SPANS);
                        default -> checkedString(number, at, length, raw);
                    };
                    case SCOPE_SPANS -> switch (number) {
                        case SCOPE -> {
                            singularSeen = once(singularSeen, "scope");
                            InstrumentationScope scope = InstrumentationScope.parser().parseFrom(bytes, at, length);
                            InstrumentationScope after = steps.scope(scope, tenant);
                            yield after == scope ? raw : new Part.Message(number, after);
                        }
                        case SPANS -> {
                            spans++;
                            Span span = SpanDecoder.parse(bytes, at, length, bounds, utf8Checked);
                            Span after = steps.span(span, tenant);
                            if (after == span) {
                                yield raw;
                            }
                            List<KeyValue> attributes = AttributeEdits.of(span, after);
                            yield attributes == null ? new Part.Message(number, after)
                                    : new Part.Edited(number, bytes, at, length, span.getAttributesList(), attributes, bounds);
                        }
                        default -> checkedString(number, at, length, raw);
                    };
                };
                parts.add(part);
            }
            return new Part.Nested(field, parts);
        }

        /** schema_url is the one string of the frame: checked as parsing would check it, then copied. */
        private Part checkedString(int number, int at, int length, Part raw) throws InvalidProtocolBufferException {
            if (number == SCHEMA_URL && !Utf8.isValid(bytes, at, length)) {
                throw new InvalidProtocolBufferException("schema_url is not valid UTF-8");
            }
            return raw;
        }

        private static boolean once(boolean seen, String what) throws NotStreamable {
            if (seen) {
                throw new NotStreamable(what + " given twice");
            }
            return true;
        }
    }

    /** A piece of the output: bytes copied as they came, a processed message, a span with attributes edited, or a message made of parts. */
    private sealed interface Part {
        /** Bytes written, tag and length included. */
        int size();

        void write(CodedOutputStream out) throws IOException;

        record Raw(byte[] bytes, int offset, int length) implements Part {
            @Override
            public int size() {
                return length;
            }

            @Override
            public void write(CodedOutputStream out) throws IOException {
                out.writeRawBytes(bytes, offset, length);
            }
        }

        record Message(int number, MessageLite message) implements Part {
            @Override
            public int size() {
                return CodedOutputStream.computeMessageSize(number, message);
            }

            @Override
            public void write(CodedOutputStream out) throws IOException {
                out.writeMessage(number, message);
            }
        }

        /**
         * A span's bytes as they came, but for its attributes (field 9): one that is not the same object as before is
         * written anew in its place, and those beyond the ones it had are appended; both encoded by {@link AttributeBytes}.
         */
        final class Edited implements Part {
            final int number;
            final byte[] bytes;
            final int offset;
            final int length;
            /** For each replaced attribute, in order: where its field starts and ends in {@code bytes}. */
            final int[] replaced;
            /** The replaced attributes, then the appended ones, sized and written by the encoder. */
            final AttributeBytes fresh;
            final int contentSize;

            /**
             * {@code bounds}: where each of {@code was} is in {@code bytes}, as the decoder found them (only a field 9 of
             * the length-delimited wire type is an attribute; protobuf keeps one of another type as an unknown field).
             */
            Edited(int number, byte[] bytes, int offset, int length, List<KeyValue> was, List<KeyValue> is, AttributeBounds bounds) {
                int had = was.size();
                if (bounds.count() != had) {
                    throw new IllegalStateException("the attributes' places are not this span's");
                }
                this.number = number;
                this.bytes = bytes;
                this.offset = offset;
                this.length = length;
                int changes = 0;
                for (int i = 0; i < had; i++) {
                    changes += was.get(i) == is.get(i) ? 0 : 1;
                }
                replaced = new int[changes * 2];
                fresh = new AttributeBytes(Span.ATTRIBUTES_FIELD_NUMBER, changes + is.size() - had);
                int size = length;
                for (int attribute = 0, r = 0; r < changes; attribute++) {
                    KeyValue now = is.get(attribute);
                    if (was.get(attribute) != now) {
                        replaced[2 * r] = bounds.start(attribute);
                        replaced[2 * r + 1] = bounds.end(attribute);
                        size -= bounds.end(attribute) - bounds.start(attribute);
                        fresh.add(now);
                        r++;
                    }
                }
                for (int i = had; i < is.size(); i++) {
                    fresh.add(is.get(i));
                }
                this.contentSize = size + fresh.size();
            }

            @Override
            public int size() {
                return CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(contentSize) + contentSize;
            }

            @Override
            public void write(CodedOutputStream out) throws IOException {
                out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(contentSize);
                int copied = offset;
                int r = 0;
                for (; r < replaced.length / 2; r++) {
                    out.writeRawBytes(bytes, copied, replaced[2 * r] - copied);
                    fresh.write(r, r + 1, out);
                    copied = replaced[2 * r + 1];
                }
                out.writeRawBytes(bytes, copied, offset + length - copied);
                fresh.write(r, fresh.count(), out);
            }
        }

        final class Nested implements Part {
            final int number;
            final List<Part> parts;
            private int contentSize = -1;

            Nested(int number, List<Part> parts) {
                this.number = number;
                this.parts = parts;
            }

            int contentSize() {
                if (contentSize < 0) {
                    int n = 0;
                    for (Part part : parts) {
                        n += part.size();
                    }
                    contentSize = n;
                }
                return contentSize;
            }

            @Override
            public int size() {
                return CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(contentSize()) + contentSize();
            }

            @Override
            public void write(CodedOutputStream out) throws IOException {
                out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(contentSize());
                writeContent(out);
            }

            void writeContent(CodedOutputStream out) throws IOException {
                for (Part part : parts) {
                    part.write(out);
                }
            }
        }
    }
}
