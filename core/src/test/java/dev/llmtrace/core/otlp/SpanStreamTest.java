package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
