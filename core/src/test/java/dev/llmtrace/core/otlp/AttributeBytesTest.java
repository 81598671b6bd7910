package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The attribute fields written by hand are, byte for byte, the ones protobuf writes, for every shape an attribute takes. */
class AttributeBytesTest {

    @Test
    void everyShapeIsWrittenAsProtobufWritesIt() throws Exception {
        String prompt = "{\"messages\": [{\"role\": \"user\", \"content\": \"<OPENROUTER_KEY> é 日本 🙂 and a little more text\"}]}";
        List<KeyValue> attributes = new ArrayList<>(List.of(
                string("gen_ai.request.model", "anthropic/claude-sonnet-4"),
                string("gen_ai.prompt", prompt),
                string("input.value", prompt), // the same text again: encoded once, written the same
                string("", "an empty key is not written"),
                string("empty.value", ""),
                string("k".repeat(300), "a key longer than a one-byte length and than the keys kept"),
                string("long.value", "x".repeat(20_000)),
                KeyValue.newBuilder().setKey("bool").setValue(AnyValue.newBuilder().setBoolValue(true)).build(),
                KeyValue.newBuilder().setKey("false").setValue(AnyValue.newBuilder().setBoolValue(false)).build(),
                KeyValue.newBuilder().setKey("int").setValue(AnyValue.newBuilder().setIntValue(1200)).build(),
                KeyValue.newBuilder().setKey("zero").setValue(AnyValue.newBuilder().setIntValue(0)).build(),
                KeyValue.newBuilder().setKey("negative").setValue(AnyValue.newBuilder().setIntValue(-1)).build(),
                KeyValue.newBuilder().setKey("max").setValue(AnyValue.newBuilder().setIntValue(Long.MAX_VALUE)).build(),
                KeyValue.newBuilder().setKey("double").setValue(AnyValue.newBuilder().setDoubleValue(0.00885)).build(),
                KeyValue.newBuilder().setKey("nan").setValue(AnyValue.newBuilder().setDoubleValue(Double.NaN)).build(),
                KeyValue.newBuilder().setKey("negative.zero").setValue(AnyValue.newBuilder().setDoubleValue(-0.0)).build(),
                KeyValue.newBuilder().setKey("not.set").setValue(AnyValue.getDefaultInstance()).build(),
                KeyValue.newBuilder().setKey("no.value").build(),
                KeyValue.getDefaultInstance(),
                KeyValue.newBuilder().setKey("redaction.masked.keys").setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setStringValue("gen_ai.prompt"))
                        .addValues(AnyValue.newBuilder().setStringValue("input.value")))).build(),
                KeyValue.newBuilder().setKey("nested").setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setIntValue(7))
                        .addValues(AnyValue.getDefaultInstance())
                        .addValues(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setDoubleValue(1.5)))))).build(),
                KeyValue.newBuilder().setKey("empty.array").setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.getDefaultInstance())).build(),
                KeyValue.newBuilder().setKey("map").setValue(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(string("a", "b")))).build(),
                KeyValue.newBuilder().setKey("array.of.maps").setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(string("a", "b")))))).build(),
                KeyValue.newBuilder().setKey("bytes").setValue(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw"))).build(),
                string("unknown", "field").toBuilder().setUnknownFields(unknown()).build(),
                KeyValue.newBuilder().setKey("unknown.in.value")
                        .setValue(AnyValue.newBuilder().setStringValue("v").setUnknownFields(unknown())).build()));
        for (int again = 0; again < 2; again++) { // the second time the keys' bytes come from the table
            for (KeyValue attribute : attributes) { // one at a time: a difference names its attribute
                AttributeBytes encoder = new AttributeBytes(Span.ATTRIBUTES_FIELD_NUMBER, 1);
                encoder.add(attribute);
                assertArrayEquals(Span.newBuilder().addAttributes(attribute).build().toByteArray(), written(encoder), attribute.getKey());
            }
            AttributeBytes all = new AttributeBytes(Span.ATTRIBUTES_FIELD_NUMBER, attributes.size());
            attributes.forEach(all::add);
            byte[] bytes = written(all);
            assertArrayEquals(Span.newBuilder().addAllAttributes(attributes).build().toByteArray(), bytes);
            assertEquals(attributes, Span.parseFrom(bytes).getAttributesList());
        }
        // a resource's attributes are its field 1
        AttributeBytes resource = new AttributeBytes(Resource.ATTRIBUTES_FIELD_NUMBER, attributes.size());
        attributes.forEach(resource::add);
        assertArrayEquals(Resource.newBuilder().addAllAttributes(attributes).build().toByteArray(), written(resource));
        // some of them: the fields from one to another, as an edited span writes its replaced attributes one by one
        byte[] some = new byte[resource.size()];
        CodedOutputStream out = CodedOutputStream.newInstance(some);
        resource.write(0, 3, out);
        resource.write(3, resource.count(), out);
        out.checkNoSpaceLeft();
        assertArrayEquals(written(resource), some);
    }

    /** Everything the encoder was given, written into an array of the size it computed (too small or too large fails). */
    private static byte[] written(AttributeBytes encoder) throws Exception {
        byte[] bytes = new byte[encoder.size()];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        encoder.write(0, encoder.count(), out);
        out.checkNoSpaceLeft();
        return bytes;
    }

    @Test
    void aTextGivenTwiceInOneSpanIsEncodedOnce() {
        String prompt = "p".repeat(100);
        AttributeBytes encoder = new AttributeBytes(Span.ATTRIBUTES_FIELD_NUMBER, 1);
        byte[] first = encoder.utf8(prompt);
        assertSame(first, encoder.utf8(prompt)); // the input.value copy of the prompt: the same object
        assertNotSame(first, encoder.utf8(new String(prompt))); // an equal text that is another object is encoded anew
        assertNotSame(encoder.utf8("short"), encoder.utf8("short")); // short texts are not worth the look
        assertNotSame(first, new AttributeBytes(Span.ATTRIBUTES_FIELD_NUMBER, 1).utf8(prompt)); // nothing is kept from one span to the next
    }

    private static KeyValue string(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static UnknownFieldSet unknown() {
        return UnknownFieldSet.newBuilder().addField(99, UnknownFieldSet.Field.newBuilder().addVarint(5).build()).build();
    }
}
