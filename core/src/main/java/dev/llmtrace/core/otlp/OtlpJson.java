package dev.llmtrace.core.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Set;

/**
 * OTLP/JSON codec for any OTLP protobuf message, driven by the message descriptors.
 *
 * <p>protobuf's own JsonFormat is wrong for OTLP: it writes trace and span ids as base64 and enums as
 * names. OTLP/JSON (opentelemetry-proto {@code docs/specification.md}) wants:
 * <ul>
 *   <li>lowerCamelCase field names (the proto3 JSON names); the proto names are accepted on input too;
 *   <li>{@code traceId}, {@code spanId}, {@code parentSpanId} as hex strings; other bytes as base64;
 *   <li>enums as integers (names are accepted on input);
 *   <li>64-bit integers written as decimal strings, read from strings <em>or</em> numbers
 *       (OpenRouter sends {@code "intValue": 25});
 *   <li>unknown fields ignored; {@code null} treated as absent.
 * </ul>
 * Jackson's streaming parser and generator do the tokenising; reading goes straight to protobuf bytes
 * ({@link OtlpJsonTranscoder}), writing walks the message.
 */
public final class OtlpJson {

    /** Bytes fields that OTLP/JSON encodes as hex instead of base64. */
    static final Set<String> HEX_ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");

    static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // error messages must not echo payloads
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE) // body size is bounded before we parse
                    .maxNestingDepth(200) // AnyValue may nest; a deeper payload is an attack, not telemetry
                    .build())
            .build();

    /**
     * Nested messages below the request, as protobuf's parser counts them (its default recursion limit):
     * whatever is accepted here parses again as protobuf at the next hop, so nothing answered 200 is
     * refused downstream.
     */
    static final int MAX_MESSAGE_DEPTH = 100;

    private OtlpJson() {}

    /** Parses an OTLP/JSON trace export request. An empty body is an empty request. */
    public static ExportTraceServiceRequest parseTraces(byte[] json) {
        ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
        merge(json, builder);
        return builder.build();
    }

    /**
     * An OTLP/JSON trace export request as protobuf bytes, without building the request: what a receiver
     * hands on. Throws {@link OtlpJsonException} on anything malformed.
     */
    public static byte[] tracesToProtobuf(byte[] json) {
        return OtlpJsonTranscoder.transcode(json, ExportTraceServiceRequest.getDescriptor());
    }

    /** Merges OTLP/JSON into {@code builder}; throws {@link OtlpJsonException} on anything malformed. */
    public static void merge(byte[] json, Message.Builder builder) {
        byte[] wire = OtlpJsonTranscoder.transcode(json, builder.getDescriptorForType());
        try {
            builder.mergeFrom(wire);
        } catch (InvalidProtocolBufferException e) {
            // the transcoder keeps to protobuf's limits, so this is a bug, not bad input
            throw new IllegalStateException("transcoded OTLP/JSON did not parse as protobuf", e);
        }
    }

    /** Writes {@code message} as compact OTLP/JSON. */
    public static byte[] toJson(MessageOrBuilder message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(message, out);
        return out.toByteArray();
    }

    /** Writes {@code message} as compact OTLP/JSON to {@code out} (not closed). */
    public static void write(MessageOrBuilder message, OutputStream out) {
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            writeObject(generator, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- writing ----

    private static void writeObject(JsonGenerator g, MessageOrBuilder message) throws IOException {
        g.writeStartObject();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isRepeated()) {
                int count = message.getRepeatedFieldCount(field);
                if (count == 0) {
                    continue;
                }
                g.writeFieldName(field.getJsonName());
                g.writeStartArray();
                for (int i = 0; i < count; i++) {
                    writeValue(g, field, message.getRepeatedField(field, i));
                }
                g.writeEndArray();
            } else if (message.hasField(field)) { // proto3: false for default scalars, as OTLP/JSON wants
                g.writeFieldName(field.getJsonName());
                writeValue(g, field, message.getField(field));
            }
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, FieldDescriptor field, Object value) throws IOException {
        switch (field.getJavaType()) {
            case MESSAGE -> writeObject(g, (MessageOrBuilder) value);
            case STRING -> g.writeString((String) value);
            case BOOLEAN -> g.writeBoolean((Boolean) value);
            case INT -> {
                int v = (Integer) value;
                if (isUnsigned(field)) {
                    g.writeNumber(Integer.toUnsignedLong(v));
                } else {
                    g.writeNumber(v);
                }
            }
            case LONG -> {
                long v = (Long) value;
                g.writeString(isUnsigned(field) ? Long.toUnsignedString(v) : Long.toString(v));
            }
            case DOUBLE -> writeDouble(g, (Double) value);
            case FLOAT -> writeDouble(g, ((Float) value).doubleValue());
            case BYTE_STRING -> {
                ByteString bytes = (ByteString) value;
                g.writeString(HEX_ID_FIELDS.contains(field.getName())
                        ? Hex.encode(bytes)
                        : Base64.getEncoder().encodeToString(bytes.toByteArray()));
            }
            case ENUM -> g.writeNumber(((EnumValueDescriptor) value).getNumber());
            default -> throw new IllegalStateException("unsupported field type " + field.getType());
        }
    }

    static boolean isUnsigned(FieldDescriptor field) {
        return switch (field.getType()) {
            case UINT32, FIXED32, UINT64, FIXED64 -> true;
            default -> false;
        };
    }

    private static void writeDouble(JsonGenerator g, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeString("NaN");
        } else if (Double.isInfinite(v)) {
            g.writeString(v > 0 ? "Infinity" : "-Infinity");
        } else {
            g.writeNumber(v);
        }
    }
}
