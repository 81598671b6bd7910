package dev.llmtrace.core.otlp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.Fixtures;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OtlpJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BROADCAST_FULL, Fixtures.BROADCAST_PRIVACY_ERROR, Fixtures.OPENINFERENCE_CHAT})
    void fixturesRoundTripJsonToProtobufToJson(String fixture) throws Exception {
        ExportTraceServiceRequest first = OtlpJson.parseTraces(Fixtures.bytes(fixture));
        byte[] json = OtlpJson.toJson(first);
        ExportTraceServiceRequest second = OtlpJson.parseTraces(json);
        assertEquals(first, second);
        // and through the protobuf wire format too
        assertEquals(first, ExportTraceServiceRequest.newBuilder().mergeFrom(first.toByteString()).build());
        assertEquals(new String(json, UTF_8), new String(OtlpJson.toJson(second), UTF_8));
    }

    @Test
    void broadcastFixtureDecodesIdsKindTimesAndTypedAttributes() {
        Span span = onlySpan(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)));
        assertEquals("5b8efff798038103d269b633813fc60c", Hex.encode(span.getTraceId()));
        assertEquals("eee19b7ec3c1b174", Hex.encode(span.getSpanId()));
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, span.getKind());
        assertEquals(1790000000000000000L, span.getStartTimeUnixNano());
        assertEquals(Status.StatusCode.STATUS_CODE_OK, span.getStatus().getCode());
        assertEquals(1200, attribute(span, "gen_ai.usage.input_tokens").getIntValue());
        assertEquals(0.00885, attribute(span, "gen_ai.usage.total_cost").getDoubleValue());
    }

    @Test
    void int64AsJsonNumberIsAcceptedAndWrittenBackAsString() {
        Span span = onlySpan(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_PRIVACY_ERROR)));
        AnyValue tokens = attribute(span, "gen_ai.usage.input_tokens");
        assertEquals(AnyValue.ValueCase.INT_VALUE, tokens.getValueCase());
        assertEquals(12, tokens.getIntValue());
        String json = new String(OtlpJson.toJson(span), UTF_8);
        assertTrue(json.contains("{\"intValue\":\"12\"}"), json);
        assertTrue(json.contains("\"kind\":3"), "enums are integers: " + json);
        assertTrue(json.contains("\"traceId\":\"0af7651916cd43dd8448eb211c80319c\""), json);
    }

    @Test
    void writesCanonicalFormForEdgeValues() {
        Span span = Span.newBuilder()
                .setTraceId(ByteString.fromHex("0102030405060708090a0b0c0d0e0f10"))
                .setSpanId(ByteString.fromHex("a1a2a3a4a5a6a7a8"))
                .setParentSpanId(ByteString.fromHex("b1b2b3b4b5b6b7b8"))
                .setStartTimeUnixNano(-1L) // fixed64 above 2^63
                .setFlags(0xFFFF_FFFF) // fixed32 above 2^31
                .addAttributes(kv("nan", AnyValue.newBuilder().setDoubleValue(Double.NaN).build()))
                .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()))
                .addAttributes(kv("empty", AnyValue.newBuilder().setStringValue("").build()))
                .addAttributes(kv("nested", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("list", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setBoolValue(true))
                                .addValues(AnyValue.newBuilder().setIntValue(Long.MIN_VALUE))).build()))).build()))
                .build();
        String json = new String(OtlpJson.toJson(span), UTF_8);
        assertTrue(json.contains("\"parentSpanId\":\"b1b2b3b4b5b6b7b8\""), json);
        assertTrue(json.contains("\"startTimeUnixNano\":\"18446744073709551615\""), json);
        assertTrue(json.contains("\"flags\":4294967295"), json);
        assertTrue(json.contains("{\"doubleValue\":\"NaN\"}"), json);
        assertTrue(json.contains("{\"bytesValue\":\"aGk=\"}"), json);
        assertTrue(json.contains("{\"stringValue\":\"\"}"), "an empty oneof string is still present: " + json);
        assertFalse(json.contains("endTimeUnixNano"), "defaults are left out: " + json);
        Span.Builder builder = Span.newBuilder();
        OtlpJson.merge(OtlpJson.toJson(span), builder);
        assertEquals(span, builder.build());
    }

    @Test
    void responsesUseCamelCaseAndStringInt64() {
        ExportTraceServiceResponse response = ExportTraceServiceResponse.newBuilder()
                .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(2).setErrorMessage("bad id"))
                .build();
        assertEquals("{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"bad id\"}}",
                new String(OtlpJson.toJson(response), UTF_8));
        assertEquals("{}", new String(OtlpJson.toJson(ExportTraceServiceResponse.getDefaultInstance()), UTF_8));
    }

    @Test
    void unknownFieldsAndNullsAreIgnoredAndProtoNamesAccepted() {
        String json = """
                {"resourceSpans":[{"futureField":{"a":[1,2,{"b":null}]},"scope_spans":[{"spans":[
                  {"trace_id":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":null,
                   "kind":"SPAN_KIND_SERVER","startTimeUnixNano":1790000000000000000,"droppedAttributesCount":"3"}]}]}]}
                """;
        Span span = onlySpan(OtlpJson.parseTraces(json.getBytes(UTF_8)));
        assertEquals("5b8efff798038103d269b633813fc60c", Hex.encode(span.getTraceId()));
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, span.getKind());
        assertEquals(1790000000000000000L, span.getStartTimeUnixNano());
        assertEquals(3, span.getDroppedAttributesCount());
        assertEquals("", span.getName());
    }

    @Test
    void base64IdsAreRefusedWithAHint() {
        String traceIdBase64 = java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c"));
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + traceIdBase64
                + "\",\"spanId\":\"eee19b7ec3c1b174\"}]}]}]}";
        OtlpJsonException e = assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces(json.getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("hex, not base64"), e.getMessage());
        assertTrue(e.getMessage().contains("/resourceSpans/0/scopeSpans/0/spans/0/traceId"), e.getMessage());
    }

    @Test
    void idsAreAsciiHexOnly() {
        // Character.digit takes these as hex digits; read so, "\uff15b" would be the id 5b
        for (String id : new String[] {"\uff15b8efff798038103d269b633813fc60c", "\u0665b8efff798038103d269b633813fc60c"}) {
            String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + id + "\"}]}]}]}";
            OtlpJsonException e = assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces(json.getBytes(UTF_8)));
            assertTrue(e.getMessage().startsWith("id is not hex"), e.getMessage());
        }
        String upper = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"EEE19B7EC3C1B174\"}]}]}]}";
        assertEquals("eee19b7ec3c1b174", Hex.encode(onlySpan(OtlpJson.parseTraces(upper.getBytes(UTF_8))).getSpanId()));
    }

    @Test
    void malformedJsonIsRefusedWithoutEchoingTheBody() {
        OtlpJsonException e = assertThrows(OtlpJsonException.class,
                () -> OtlpJson.parseTraces("{\"resourceSpans\": [ {\"secret-sk-123\" ".getBytes(UTF_8)));
        assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-sk-123"), e.getMessage());
        assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces("[]".getBytes(UTF_8)));
        assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces("{\"resourceSpans\":{}}".getBytes(UTF_8)));
        assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces(
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}".getBytes(UTF_8)));
    }

    @Test
    void emptyBodyIsAnEmptyRequest() {
        assertEquals(ExportTraceServiceRequest.getDefaultInstance(), OtlpJson.parseTraces(new byte[0]));
        assertEquals(0, Spans.count(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.TEST_CONNECTION))));
    }

    static Span onlySpan(ExportTraceServiceRequest request) {
        ResourceSpans rs = request.getResourceSpans(0);
        ScopeSpans ss = rs.getScopeSpans(0);
        return ss.getSpans(0);
    }

    static AnyValue attribute(Span span, String key) {
        return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst().orElseThrow().getValue();
    }

    static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    /** A span whose one attribute nests {@code depth} kvlist values deep. */
    static byte[] nested(int depth) {
        String open = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":";
        String close = "}]}}";
        return ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
                + "\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"n\",\"attributes\":[{\"key\":\"deep\",\"value\":"
                + open.repeat(depth) + "{\"stringValue\":\"x\"}" + close.repeat(depth) + "}]}]}]}]}").getBytes(UTF_8);
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 20_000})
    void nestingDeeperThanProtobufAllowsIsAClearError(int depth) {
        OtlpJsonException e = assertThrows(OtlpJsonException.class, () -> OtlpJson.parseTraces(nested(depth)));
        assertTrue(e.getMessage().contains("nest"), e.getMessage());
    }

    @Test
    void whateverJsonAcceptsProtobufParsesAgain() throws Exception {
        for (int depth = 1; depth < 40; depth++) {
            ExportTraceServiceRequest parsed;
            try {
                parsed = OtlpJson.parseTraces(nested(depth));
            } catch (OtlpJsonException tooDeep) {
                assertTrue(depth > 25, "refused only when deep: " + depth);
                continue;
            }
            assertEquals(parsed, ExportTraceServiceRequest.parseFrom(parsed.toByteArray()), "depth " + depth);
        }
    }

    /**
     * The transcoder writes what protobuf itself would, except that fields keep the JSON's order (protobuf
     * writes them by number; parsers take either): the same message in the same number of bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BROADCAST_FULL, Fixtures.BROADCAST_PRIVACY_ERROR, Fixtures.OPENINFERENCE_CHAT})
    void fixturesTranscodeToTheBytesProtobufWrites(String fixture) throws Exception {
        byte[] wire = OtlpJson.tracesToProtobuf(Fixtures.bytes(fixture));
        assertSameEncoding(wire);
        assertEquals(Spans.count(OtlpJson.parseTraces(Fixtures.bytes(fixture))), OtlpWire.cleanSpanCount(wire));
    }

    @Test
    void edgeValuesTranscodeAsProtobufWritesThem() throws Exception {
        String json = """
                {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",
                  "spanId":"eee19b7ec3c1b174","name":"caf\u00e9 \ud83d\ude00 \u4e2d \ud800 end","kind":0,
                  "startTimeUnixNano":"18446744073709551615","endTimeUnixNano":0,"flags":4294967295,
                  "droppedEventsCount":" 7 ","status":{},"attributes":[
                   {"key":"neg","value":{"intValue":-5}},{"key":"zero","value":{"intValue":"0"}},
                   {"key":"negzero","value":{"doubleValue":-0.0}},{"key":"e","value":{"doubleValue":"1e3"}},
                   {"key":"f","value":{"boolValue":false}},{"key":"b","value":{"bytesValue":"aGk="}},
                   {"key":"big","value":{"intValue":"9223372036854775807"}},{"key":"long","value":{"stringValue":"%s"}}]}]}]}]}
                """.formatted("x".repeat(300));
        byte[] wire = OtlpJson.tracesToProtobuf(json.getBytes(UTF_8));
        ExportTraceServiceRequest request = assertSameEncoding(wire);
        Span span = onlySpan(request);
        assertEquals("caf\u00e9 \ud83d\ude00 \u4e2d ? end", span.getName(), "an unpaired surrogate becomes '?', as in protobuf");
        assertEquals(-1L, span.getStartTimeUnixNano());
        assertEquals(7, span.getDroppedEventsCount());
        assertTrue(span.hasStatus(), "an empty message given is present");
        assertEquals(-5, attribute(span, "neg").getIntValue());
        assertEquals(AnyValue.ValueCase.INT_VALUE, attribute(span, "zero").getValueCase(), "oneof defaults are kept");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(attribute(span, "negzero").getDoubleValue()));
        assertEquals(1000.0, attribute(span, "e").getDoubleValue());
        assertEquals(Long.MAX_VALUE, attribute(span, "big").getIntValue());
        assertEquals(300, attribute(span, "long").getStringValue().length());
    }

    private static ExportTraceServiceRequest assertSameEncoding(byte[] wire) throws Exception {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(wire);
        assertEquals(request.getSerializedSize(), wire.length);
        assertTrue(request.getUnknownFields().asMap().isEmpty());
        return request;
    }

    @Test
    void aDuplicatedScalarFieldKeepsTheLastValueAsABuilderWould() throws Exception {
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"first\",\"kind\":2,\"name\":\"\",\"kind\":0,\"flags\":0}]}]}]}";
        Span span = onlySpan(ExportTraceServiceRequest.parseFrom(OtlpJson.tracesToProtobuf(json.getBytes(UTF_8))));
        assertEquals("", span.getName());
        assertEquals(Span.SpanKind.SPAN_KIND_UNSPECIFIED, span.getKind());
    }

    @Test
    void packedRepeatedScalarsAreWrittenPacked() throws Exception {
        // OTLP traces have none; descriptor.proto's Location.path is one, and its fields are in number order
        var type = com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location.getDescriptor();
        byte[] wire = OtlpJsonTranscoder.transcode(
                "{\"path\":[1,-2,\"300\"],\"span\":[],\"leadingComments\":\"x\"}".getBytes(UTF_8), type);
        var location = com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location.parseFrom(wire);
        assertEquals(java.util.List.of(1, -2, 300), location.getPathList());
        assertEquals("x", location.getLeadingComments());
        assertEquals(java.util.HexFormat.of().formatHex(location.toByteArray()), java.util.HexFormat.of().formatHex(wire));
    }
}
