package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The decoder answers exactly what protobuf's parser answers, for the attributes it reads itself and those it leaves to it. */
class SpanDecoderTest {

    @Test
    void everySpanOfTheFixturesParsesAsProtobufParsesIt() throws Exception {
        ExportTraceServiceRequest request = SpanStreamTest.mixed();
        int spans = 0;
        for (var rs : request.getResourceSpansList()) {
            for (var ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    byte[] bytes = span.toByteArray();
                    for (int again = 0; again < 2; again++) { // the second time its short strings come from the table
                        assertEquals(span, SpanDecoder.parse(bytes, 0, bytes.length));
                        // ingest's bytes in the all-in-one, their UTF-8 checked already: the same span
                        assertEquals(span, SpanDecoder.parse(bytes, 0, bytes.length, new AttributeBounds(), true));
                    }
                    spans++;
                }
            }
        }
        assertTrue(spans >= 5, "the fixtures hold spans: " + spans);
    }

    @Test
    void attributesOfEveryShapeParseAsProtobufParsesThem() throws Exception {
        List<byte[]> attributes = new ArrayList<>();
        attributes.add(kv("s", AnyValue.newBuilder().setStringValue("gpt-4o").build()).toByteArray());
        attributes.add(kv("empty", AnyValue.newBuilder().setStringValue("").build()).toByteArray());
        attributes.add(kv("", AnyValue.newBuilder().setStringValue("no key").build()).toByteArray());
        attributes.add(kv("é ключ 🙂", AnyValue.newBuilder().setStringValue("déjà vu 🙂 " + "x".repeat(40)).build()).toByteArray());
        attributes.add(kv("ünïcode", AnyValue.newBuilder().setStringValue("€").build()).toByteArray());
        attributes.add(kv("long", AnyValue.newBuilder().setStringValue("y".repeat(5000)).build()).toByteArray());
        attributes.add(kv("i", AnyValue.newBuilder().setIntValue(-7).build()).toByteArray());
        attributes.add(kv("zero", AnyValue.newBuilder().setIntValue(0).build()).toByteArray());
        attributes.add(kv("d", AnyValue.newBuilder().setDoubleValue(0.000125).build()).toByteArray());
        attributes.add(kv("b", AnyValue.newBuilder().setBoolValue(true).build()).toByteArray());
        attributes.add(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw")).build()).toByteArray());
        attributes.add(kv("array", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setStringValue("a")).addValues(AnyValue.newBuilder().setIntValue(2))).build()).toByteArray());
        attributes.add(kv("map", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(kv("inner", AnyValue.newBuilder().setStringValue("v").build()))).build()).toByteArray());
        attributes.add(kv("unset", AnyValue.getDefaultInstance()).toByteArray());
        attributes.add(KeyValue.newBuilder().setKey("no value").build().toByteArray());
        attributes.add(raw(out -> { // the key given twice: the last one counts
            out.writeString(1, "first");
            out.writeString(1, "second");
            out.writeMessage(2, AnyValue.newBuilder().setStringValue("v").build());
        }));
        attributes.add(raw(out -> { // the value given twice: merged, the last scalar counts
            out.writeString(1, "twice");
            out.writeMessage(2, AnyValue.newBuilder().setStringValue("one").build());
            out.writeMessage(2, AnyValue.newBuilder().setIntValue(2).build());
        }));
        attributes.add(raw(out -> { // value before key, and an unknown field
            out.writeMessage(2, AnyValue.newBuilder().setBoolValue(false).build());
            out.writeString(1, "reversed");
            out.writeUInt64(15, 99);
        }));
        attributes.add(raw(out -> { // a scalar of the wrong wire type: an unknown field to protobuf
            out.writeString(1, "odd");
            out.writeBytes(2, ByteString.copyFrom(raw(v -> v.writeFixed32(3, 5))));
        }));
        attributes.add(raw(out -> { // two scalars in one value: the oneof keeps the last
            out.writeString(1, "oneof");
            out.writeBytes(2, ByteString.copyFrom(raw(v -> {
                v.writeString(1, "text");
                v.writeInt64(3, 4);
            })));
        }));
        byte[] span = raw(out -> {
            out.writeBytes(1, ByteString.copyFrom(new byte[16]));
            out.writeBytes(2, ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            for (byte[] kv : attributes.subList(0, attributes.size() / 2)) {
                out.writeBytes(9, ByteString.copyFrom(kv));
            }
            out.writeString(5, "between the attributes");
            for (byte[] kv : attributes.subList(attributes.size() / 2, attributes.size())) {
                out.writeBytes(9, ByteString.copyFrom(kv));
            }
            out.writeMessage(11, Span.Event.newBuilder().setName("evt").addAttributes(kv("e", AnyValue.newBuilder().setIntValue(1).build())).build());
            out.writeUInt64(100, 1);
        });
        Span expected = Span.parseFrom(span);
        assertEquals(attributes.size(), expected.getAttributesCount());
        assertEquals(expected, SpanDecoder.parse(span, 0, span.length));
        byte[] framed = new byte[span.length + 7];
        System.arraycopy(span, 0, framed, 3, span.length);
        assertEquals(expected, SpanDecoder.parse(framed, 3, span.length), "at an offset within a larger array");
    }

    @Test
    void shortStringsRepeatedFromSpanToSpanAreOneString() throws Exception {
        byte[] one = Span.newBuilder().addAttributes(kv("gen_ai.request.model", AnyValue.newBuilder().setStringValue("openai/gpt-4o").build()))
                .build().toByteArray();
        KeyValue first = SpanDecoder.parse(one, 0, one.length).getAttributes(0);
        KeyValue second = SpanDecoder.parse(one.clone(), 0, one.length).getAttributes(0);
        assertSame(first.getKey(), second.getKey());
        assertSame(first.getValue().getStringValue(), second.getValue().getStringValue());
    }

    @Test
    void aShortAttributeWhoseBytesRecurIsTheObjectDecodedBefore() throws Exception {
        KeyValue model = kv("gen_ai.request.model", AnyValue.newBuilder().setStringValue("openai/gpt-4o").build());
        KeyValue otherModel = kv("gen_ai.request.model", AnyValue.newBuilder().setStringValue("openai/gpt-4p").build());
        KeyValue tokens = kv("gen_ai.usage.input_tokens", AnyValue.newBuilder().setIntValue(1200).build());
        KeyValue prompt = kv("gen_ai.prompt", AnyValue.newBuilder().setStringValue("p".repeat(RecentAttributes.MAX_BYTES)).build());
        KeyValue secret = kv("api_key", AnyValue.newBuilder().setStringValue("sk-" + "k".repeat(40)).build());
        byte[] one = Span.newBuilder().addAttributes(model).addAttributes(tokens).addAttributes(prompt).addAttributes(secret)
                .build().toByteArray();
        byte[] two = Span.newBuilder().addAttributes(otherModel).addAttributes(tokens).addAttributes(prompt).build().toByteArray();
        Span first = SpanDecoder.parse(one, 0, one.length);
        Span again = SpanDecoder.parse(one.clone(), 0, one.length);
        Span other = SpanDecoder.parse(two, 0, two.length);
        assertEquals(Span.parseFrom(one), again);
        assertEquals(Span.parseFrom(two), other);
        assertSame(first.getAttributes(0), again.getAttributes(0));
        assertSame(first.getAttributes(1), again.getAttributes(1));
        assertNotSame(first.getAttributes(2), again.getAttributes(2), "longer than the table keeps: decoded anew");
        assertTrue(secret.getSerializedSize() <= RecentAttributes.MAX_BYTES);
        assertNotSame(first.getAttributes(3), again.getAttributes(3), "a value longer than 32 bytes (a key, a token) is not kept");
        assertEquals(otherModel, other.getAttributes(0), "one byte apart is another attribute");
        assertSame(first.getAttributes(1), other.getAttributes(1));
        // a short secret (an AWS access key id, 20 characters) is kept by neither table: it is masked further down
        KeyValue awsKey = kv("cloud.access_key", AnyValue.newBuilder().setStringValue("AKIAIOSFODNN7EXAMPLE").build());
        byte[] withKey = Span.newBuilder().addAttributes(awsKey).build().toByteArray();
        Span once = SpanDecoder.parse(withKey, 0, withKey.length);
        Span twice = SpanDecoder.parse(withKey.clone(), 0, withKey.length);
        assertEquals(awsKey, twice.getAttributes(0));
        assertNotSame(once.getAttributes(0), twice.getAttributes(0));
        assertNotSame(once.getAttributes(0).getValue().getStringValue(), twice.getAttributes(0).getValue().getStringValue());
        assertSame(once.getAttributes(0).getKey(), twice.getAttributes(0).getKey(), "its name is kept as any other");
    }

    @Test
    void attributesSharingASlotAreToldApartByTheirBytes() throws Exception {
        byte[] a = kv("k", AnyValue.newBuilder().setIntValue(200).build()).toByteArray();
        byte[] b = null;
        for (int i = 201; b == null && i < 16384; i++) { // a second attribute of the same length (a two-byte varint) in a's slot
            byte[] candidate = kv("k", AnyValue.newBuilder().setIntValue(i).build()).toByteArray();
            if (RecentAttributes.slot(candidate, 0, candidate.length) == RecentAttributes.slot(a, 0, a.length)) {
                b = candidate;
            }
        }
        assertTrue(b != null, "two attributes in one slot");
        List<KeyValue> decoded = new ArrayList<>();
        for (byte[] attribute : new byte[][] {a, b, a, b}) {
            byte[] span = raw(out -> out.writeBytes(9, ByteString.copyFrom(attribute)));
            assertEquals(Span.parseFrom(span), SpanDecoder.parse(span, 0, span.length));
            decoded.add(SpanDecoder.parse(span, 0, span.length).getAttributes(0));
        }
        // both kept, each in one of the slot's two ways: taking turns, neither is decoded anew
        assertSame(decoded.get(0), decoded.get(2));
        assertSame(decoded.get(1), decoded.get(3));
    }

    @Test
    void invalidUtf8IsRefusedAsProtobufRefusesIt() throws Exception {
        byte[] bad = {(byte) 0xC3, (byte) 0x28}; // a lead byte without its continuation
        for (boolean inKey : new boolean[] {true, false}) {
            for (int padding : new int[] {0, 40}) { // a short value (table) and a long one
                byte[] padded = new byte[bad.length + padding];
                java.util.Arrays.fill(padded, (byte) 'a');
                System.arraycopy(bad, 0, padded, padding, bad.length);
                byte[] value = raw(v -> v.writeBytes(1, inKey ? ByteString.copyFromUtf8("ok") : ByteString.copyFrom(padded)));
                byte[] kv = raw(out -> {
                    out.writeBytes(1, inKey ? ByteString.copyFrom(padded) : ByteString.copyFromUtf8("k"));
                    out.writeBytes(2, ByteString.copyFrom(value));
                });
                byte[] span = raw(out -> out.writeBytes(9, ByteString.copyFrom(kv)));
                assertThrows(InvalidProtocolBufferException.class, () -> Span.parseFrom(span));
                assertThrows(InvalidProtocolBufferException.class, () -> SpanDecoder.parse(span, 0, span.length));
            }
        }
    }

    @Test
    void truncatedSpansAreRefused() throws Exception {
        byte[] span = SpanStreamTest.mixed().getResourceSpans(0).getScopeSpans(0).getSpans(0).toByteArray();
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            int cut = 1 + random.nextInt(span.length - 1);
            boolean protobufRefuses;
            Span parsed = null;
            try {
                parsed = Span.parseFrom(java.util.Arrays.copyOf(span, cut));
                protobufRefuses = false;
            } catch (InvalidProtocolBufferException e) {
                protobufRefuses = true;
            }
            if (protobufRefuses) {
                int length = cut;
                assertThrows(InvalidProtocolBufferException.class, () -> SpanDecoder.parse(span, 0, length), "cut at " + cut);
            } else {
                assertEquals(parsed, SpanDecoder.parse(span, 0, cut), "cut at " + cut);
            }
        }
    }

    private static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private interface Writes {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] raw(Writes writes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writes.to(out);
        out.flush();
        return bytes.toByteArray();
    }
}
