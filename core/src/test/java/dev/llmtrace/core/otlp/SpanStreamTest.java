package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.Bytes;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.SpanProcessor;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.privacy.PrivacyProcessor;
import dev.llmtrace.core.privacy.Redactor;
import dev.llmtrace.core.privacy.SecretsEverywhereTest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The span-by-span walk answers what the same steps answer over the parsed request, and copies what they leave alone. */
class SpanStreamTest {
    private static final byte[] HMAC_KEY = "a key of at least sixteen bytes".getBytes(StandardCharsets.UTF_8);

    /** Every fixture with spans, the secrets-everywhere request, a plain span, schema urls, and an unknown field. */
    static ExportTraceServiceRequest mixed() {
        ExportTraceServiceRequest.Builder all = ExportTraceServiceRequest.newBuilder();
        for (String name : Fixtures.WITH_SPANS) {
            all.addAllResourceSpans(OtlpJson.parseTraces(Fixtures.bytes(name)).getResourceSpansList());
        }
        ResourceSpans secrets = SecretsEverywhereTest.request().getResourceSpans(0);
        Span plain = Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                .setName("GET /health").addAttributes(Attributes.string("http.route", "/health")).build();
        all.addResourceSpans(secrets.toBuilder().setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
                .setScopeSpans(0, secrets.getScopeSpans(0).toBuilder().setSchemaUrl("https://example.com/scope").addSpans(plain)));
        return all.build();
    }

