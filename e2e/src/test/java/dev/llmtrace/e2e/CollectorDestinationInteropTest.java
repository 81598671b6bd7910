package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A real OpenTelemetry Collector as a destination behind export: over OTLP/gRPC, OTLP/HTTP protobuf and
 * OTLP/HTTP JSON, each into its own file exporter. What the Collector writes must be, span for span,
 * what export sent (recorded by a second, fake destination in the same fan-out).
 */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class CollectorDestinationInteropTest {
    static final int SDK_SPANS = 300;

    @Test
    void theCollectorWritesExactlyWhatExportSent() throws Exception {
        Path otelcol = Peers.require(Peers.OTELCOL);
        Path peerDir = Pipeline.freshDirectory("interop-collector-destination-peer");
        Files.createDirectories(peerDir);
        int grpcPort = FreePorts.next();
        int httpPort = FreePorts.next();
        int jsonPort = FreePorts.next();
        Map<String, Path> files = Map.of(
                "collector-grpc", peerDir.resolve("grpc.jsonl"),
                "collector-http", peerDir.resolve("http.jsonl"),
                "collector-json", peerDir.resolve("json.jsonl"));
        Path config = peerDir.resolve("otelcol.yaml");
        Files.writeString(config, """
                receivers:
                  otlp/grpc:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:%d
                  otlp/http:
                    protocols:
                      http:
                        endpoint: 127.0.0.1:%d
                  otlp/json:
                    protocols:
                      http:
                        endpoint: 127.0.0.1:%d
                processors:
                  batch:
                    timeout: 200ms
                exporters:
                  file/grpc:
                    path: %s
                    flush_interval: 100ms
                  file/http:
                    path: %s
                    flush_interval: 100ms
                  file/json:
                    path: %s
                    flush_interval: 100ms
                service:
                  telemetry:
                    metrics:
                      level: none
                  pipelines:
                    traces/grpc: {receivers: [otlp/grpc], processors: [batch], exporters: [file/grpc]}
                    traces/http: {receivers: [otlp/http], processors: [batch], exporters: [file/http]}
                    traces/json: {receivers: [otlp/json], processors: [batch], exporters: [file/json]}
                """.formatted(grpcPort, httpPort, jsonPort,
                files.get("collector-grpc"), files.get("collector-http"), files.get("collector-json")));

        Map<String, String> destinations = new HashMap<>();
        destination(destinations, "collector-grpc", "otlp-grpc", grpcPort, "protobuf");
        destination(destinations, "collector-http", "otlp-http", httpPort, "protobuf");
        destination(destinations, "collector-json", "otlp-http", jsonPort, "json");

        try (PeerProcess collector = PeerProcess.start("otelcol", List.of(otelcol.toString(), "--config", config.toString()), Map.of(), peerDir);
                Pipeline pipeline = new Pipeline("interop-collector-destination", destinations)) {
            collector.awaitListening(grpcPort, Duration.ofSeconds(30)).awaitListening(httpPort, Duration.ofSeconds(10))
                    .awaitListening(jsonPort, Duration.ofSeconds(10));
            pipeline.start();

            int expected = 0;
            for (String fixture : Fixtures.WITH_SPANS) {
                given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                        .body(Fixtures.bytes(fixture)).post("/v1/traces").then().statusCode(200);
                expected += dev.llmtrace.core.otlp.Spans.count(OtlpJson.parseTraces(Fixtures.bytes(fixture)));
            }
            expected += sendSdkSpans(pipeline.ingestGrpc);

            int total = expected;
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spansById().size() == total);
            Map<String, SpanInContext> sent = pipeline.backend.spansById();
            for (Map.Entry<String, Path> file : files.entrySet()) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> spansIn(file.getValue()).size() >= total);
                Map<String, SpanInContext> written = spansIn(file.getValue());
                assertEquals(sent.keySet(), written.keySet(), file.getKey() + ": the same span ids");
                assertEquals(total, lineSpanCount(file.getValue()), () -> file.getKey() + ": each span written once; backend got "
                        + pipeline.backend.spanCount() + " spans in " + pipeline.backend.received().size() + " requests\n"
                        + counters(pipeline));
                for (Map.Entry<String, SpanInContext> s : sent.entrySet()) {
                    SpanInContext w = written.get(s.getKey());
                    assertEquals(s.getValue().span(), w.span(), file.getKey() + ": span " + s.getKey());
                    assertEquals(s.getValue().resourceSpans().getResource(), w.resourceSpans().getResource(), file.getKey() + ": resource of " + s.getKey());
                    assertEquals(s.getValue().scopeSpans().getScope(), w.scopeSpans().getScope(), file.getKey() + ": scope of " + s.getKey());
                }
            }
            // enrich's work is in what the Collector wrote, not only in what we recorded
            assertTrue(spansIn(files.get("collector-grpc")).values().stream()
                    .anyMatch(s -> s.span().getAttributesList().stream().anyMatch(a -> a.getKey().equals("llm.cost.total"))));
        }
    }

    static String counters(Pipeline pipeline) {
        StringBuilder out = new StringBuilder();
        for (ServiceProcess service : List.of(pipeline.ingest, pipeline.enrich, pipeline.export)) {
            service.metrics().lines().filter(l -> l.startsWith("llmtrace_") || l.startsWith("grpc_")).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    static void destination(Map<String, String> settings, String name, String type, int port, String encoding) {
        String prefix = "export.destinations." + name + ".";
        settings.put(prefix + "type", type);
        settings.put(prefix + "endpoint", "http://127.0.0.1:" + port);
        settings.put(prefix + "encoding", encoding);
        settings.put(prefix + "retry.initial-interval", "200ms");
    }

    /** Spans of every attribute type, with events, links and error status, through the SDK's OTLP/gRPC exporter. */
    static int sendSdkSpans(int ingestGrpc) {
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + ingestGrpc)
                .addHeader("Authorization", "Bearer " + Pipeline.TOKEN).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "interop-sdk")))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(64).build()).build();
        Tracer tracer = provider.get("interop", "1.2.3");
        for (int i = 0; i < SDK_SPANS; i++) {
            io.opentelemetry.api.trace.Span parent = tracer.spanBuilder("chat gpt-4o-mini").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.request.model", "gpt-4o-mini")
                    .setAttribute("gen_ai.usage.input_tokens", 1000L + i)
                    .setAttribute("gen_ai.usage.output_tokens", 100L)
                    .setAttribute("temperature", 0.25 + i)
                    .setAttribute("stream", i % 2 == 0)
                    .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop", "length"))
                    .setAttribute(AttributeKey.longArrayKey("ints"), List.of(1L, -2L, Long.MAX_VALUE))
                    .startSpan();
            parent.addEvent("first token", Attributes.of(AttributeKey.longKey("index"), (long) i));
            if (i % 10 == 0) {
                parent.setStatus(StatusCode.ERROR, "upstream 502 \u2014 \"bad gateway\"");
            }
            parent.end();
        }
        provider.forceFlush().join(30, TimeUnit.SECONDS);
        provider.shutdown().join(30, TimeUnit.SECONDS);
        return SDK_SPANS;
    }

    /** The Collector's file exporter writes one OTLP/JSON {@code ExportTraceServiceRequest} per line. */
    static Map<String, SpanInContext> spansIn(Path file) {
        Map<String, SpanInContext> byId = new HashMap<>();
        for (ExportTraceServiceRequest request : requestsIn(file)) {
            for (ResourceSpans rs : request.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span span : ss.getSpansList()) {
                        byId.put(Hex.encode(span.getSpanId()), new SpanInContext(rs, ss, span, null));
                    }
                }
            }
        }
        return byId;
    }

    static int lineSpanCount(Path file) {
        return requestsIn(file).stream().mapToInt(dev.llmtrace.core.otlp.Spans::count).sum();
    }

    static List<ExportTraceServiceRequest> requestsIn(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
                    .map(l -> OtlpJson.parseTraces(l.getBytes(StandardCharsets.UTF_8))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
