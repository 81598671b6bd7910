package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.otlp.Spans;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A real OpenTelemetry Collector as a client in front of ingest: its attributes and transform processors
 * mark each span, and its otlp_grpc, otlp_http (protobuf) and otlp_http (JSON) exporters, gzip and a
 * bearer token as their defaults and headers give them, deliver to ingest. A fourth pipeline carries a
 * wrong token and must be refused.
 */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class CollectorClientInteropTest {
    static final int SPANS_PER_PIPELINE = 200;

    @Test
    void spansRelayedByTheCollectorArriveMarkedAndPriced() throws Exception {
        Path otelcol = Peers.require(Peers.OTELCOL);
        Path peerDir = Pipeline.freshDirectory("interop-collector-client-peer");
        Files.createDirectories(peerDir);
        Map<String, Integer> receivers = new LinkedHashMap<>();
        for (String pipeline : List.of("grpc", "http", "json", "wrong_token")) {
            receivers.put(pipeline, FreePorts.next());
        }
        try (Pipeline pipeline = new Pipeline("interop-collector-client")) {
            Path config = peerDir.resolve("otelcol.yaml");
            Files.writeString(config, collectorConfig(receivers, pipeline.ingestGrpc, pipeline.ingestHttp));
            try (PeerProcess collector = PeerProcess.start("otelcol", List.of(otelcol.toString(), "--config", config.toString()), Map.of(), peerDir)) {
                for (int port : receivers.values()) {
                    collector.awaitListening(port, Duration.ofSeconds(30));
                }
                pipeline.start();

                ExportTraceServiceRequest broadcast = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
                exportDirectly(receivers.get("grpc"), broadcast);
                for (Map.Entry<String, Integer> receiver : receivers.entrySet()) {
                    sendSdkSpans(receiver.getValue(), receiver.getKey());
                }

                int expected = 3 * SPANS_PER_PIPELINE + Spans.count(broadcast);
                await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spansById().size() >= expected);
                // the wrong-token pipeline's batches are refused as they come; give them time to be counted
                await().atMost(Duration.ofSeconds(30)).until(() -> rejectedUnauthenticated(pipeline) > 0);

                Map<String, SpanInContext> arrived = pipeline.backend.spansById();
                assertEquals(expected, arrived.size(), "every relayed span once, none from the wrong token");
                assertEquals(expected, pipeline.backend.spanCount(), "no duplicates");
                Map<String, Integer> perRelay = new LinkedHashMap<>();
                for (SpanInContext s : arrived.values()) {
                    String relay = attribute(s, "relay.by").map(AnyValue::getStringValue).orElse("none");
                    perRelay.merge(relay, 1, Integer::sum);
                    assertEquals(Optional.of(true), attribute(s, "relay.transformed").map(AnyValue::getBoolValue), "transform processor ran");
                    double cost = attribute(s, "llm.cost.total").map(AnyValue::getDoubleValue).orElse(-1.0);
                    assertTrue(cost > 0, "enrich priced " + s.span().getName() + ": " + cost);
                }
                // the Collector's bearer token authenticated each request as the token's tenant
                List<String> requests = pipeline.enrich.metrics().lines().filter(l -> l.startsWith("llmtrace_llm_requests_total{")).toList();
                assertTrue(requests.stream().allMatch(l -> l.contains("tenant=\"" + Pipeline.TENANT + "\"")), String.join("\n", requests));
                assertEquals(expected, requests.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
                assertEquals(Map.of("otelcol-grpc", SPANS_PER_PIPELINE + Spans.count(broadcast), "otelcol-http", SPANS_PER_PIPELINE,
                        "otelcol-json", SPANS_PER_PIPELINE), perRelay);
            }
        }
    }

    static String collectorConfig(Map<String, Integer> receivers, int ingestGrpc, int ingestHttp) {
        StringBuilder yaml = new StringBuilder("receivers:\n");
        receivers.forEach((name, port) -> yaml.append("""
                  otlp/%s:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:%d
                """.formatted(name, port)));
        yaml.append("processors:\n  batch:\n    timeout: 100ms\n  transform:\n    trace_statements:\n      - context: span\n"
                + "        statements:\n          - set(attributes[\"relay.transformed\"], true)\n");
        receivers.keySet().forEach(name -> yaml.append("""
                  attributes/%s:
                    actions:
                      - key: relay.by
                        value: otelcol-%s
                        action: insert
                """.formatted(name, name)));
        String bearer = "Bearer " + Pipeline.TOKEN;
        yaml.append("""
                exporters:
                  otlp_grpc/grpc:
                    endpoint: 127.0.0.1:%1$d
                    tls:
                      insecure: true
                    headers:
                      authorization: "%3$s"
                  otlp_http/http:
                    endpoint: http://127.0.0.1:%2$d
                    headers:
                      authorization: "%3$s"
                  otlp_http/json:
                    endpoint: http://127.0.0.1:%2$d
                    encoding: json
                    headers:
                      authorization: "%3$s"
                  otlp_grpc/wrong_token:
                    endpoint: 127.0.0.1:%1$d
                    tls:
                      insecure: true
                    headers:
                      authorization: "Bearer not-a-token-we-issued"
                service:
                  telemetry:
                    metrics:
                      level: none
                  pipelines:
                """.formatted(ingestGrpc, ingestHttp, bearer));
        receivers.keySet().forEach(name -> yaml.append("""
                    traces/%1$s:
                      receivers: [otlp/%1$s]
                      processors: [attributes/%1$s, transform, batch]
                      exporters: [%2$s/%1$s]
                """.formatted(name, name.equals("grpc") || name.equals("wrong_token") ? "otlp_grpc" : "otlp_http")));
        return yaml.toString();
    }

    static void exportDirectly(int port, ExportTraceServiceRequest request) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).export(request);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static void sendSdkSpans(int port, String pipeline) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "interop-" + pipeline)))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + port).build())
                        .setMaxExportBatchSize(50).build())
                .build();
        Tracer tracer = provider.get("interop");
        for (int i = 0; i < SPANS_PER_PIPELINE; i++) {
            tracer.spanBuilder("chat gpt-4o").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.request.model", "gpt-4o")
                    .setAttribute("gen_ai.usage.input_tokens", 500L + i)
                    .setAttribute("gen_ai.usage.output_tokens", 50L)
                    .startSpan().end();
        }
        provider.shutdown().join(30, TimeUnit.SECONDS);
    }

    static Optional<AnyValue> attribute(SpanInContext s, String key) {
        return s.span().getAttributesList().stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    static double rejectedUnauthenticated(Pipeline pipeline) {
        return pipeline.ingest.metrics().lines()
                .filter(l -> l.startsWith("llmtrace_requests_rejected_total") && l.contains("unauth"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