    /** The request's bytes with an unknown varint field (number 99) at its end, as a newer sender might add. */
    static byte[] withUnknownField(ExportTraceServiceRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        request.writeTo(out);
        CodedOutputStream tail = CodedOutputStream.newInstance(out);
        tail.writeUInt64(99, 42);
        tail.flush();
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(PrivacyPolicy.class)
    void theStreamAnswersWhatTheStepsAnswerOverTheParsedRequest(PrivacyPolicy policy) throws Exception {
        PrivacyProcessor privacy = new PrivacyProcessor(policy, Redactor.defaults(), Set.of("user.id", "session.id"), HMAC_KEY);
        SpanProcessor addsToLlmSpans = (span, tenant) -> span.getAttributesList().stream().anyMatch(kv -> kv.getKey().contains("model"))
                ? span.toBuilder().addAttributes(Attributes.string("tenant", tenant)).build() : span;
        SpanProcessor steps = SpanProcessor.chain(List.of(addsToLlmSpans, privacy));
        byte[] bytes = withUnknownField(mixed());
        ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(bytes);

        SpanStream.Result streamed = SpanStream.process(bytes, steps, "acme");

        ExportTraceServiceRequest expected = steps.process(parsed, "acme");
        assertNotEquals(parsed, expected, "the steps change something, or the comparison shows nothing");
        assertEquals(expected, ExportTraceServiceRequest.parseFrom(streamed.bytes()));
        assertEquals(Spans.count(parsed), streamed.spans());
        assertEquals(99, ExportTraceServiceRequest.parseFrom(streamed.bytes()).getUnknownFields().asMap().keySet().iterator().next());
    }

    @Test
    void whatNoStepChangesIsCopiedAsItCame() throws Exception {
        byte[] bytes = withUnknownField(mixed());
        SpanStream.Result streamed = SpanStream.process(bytes, (span, tenant) -> span, "acme");
        assertArrayEquals(bytes, streamed.bytes());
    }

    /**
     * A span whose attributes alone change keeps its other bytes as they came (here in an order our serializer would
     * not write): a replaced attribute is written anew in its place, new ones after; a step that changes another
     * field gets the span serialized anew.
     */
    @Test
    void aSpanWhoseAttributesAloneChangeKeepsItsOtherBytes() throws Exception {
        byte[] name = field(5, "chat gpt-4o".getBytes(StandardCharsets.UTF_8));
        byte[] secret = field(9, Attributes.string("prompt", "key sk-or-v1-" + "ab".repeat(32)).toByteArray());
        byte[] ids = concat(field(2, new byte[8]), field(1, new byte[16]));
        byte[] plain = field(9, Attributes.string("model", "gpt-4o").toByteArray());
        byte[] span = concat(concat(name, secret), concat(ids, plain));
        byte[] request = field(1, field(2, field(2, span))); // resource spans > scope spans > span
        SpanProcessor appends = (s, tenant) -> s.toBuilder().addAttributes(Attributes.decimal("llm.cost.total", 0.25)).build();
        SpanProcessor masksToo = SpanProcessor.chain(List.of(appends,
                new PrivacyProcessor(PrivacyPolicy.FULL, Redactor.defaults(), Set.of(), HMAC_KEY)));
        SpanProcessor renamesToo = SpanProcessor.chain(List.of(appends, (s, tenant) -> s.toBuilder().setName("renamed").build()));
        ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(request);

        byte[] appended = SpanStream.process(request, appends, "acme").bytes();
        byte[] masked = SpanStream.process(request, masksToo, "acme").bytes();
        byte[] renamed = SpanStream.process(request, renamesToo, "acme").bytes();

        assertEquals(appends.process(parsed, "acme"), ExportTraceServiceRequest.parseFrom(appended));
        assertEquals(masksToo.process(parsed, "acme"), ExportTraceServiceRequest.parseFrom(masked));
        assertNotEquals(appends.process(parsed, "acme"), masksToo.process(parsed, "acme"), "the secret is masked");
        assertEquals(renamesToo.process(parsed, "acme"), ExportTraceServiceRequest.parseFrom(renamed));
        assertTrue(Bytes.indexOf(appended, span) >= 0, "the span's own bytes are copied");
        assertTrue(Bytes.indexOf(masked, name) >= 0 && Bytes.indexOf(masked, concat(ids, plain)) >= 0, "all but the masked attribute copied");
        assertEquals(-1, Bytes.indexOf(masked, secret));
        assertEquals(-1, Bytes.indexOf(renamed, concat(ids, plain)), "a span changed otherwise is serialized anew");
    }

    /**
     * A field numbered as the attributes but of another wire type is an unknown field to protobuf, not an attribute:
     * the masked attribute must replace the secret's bytes, not that field's (which left the secret in the output).
     */
    @Test
    void aFieldNumberedAsAttributesButOfAnotherWireTypeIsNotTakenForOne() throws Exception {
        byte[] varintNine = {(byte) (9 << 3), 1}; // field 9, wire type varint
        byte[] secret = field(9, Attributes.string("prompt", "key sk-or-v1-" + "ab".repeat(32)).toByteArray());
        byte[] span = concat(concat(varintNine, secret), field(1, new byte[16]));
        byte[] request = field(1, field(2, field(2, span)));
        SpanProcessor masks = new PrivacyProcessor(PrivacyPolicy.FULL, Redactor.defaults(), Set.of(), HMAC_KEY);
        ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(request);
        assertEquals(1, parsed.getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesCount(), "one attribute, one unknown field");

        byte[] masked = SpanStream.process(request, masks, "acme").bytes();

        assertEquals(masks.process(parsed, "acme"), ExportTraceServiceRequest.parseFrom(masked));
        assertEquals(-1, Bytes.indexOf(masked, secret), "the secret is not copied");
        assertTrue(Bytes.indexOf(masked, varintNine) >= 0, "the unknown field is kept as it came");
    }

    @Test
    void aResourceGivenTwiceIsLeftToTheWholeRequestPath() throws Exception {
        ExportTraceServiceRequest request = mixed();
        ResourceSpans first = request.getResourceSpans(0);
        byte[] again = ResourceSpans.newBuilder().setResource(Resource.newBuilder()
                .addAttributes(Attributes.string("service.name", "second"))).build().toByteArray();
        byte[] twice = field(1, concat(first.toByteArray(), again)); // one resource spans with two resources, as parsing merges them
        assertEquals(first.getResource().getAttributesCount() + 1,
                ExportTraceServiceRequest.parseFrom(twice).getResourceSpans(0).getResource().getAttributesCount());
        assertThrows(SpanStream.NotStreamable.class, () -> SpanStream.process(twice, (span, tenant) -> span, "acme"));
    }

    @Test
    void malformedBytesAreRefusedAsTheParserRefusesThem() throws Exception {
        byte[] bytes = mixed().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 7);
        assertThrows(InvalidProtocolBufferException.class, () -> ExportTraceServiceRequest.parseFrom(truncated));
        assertThrows(InvalidProtocolBufferException.class, () -> SpanStream.process(truncated, (span, tenant) -> span, "acme"));

        byte[] badSchemaUrl = field(1, field(3, new byte[] {'h', (byte) 0xC3, '(', 't'})); // resource spans' schema_url
        assertThrows(InvalidProtocolBufferException.class, () -> ExportTraceServiceRequest.parseFrom(badSchemaUrl));
        assertThrows(InvalidProtocolBufferException.class, () -> SpanStream.process(badSchemaUrl, (span, tenant) -> span, "acme"));
    }

