package dev.llmtrace.core.otlp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.llmtrace.core.otlp.OtlpJsonScalars.error;

/**
 * Reads OTLP/JSON straight into protobuf wire bytes, guided by the message descriptors: no message
 * objects are built. protobuf's generated builders are set through reflection when driven by
 * descriptors, which made decoding a Broadcast body cost more than everything ingest does after it.
 * The bytes are what protobuf would write for the same message (defaults left out, packed repeated
 * scalars), except that fields keep the JSON's order where protobuf writes them by number: parsers take
 * either, so a hop reading them cannot tell the difference. The rules are {@link OtlpJson}'s.
 */
final class OtlpJsonTranscoder {

    private static final Map<Descriptor, Type> TYPES = new ConcurrentHashMap<>();

    private final JsonParser p;
    private final WireBuffer out;

    private OtlpJsonTranscoder(JsonParser parser, int sizeHint) {
        this.p = parser;
        this.out = new WireBuffer(sizeHint);
    }

    /** The protobuf encoding of the {@code type} message written as {@code json}; an empty body is an empty message. */
    static byte[] transcode(byte[] json, Descriptor type) {
        if (isBlank(json)) {
            return new byte[0];
        }
        try (JsonParser parser = OtlpJson.FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw error(parser, "expected a JSON object");
            }
            OtlpJsonTranscoder transcoder = new OtlpJsonTranscoder(parser, json.length / 2 + 16);
            transcoder.object(type(type), 0);
            if (parser.nextToken() != null) {
                throw error(parser, "unexpected content after the top-level object");
            }
            return transcoder.out.toByteArray();
        } catch (JsonProcessingException e) {
            // a constraint (nesting, say) can be reported with no location
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new OtlpJsonException("malformed JSON: " + firstClause(e.getOriginalMessage()) + where);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One message type's fields by JSON and proto name, linked to their message types. */
    private static final class Type {
        final Map<String, Field> byName = new HashMap<>();
    }

    /** How one field is written. */
    private static final class Field {
        final FieldDescriptor descriptor;
        final FieldDescriptor.Type kind;
        final int number;
        final int wireType;
        final boolean repeated;
        final boolean packed;
        /** Written even when it holds its default (oneof members, proto3 {@code optional}). */
        final boolean presence;
        final boolean hexId;
        final boolean unsigned;
        Type message;

        Field(FieldDescriptor f) {
            descriptor = f;
            kind = f.getType();
            number = f.getNumber();
            wireType = f.getLiteType().getWireType();
            repeated = f.isRepeated();
            packed = f.isPacked();
            presence = f.hasPresence();
            hexId = OtlpJson.HEX_ID_FIELDS.contains(f.getName());
            unsigned = OtlpJson.isUnsigned(f);
        }
    }

    private static Type type(Descriptor descriptor) {
        Type cached = TYPES.get(descriptor);
        if (cached == null) {
            cached = link(descriptor, new HashMap<>());
            TYPES.putIfAbsent(descriptor, cached);
        }
        return cached;
    }

    private static Type link(Descriptor descriptor, Map<Descriptor, Type> linked) {
        Type existing = linked.get(descriptor);
        if (existing != null) {
            return existing; // recursive types (AnyValue) link back
        }
        Type type = new Type();
        linked.put(descriptor, type);
        for (FieldDescriptor f : descriptor.getFields()) {
            if (f.isMapField()) {
                continue; // none in OTLP; ignored like unknown fields
            }
            Field field = new Field(f);
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                field.message = link(f.getMessageType(), linked);
            }
            type.byName.put(f.getName(), field);
            type.byName.put(f.getJsonName(), field); // the JSON name wins where both exist
        }
        return type;
    }

    // ---- reading ----

    /** The current token is START_OBJECT; writes the object's fields. */
    private void object(Type type, int depth) throws IOException {
        if (depth > OtlpJson.MAX_MESSAGE_DEPTH) {
            throw error(p, "messages nest deeper than " + OtlpJson.MAX_MESSAGE_DEPTH + " levels (protobuf's limit)");
        }
        long written = 0; // singular scalars without presence written so far, by field number (OTLP's are < 64)
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            Field field = type.byName.get(p.currentName());
            JsonToken value = p.nextToken();
            if (field == null || value == JsonToken.VALUE_NULL) {
                p.skipChildren(); // unknown fields MUST be ignored
                continue;
            }
            if (field.repeated) {
                array(field, depth);
            } else if (field.message != null) {
                message(field, depth);
            } else {
                long bit = field.number < 64 ? 1L << field.number : 0;
                if (scalar(field, field.presence || (written & bit) != 0)) {
                    written |= bit;
                }
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw error(p, "expected a field name");
        }
    }

