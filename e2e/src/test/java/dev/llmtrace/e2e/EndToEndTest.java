package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real clients → ingest → enrich → export → a real OTLP/gRPC backend, three processes on real ports. */
class EndToEndTest {
    static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline("end-to-end").start();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void sdkGrpcExporterSpansArriveIntact() {
        sendWithSdkAndCompare("e2e-grpc", OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://localhost:" + pipeline.ingestGrpc)
                .addHeader("Authorization", "Bearer " + Pipeline.TOKEN)
                .setCompression("gzip")
                .build());
    }

    @Test
    void sdkHttpExporterSpansArriveIntact() {
        sendWithSdkAndCompare("e2e-http", OtlpHttpSpanExporter.builder()
                .setEndpoint("http://localhost:" + pipeline.ingestHttp + "/v1/traces")
                .addHeader("Authorization", "Bearer " + Pipeline.TOKEN)
                .build());
    }

    private void sendWithSdkAndCompare(String serviceName, SpanExporter exporter) {
        RecordingExporter recording = new RecordingExporter(exporter);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
                .addSpanProcessor(SimpleSpanProcessor.create(recording))
                .build();
        try {
            Tracer tracer = provider.get("dev.llmtrace.e2e", "1.2.3");
            io.opentelemetry.api.trace.Span parent = tracer.spanBuilder("handle request").setSpanKind(SpanKind.SERVER).startSpan();
            try (Scope ignored = parent.makeCurrent()) {
                io.opentelemetry.api.trace.Span child = tracer.spanBuilder("LLM Generation").setSpanKind(SpanKind.CLIENT)
                        .setAttribute("gen_ai.request.model", "openai/gpt-4o")
                        .setAttribute("gen_ai.usage.input_tokens", 1200L)
                        .setAttribute("gen_ai.usage.total_cost", 0.00885)
                        .setAttribute("llm.streaming", true)
                        .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop", "length"))
                        .setAttribute(AttributeKey.longArrayKey("shape"), List.of(1L, 2L))
                        .startSpan();
                child.addEvent("first token", Attributes.of(AttributeKey.longKey("ttft_ms"), 120L));
                child.setStatus(StatusCode.ERROR, "rate limited");
                child.end();
            }
            parent.setStatus(StatusCode.OK);
            parent.end();
            assertTrue(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess(), "the SDK exporter succeeded");
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        assertEquals(2, recording.exported.size());
        for (SpanData sent : recording.exported) {
            SpanInContext got = awaitSpan(sent.getSpanId());
            Span span = got.span();
            assertEquals(sent.getTraceId(), Hex.encode(span.getTraceId()));
            assertEquals(sent.getParentSpanContext().isValid() ? sent.getParentSpanId() : "", Hex.encode(span.getParentSpanId()));
            assertEquals(sent.getName(), span.getName());
            assertEquals(sent.getKind().ordinal() + 1, span.getKindValue(), "INTERNAL=1, SERVER=2, CLIENT=3");
            assertEquals(sent.getStartEpochNanos(), span.getStartTimeUnixNano());
            assertEquals(sent.getEndEpochNanos(), span.getEndTimeUnixNano());
            assertEquals(sent.getStatus().getStatusCode() == StatusCode.ERROR ? 2 : sent.getStatus().getStatusCode() == StatusCode.OK ? 1 : 0,
                    span.getStatus().getCodeValue());
            assertEquals(sent.getStatus().getDescription(), span.getStatus().getMessage());
            boolean llmCall = sent.getAttributes().asMap().keySet().stream().anyMatch(k -> k.getKey().startsWith("gen_ai."));
            if (llmCall) {
                assertTrue(span.getAttributesCount() > sent.getAttributes().size(), "enrich adds cost and convention aliases");
                assertEquals(1200 * 2.5e-6, attribute(span.getAttributesList(), "llmtrace.cost.estimate_usd").getDoubleValue(), 1e-15,
                        "the sender's own cost is kept, our estimate recorded beside it");
            } else {
                assertEquals(sent.getAttributes().size(), span.getAttributesCount(), "non-LLM spans pass untouched");
            }
            sent.getAttributes().forEach((key, value) -> assertAttribute(key, value, span.getAttributesList()));
            assertEquals(sent.getEvents().size(), span.getEventsCount());
            assertEquals(serviceName, attribute(got.resourceSpans().getResource().getAttributesList(), "service.name").getStringValue());
            assertEquals(sent.getResource().getAttributes().size(), got.resourceSpans().getResource().getAttributesCount());
            assertEquals("dev.llmtrace.e2e", got.scopeSpans().getScope().getName());
            assertEquals("1.2.3", got.scopeSpans().getScope().getVersion());
        }
    }

    private static void assertAttribute(AttributeKey<?> key, Object value, List<KeyValue> received) {
        AnyValue got = attribute(received, key.getKey());
        switch (key.getType()) {
            case STRING -> assertEquals(value, got.getStringValue());
            case LONG -> {
                assertEquals(AnyValue.ValueCase.INT_VALUE, got.getValueCase(), key.getKey() + " stays an int");
                assertEquals(value, got.getIntValue());
            }
            case DOUBLE -> assertEquals(value, got.getDoubleValue());
            case BOOLEAN -> assertEquals(value, got.getBoolValue());
            case STRING_ARRAY -> assertEquals(value, got.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList());
            case LONG_ARRAY -> assertEquals(value, got.getArrayValue().getValuesList().stream().map(AnyValue::getIntValue).toList());
            default -> throw new AssertionError("untested attribute type " + key.getType());
        }
    }

    static AnyValue attribute(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("missing attribute " + key)).getValue();
    }