    /**
     * Requests with a few bytes changed at random (tags, wire types, lengths, varints, string bytes): the walk refuses
     * exactly what protobuf refuses, leaves to the whole-request path what it cannot stream, and otherwise answers
     * what the steps answer over the parsed request, masks included. A difference is a refused valid request or a
     * secret left in place.
     */
    @Test
    void mutatedRequestsAreRefusedOrAnsweredAsTheParsedRequestIs() throws Exception {
        SpanProcessor steps = SpanProcessor.chain(List.of(
                (span, tenant) -> span.toBuilder().addAttributes(Attributes.string("tenant", tenant)).build(),
                new PrivacyProcessor(PrivacyPolicy.FULL, Redactor.defaults(), Set.of("user.id"), HMAC_KEY)));
        java.util.Random random = new java.util.Random(1);
        int answered = 0;
        int refused = 0;
        for (ResourceSpans resourceSpans : mixed().getResourceSpansList()) {
            byte[] original = ExportTraceServiceRequest.newBuilder().addResourceSpans(resourceSpans).build().toByteArray();
            for (int round = 0; round < 2500; round++) {
                byte[] mutated = original.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int at = random.nextInt(mutated.length);
                    mutated[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (mutated[at] ^ (1 << random.nextInt(8)));
                }
                ExportTraceServiceRequest parsed;
                try {
                    parsed = ExportTraceServiceRequest.parseFrom(mutated);
                } catch (InvalidProtocolBufferException e) {
                    Exception refusal = assertThrows(Exception.class, () -> SpanStream.process(mutated, steps, "acme"));
                    // a request the walk leaves to the whole-request path is refused there
                    assertTrue(refusal instanceof InvalidProtocolBufferException || refusal instanceof SpanStream.NotStreamable, refusal::toString);
                    refused++;
                    continue;
                }
                try {
                    SpanStream.Result streamed = SpanStream.process(mutated, steps, "acme");
                    assertEquals(steps.process(parsed, "acme"), ExportTraceServiceRequest.parseFrom(streamed.bytes()));
                    assertEquals(Spans.count(parsed), streamed.spans());
                    answered++;
                } catch (SpanStream.NotStreamable e) {
                    // left to the whole-request path, which parses it as above
                }
            }
        }
        assertTrue(answered > 2000 && refused > 2000, answered + " answered, " + refused + " refused: both sides are exercised");
    }

    /** Field {@code number} holding {@code content}, length-delimited, on its own. */
    private static byte[] field(int number, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream writer = CodedOutputStream.newInstance(out);
        writer.writeByteArray(number, content);
        writer.flush();
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