    private void message(Field field, int depth) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(p, "expected an object");
        }
        out.tag(field.number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int start = out.position();
        object(field.message, depth + 1);
        out.prefixLength(start);
    }

    private void array(Field field, int depth) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(p, "expected an array");
        }
        int tagAt = out.position();
        if (field.packed) {
            out.tag(field.number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        }
        int start = out.position();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                throw error(p, "null is not allowed in an array");
            }
            if (field.message != null) {
                message(field, depth);
            } else if (field.packed) {
                value(field);
            } else {
                scalar(field, true);
            }
        }
        if (field.packed) {
            if (out.position() == start) {
                out.truncate(tagAt); // protobuf writes nothing for an empty packed field
            } else {
                out.prefixLength(start);
            }
        }
    }

    /**
     * Writes a singular scalar with its tag. Without presence protobuf leaves a default value out; a
     * default that follows an earlier value of the same field is written so that, as when merging JSON
     * into a builder, the last value wins. Returns whether anything was written.
     */
    private boolean scalar(Field field, boolean evenIfDefault) throws IOException {
        int tagAt = out.position();
        out.tag(field.number, field.wireType);
        if (value(field) && !evenIfDefault) {
            out.truncate(tagAt);
            return false;
        }
        return true;
    }

    /** Writes the current token as the field's value without a tag; returns whether it is the default. */
    private boolean value(Field field) throws IOException {
        switch (field.kind) {
            case STRING -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw error(p, "expected a string");
                }
                int length = p.getTextLength();
                out.utf8(p.getTextCharacters(), p.getTextOffset(), length);
                return length == 0;
            }
            case BYTES -> {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw error(p, "expected a string");
                }
                byte[] bytes = field.hexId ? OtlpJsonScalars.hexToBytes(p) : OtlpJsonScalars.base64ToBytes(p);
                out.lengthDelimited(bytes);
                return bytes.length == 0;
            }
            case BOOL -> {
                boolean v = switch (p.currentToken()) {
                    case VALUE_TRUE -> true;
                    case VALUE_FALSE -> false;
                    case VALUE_STRING -> OtlpJsonScalars.parseBooleanString(p);
                    default -> throw error(p, "expected true or false");
                };
                out.varint(v ? 1 : 0);
                return !v;
            }
            case INT32, SINT32, SFIXED32, UINT32, FIXED32 -> {
                int v = (int) OtlpJsonScalars.readInteger(p, field.unsigned ? 0 : Integer.MIN_VALUE,
                        field.unsigned ? 0xFFFF_FFFFL : Integer.MAX_VALUE);
                switch (field.kind) {
                    case SINT32 -> out.varint(Integer.toUnsignedLong((v << 1) ^ (v >> 31)));
                    case SFIXED32, FIXED32 -> out.fixed32(v);
                    case UINT32 -> out.varint(Integer.toUnsignedLong(v));
                    default -> out.varint(v); // int32: negative values sign-extend to ten bytes
                }
                return v == 0;
            }
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> {
                long v = OtlpJsonScalars.readLong(p, field.unsigned);
                switch (field.kind) {
                    case SINT64 -> out.varint((v << 1) ^ (v >> 63));
                    case SFIXED64, FIXED64 -> out.fixed64(v);
                    default -> out.varint(v);
                }
                return v == 0;
            }
            case DOUBLE -> {
                long bits = Double.doubleToRawLongBits(OtlpJsonScalars.readDouble(p));
                out.fixed64(bits);
                return bits == 0; // -0.0 is not the default, as in protobuf
            }
            case FLOAT -> {
                int bits = Float.floatToRawIntBits((float) OtlpJsonScalars.readDouble(p));
                out.fixed32(bits);
                return bits == 0;
            }
            case ENUM -> {
                int number;
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    EnumValueDescriptor named = field.descriptor.getEnumType().findValueByName(p.getText());
                    if (named == null) {
                        throw error(p, "unknown enum value name");
                    }
                    number = named.getNumber();
                } else {
                    number = (int) OtlpJsonScalars.readInteger(p, Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                out.varint(number);
                return number == 0;
            }
            default -> throw error(p, "unsupported field type");
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

    private static boolean isBlank(byte[] json) {
        for (byte b : json) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