    static SpanInContext awaitSpan(String spanIdHex) {
        await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.backend.spansById().containsKey(spanIdHex));
        return pipeline.backend.spansById().get(spanIdHex);
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BROADCAST_FULL, Fixtures.BROADCAST_PRIVACY_ERROR, Fixtures.OPENINFERENCE_CHAT})
    void jsonFixturesArriveExactlyAsSent(String fixture) {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(Fixtures.bytes(fixture)).post("/v1/traces").then().statusCode(200).body(equalTo("{}"));
        ExportTraceServiceRequest sent = OtlpJson.parseTraces(Fixtures.bytes(fixture));
        for (ResourceSpans rs : sent.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    SpanInContext got = awaitSpan(Hex.encode(span.getSpanId()));
                    assertEquals(span.toBuilder().clearAttributes().build(), got.span().toBuilder().clearAttributes().build(),
                            "ids, parent, name, kind, times, status, events intact");
                    assertEquals(withSecretsMasked(span.getAttributesList()), got.span().getAttributesList().subList(0, span.getAttributesCount()),
                            "every attribute as sent, typed and in order (secrets masked); enrich only appends");
                    assertEquals(rs.getResource(), got.resourceSpans().getResource());
                    assertEquals(ss.getScope(), got.scopeSpans().getScope());
                }
            }
        }
    }

    /** The fixture's OpenRouter key is masked under every privacy policy, full included. */
    static List<KeyValue> withSecretsMasked(List<KeyValue> attributes) {
        String key = "sk-or-v1-" + "ab".repeat(32);
        return attributes.stream().map(kv -> kv.getValue().getStringValue().contains(key)
                ? kv.toBuilder().setValue(AnyValue.newBuilder().setStringValue(kv.getValue().getStringValue()
                        .replace(key, "<OPENROUTER_KEY>"))).build()
                : kv).toList();
    }

    @Test
    void intsSentAsJsonNumbersArriveAsInts() {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(Fixtures.bytes(Fixtures.BROADCAST_PRIVACY_ERROR)).post("/v1/traces").then().statusCode(200);
        Span span = awaitSpan("b7ad6b7169203331").span();
        AnyValue tokens = attribute(span.getAttributesList(), "gen_ai.usage.input_tokens");
        assertEquals(AnyValue.ValueCase.INT_VALUE, tokens.getValueCase());
        assertEquals(12, tokens.getIntValue());
        assertEquals("Rate limit exceeded: free-models-per-min", span.getStatus().getMessage());
    }

    @Test
    void fixturesArriveEnrichedAndLlmMetricsAreScrapable() {
        for (String fixture : List.of(Fixtures.OPENINFERENCE_CHAT, Fixtures.BROADCAST_FULL)) {
            given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                    .body(Fixtures.bytes(fixture)).post("/v1/traces").then().statusCode(200);
        }
        Span openInference = awaitSpan("00f067aa0ba902b7").span();
        assertEquals(14 * 2.5e-6 + 9 * 1e-5, attribute(openInference.getAttributesList(), "gen_ai.usage.total_cost").getDoubleValue(), 1e-15);
        assertEquals("table", attribute(openInference.getAttributesList(), "llmtrace.cost.source").getStringValue());
        Span broadcast = awaitSpan("eee19b7ec3c1b174").span();
        assertEquals(0.00885, attribute(broadcast.getAttributesList(), "gen_ai.usage.total_cost").getDoubleValue());
        assertEquals(0.00885, attribute(broadcast.getAttributesList(), "llmtrace.cost.estimate_usd").getDoubleValue(), 1e-12);
        assertEquals(0.00885, attribute(broadcast.getAttributesList(), "gen_ai.usage.cost").getDoubleValue(), "OpenObserve alias");

        String metrics = pipeline.enrich.metrics();
        Double cost = counter(metrics, "llmtrace_llm_cost_usd_total{api_key=\"Support Bot\",model=\"anthropic/claude-sonnet-4\",provider=\"anthropic\",tenant=\"e2e\"}");
        assertNotNull(cost, metrics);
        assertTrue(cost >= 0.00885 - 1e-12, metrics);
        Double tokens = counter(metrics, "llmtrace_llm_tokens_total{api_key=\"unknown\",model=\"openai/gpt-4o\",provider=\"openai\",tenant=\"e2e\",type=\"input\"}");
        assertNotNull(tokens, metrics);
        assertTrue(tokens >= 14, metrics);
        assertTrue(metrics.contains("llmtrace_llm_requests_total{api_key=\"Support Bot\",model=\"anthropic/claude-sonnet-4\",provider=\"anthropic\",status=\"ok\",tenant=\"e2e\"}"), metrics);
        assertTrue(metrics.contains("llmtrace_llm_duration_seconds_bucket{api_key=\"Support Bot\""), metrics);
    }

    @Test
    void broadcastTestConnectionGets200() {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).header("X-Test-Connection", "true")
                .contentType("application/json").body(Fixtures.bytes(Fixtures.TEST_CONNECTION)).post("/v1/traces")
                .then().statusCode(200);
        given().port(pipeline.ingestHttp).contentType("application/json").body(Fixtures.bytes(Fixtures.TEST_CONNECTION))
                .post("/v1/traces").then().statusCode(401);
    }

    @Test
    void fileSinkHoldsOtlpJsonLinesAndMetricsCountEveryHop() throws Exception {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)).post("/v1/traces").then().statusCode(200);
        awaitSpan("00f067aa0ba902b7");
        await().atMost(Duration.ofSeconds(10)).until(() -> sinkLines().stream().anyMatch(l -> l.contains("00f067aa0ba902b7")));
        String line = sinkLines().stream().filter(l -> l.contains("00f067aa0ba902b7")).findFirst().orElseThrow();
        Span sent = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
        Span inSink = OtlpJson.parseTraces(line.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(sent.getAttributesList(), inSink.getAttributesList().subList(0, sent.getAttributesCount()),
                "each line is the OTLP/JSON of a batch, as enriched");

        for (Map.Entry<String, ServiceProcess> hop : Map.of("ingest", pipeline.ingest, "enrich", pipeline.enrich,
                "export", pipeline.export).entrySet()) {
            String metrics = hop.getValue().metrics();
            assertNotNull(counter(metrics, "llmtrace_spans_forwarded_total{service=\"" + hop.getKey() + "\"}"), metrics);
            assertTrue(counter(metrics, "llmtrace_spans_forwarded_total{service=\"" + hop.getKey() + "\"}") >= 1, metrics);
        }
        String ingestMetrics = pipeline.ingest.metrics();
        assertTrue(ingestMetrics.contains("llmtrace_buffer_requests{service=\"ingest\"}"), ingestMetrics);
        // the all-in-one sends to a healthy destination before it queues (the write-ahead log holds the batch meanwhile),
        // so nothing reaches its queue; the export service queues every batch first. (Not the file sink: its one send slot
        // may be busy with a batch when the next comes, and that one is queued by design.)
        String exportMetrics = pipeline.export.metrics();
        Double queued = counter(exportMetrics, "llmtrace_export_batches_queued_total{destination=\"backend\"}");
        assertNotNull(queued, exportMetrics);
        assertTrue(Pipeline.ALL_IN_ONE ? queued == 0 : queued >= 1, queued + " batch(es) queued");
        for (ServiceProcess service : List.of(pipeline.ingest, pipeline.enrich, pipeline.export)) {
            String log = Files.readString(service.log());
            assertFalse(log.contains(Pipeline.TOKEN), "the ingest token never reaches a log line");
            assertFalse(log.contains(Pipeline.BACKEND_SECRET), "the backend credential never reaches a log line");
        }
        assertTrue(Files.readString(pipeline.export.log()).contains("auth=bearer"), "the kind of auth is logged, not its value");
        String headers = pipeline.backend.received().get(0).headers().get(
                io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER));
        assertEquals("Bearer " + Pipeline.BACKEND_SECRET, headers, "but it does reach the backend");
    }

    static Double counter(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(null);
    }

    static List<String> sinkLines() throws Exception {
        if (!Files.isDirectory(pipeline.sinkDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pipeline.sinkDir)) {
            return files.flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
