package dev.llmtrace.core.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * Jackson's streaming parser and generator do the tokenising; this class only maps tokens to fields.
 */
public final class OtlpJson {

    /** Bytes fields that OTLP/JSON encodes as hex instead of base64. */
    private static final Set<String> HEX_ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");

    private static final JsonFactory FACTORY = JsonFactory.builder()
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

    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS_BY_NAME = new ConcurrentHashMap<>();

    private OtlpJson() {}

    /** Parses an OTLP/JSON trace export request. An empty body is an empty request. */
    public static ExportTraceServiceRequest parseTraces(byte[] json) {
        ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
        merge(json, builder);
        return builder.build();
    }

    /** Merges OTLP/JSON into {@code builder}; throws {@link OtlpJsonException} on anything malformed. */
    public static void merge(byte[] json, Message.Builder builder) {
        if (isBlank(json)) {
            return;
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw error(parser, "expected a JSON object");
            }
            mergeObject(parser, builder, 0);
            if (parser.nextToken() != null) {
                throw error(parser, "unexpected content after the top-level object");
            }
        } catch (JsonProcessingException e) {
            // a constraint (nesting, say) can be reported with no location
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new OtlpJsonException("malformed JSON: " + firstClause(e.getOriginalMessage()) + where);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    // ---- reading ----

    private static void mergeObject(JsonParser p, Message.Builder builder, int depth) throws IOException {
        if (depth > MAX_MESSAGE_DEPTH) {
            throw error(p, "messages nest deeper than " + MAX_MESSAGE_DEPTH + " levels (protobuf's limit)");
        }
        Map<String, FieldDescriptor> fields = fieldsByName(builder.getDescriptorForType());
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            FieldDescriptor field = fields.get(p.currentName());
            JsonToken value = p.nextToken();
            if (field == null || value == JsonToken.VALUE_NULL || field.isMapField()) {
                p.skipChildren(); // unknown fields MUST be ignored
                continue;
            }
            if (field.isRepeated()) {
                if (value != JsonToken.START_ARRAY) {
                    throw error(p, "expected an array");
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == JsonToken.VALUE_NULL) {
                        throw error(p, "null is not allowed in an array");
                    }
                    builder.addRepeatedField(field, readValue(p, builder, field, depth));
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (value != JsonToken.START_OBJECT) {
                    throw error(p, "expected an object");
                }
                mergeObject(p, builder.getFieldBuilder(field), depth + 1);
            } else {
                builder.setField(field, readValue(p, builder, field, depth));
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw error(p, "expected a field name");
        }
    }

    private static Object readValue(JsonParser p, Message.Builder parent, FieldDescriptor field, int depth) throws IOException {
        switch (field.getJavaType()) {
            case MESSAGE -> {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw error(p, "expected an object");
                }
                Message.Builder child = parent.newBuilderForField(field);
                mergeObject(p, child, depth + 1);
                return child.build();
            }
            case STRING -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw error(p, "expected a string");
                }
                return p.getText();
            }
            case BOOLEAN -> {
                return switch (p.currentToken()) {
                    case VALUE_TRUE -> true;
                    case VALUE_FALSE -> false;
                    case VALUE_STRING -> parseBooleanString(p);
                    default -> throw error(p, "expected true or false");
                };
            }
            case INT -> {
                long v = readInteger(p, isUnsigned(field) ? 0 : Integer.MIN_VALUE,
                        isUnsigned(field) ? 0xFFFF_FFFFL : Integer.MAX_VALUE);
                return (int) v;
            }
            case LONG -> {
                return readLong(p, isUnsigned(field));
            }
            case DOUBLE -> {
                return readDouble(p);
            }
            case FLOAT -> {
                return (float) readDouble(p);
            }
            case BYTE_STRING -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw error(p, "expected a string");
                }
                return HEX_ID_FIELDS.contains(field.getName()) ? hexToBytes(p) : base64ToBytes(p);
            }
            case ENUM -> {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    EnumValueDescriptor named = field.getEnumType().findValueByName(p.getText());
                    if (named == null) {
                        throw error(p, "unknown enum value name");
                    }
                    return named;
                }
                int number = (int) readInteger(p, Integer.MIN_VALUE, Integer.MAX_VALUE);
                return field.getEnumType().findValueByNumberCreatingIfUnknown(number);
            }
            default -> throw error(p, "unsupported field type");
        }
    }

    private static boolean parseBooleanString(JsonParser p) throws IOException {
        String text = p.getText();
        if ("true".equals(text)) {
            return true;
        }
        if ("false".equals(text)) {
            return false;
        }
        throw error(p, "expected true or false");
    }

    private static boolean isUnsigned(FieldDescriptor field) {
        return switch (field.getType()) {
            case UINT32, FIXED32, UINT64, FIXED64 -> true;
            default -> false;
        };
    }

    private static long readInteger(JsonParser p, long min, long max) throws IOException {
        long value = readLong(p, false);
        if (value < min || value > max) {
            throw error(p, "integer out of range");
        }
        return value;
    }

    /** Reads a 64-bit integer from a JSON number or a decimal string; unsigned values above 2^63 wrap. */
    private static long readLong(JsonParser p, boolean unsigned) throws IOException {
        BigInteger value;
        try {
            value = switch (p.currentToken()) {
                case VALUE_NUMBER_INT -> p.getBigIntegerValue();
                case VALUE_NUMBER_FLOAT -> p.getDecimalValue().toBigIntegerExact();
                case VALUE_STRING -> new BigDecimal(p.getText().trim()).toBigIntegerExact();
                default -> throw error(p, "expected an integer (number or string)");
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(p, "expected an integer (number or string)");
        }
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.valueOf(Long.MIN_VALUE);
        BigInteger max = unsigned ? UNSIGNED_LONG_MAX : BigInteger.valueOf(Long.MAX_VALUE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw error(p, "integer out of range");
        }
        return value.longValue();
    }

    private static final BigInteger UNSIGNED_LONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private static double readDouble(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_STRING -> {
                String text = p.getText().trim();
                switch (text) {
                    case "NaN" -> { return Double.NaN; }
                    case "Infinity" -> { return Double.POSITIVE_INFINITY; }
                    case "-Infinity" -> { return Double.NEGATIVE_INFINITY; }
                    default -> {
                        try {
                            return Double.parseDouble(text);
                        } catch (NumberFormatException e) {
                            throw error(p, "expected a number");
                        }
                    }
                }
            }
            default -> throw error(p, "expected a number");
        }
    }

    private static ByteString hexToBytes(JsonParser p) throws IOException {
        String hex = p.getText();
        if ((hex.length() & 1) != 0) {
            throw error(p, idHint(hex, "has an odd number of characters"));
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw error(p, idHint(hex, "is not hex"));
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return ByteString.copyFrom(out);
    }

    private static String idHint(String value, String problem) {
        boolean looksBase64 = value.endsWith("=") || value.indexOf('+') >= 0 || value.indexOf('/') >= 0
                || value.length() == 24 || value.length() == 12;
        return "id " + problem + (looksBase64 ? "; OTLP/JSON encodes trace and span ids as hex, not base64" : "");
    }

    private static ByteString base64ToBytes(JsonParser p) throws IOException {
        String text = p.getText();
        try {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return ByteString.copyFrom((urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text));
        } catch (IllegalArgumentException e) {
            throw error(p, "expected base64");
        }
    }

    /** Jackson's message without its source excerpt and start-marker detail. */
    private static String firstClause(String message) {
        int cut = message.length();
        for (String marker : new String[] {"\n", " (start marker", " at [Source"}) {
            int i = message.indexOf(marker);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return message.substring(0, cut);
    }

    private static OtlpJsonException error(JsonParser p, String problem) {
        String where = p.getParsingContext().pathAsPointer().toString();
        return new OtlpJsonException(problem + " at " + (where.isEmpty() ? "/" : where));
    }

    private static Map<String, FieldDescriptor> fieldsByName(Descriptor descriptor) {
        return FIELDS_BY_NAME.computeIfAbsent(descriptor, d -> {
            Map<String, FieldDescriptor> byName = new HashMap<>();
            for (FieldDescriptor f : d.getFields()) {
                byName.put(f.getName(), f);
                byName.put(f.getJsonName(), f); // the JSON name wins where both exist
            }
            return Map.copyOf(byName);
        });
    }

    private static boolean isBlank(byte[] json) {
        for (byte b : json) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
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
