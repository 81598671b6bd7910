package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Jaeger v2, standing in for Tempo, as a real destination behind export. Through Jaeger's query APIs: every span
 * export sent is stored once with its ids, timestamps, kind, status, resource, scope and attributes (the OTLP
 * API v3), and the equivalents of the TraceQL queries OpenRouter users run in Grafana find exactly the spans
 * they should (the HTTP search API: service, a trace.metadata.* tag, error, minimum duration).
 */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class JaegerDestinationInteropTest {
    static final int GENERATED = 40;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jaegerStoresEverySpanAndFindsWhatTraceQlWould() throws Exception {
        Path jaeger = Peers.require(Peers.JAEGER);
        Path peerDir = Pipeline.freshDirectory("interop-jaeger-peer");
        Files.createDirectories(peerDir);
        int otlpGrpc = FreePorts.next();
        int queryHttp = FreePorts.next();
        int queryGrpc = FreePorts.next();
        Path config = peerDir.resolve("jaeger.yaml");
        // badger, not memory: Jaeger 1.76's memory store reads the search tag error=true as false and returns the OK spans
        Files.writeString(config, """
                service:
                  extensions: [jaeger_storage, jaeger_query]
                  pipelines:
                    traces: {receivers: [otlp], processors: [batch], exporters: [jaeger_storage_exporter]}
                  telemetry:
                    metrics: {level: none}
                extensions:
                  jaeger_query:
                    storage: {traces: store}
                    http: {endpoint: "127.0.0.1:%d"}
                    grpc: {endpoint: "127.0.0.1:%d"}
                  jaeger_storage:
                    backends:
                      store:
                        badger:
                          ephemeral: true
                          directories: {keys: "%s", values: "%s"}
                receivers:
                  otlp:
                    protocols:
                      grpc: {endpoint: "127.0.0.1:%d"}
                processors:
                  batch: {timeout: 100ms}
                exporters:
                  jaeger_storage_exporter: {trace_storage: store}
                """.formatted(queryHttp, queryGrpc, peerDir.resolve("badger"), peerDir.resolve("badger"), otlpGrpc));
        Map<String, String> export = new HashMap<>();
        export.put("export.destinations.jaeger.type", "otlp-grpc");
        export.put("export.destinations.jaeger.endpoint", "http://127.0.0.1:" + otlpGrpc);
        export.put("export.destinations.jaeger.retry.initial-interval", "200ms");

        try (PeerProcess server = PeerProcess.start("jaeger", List.of(jaeger.toString(), "--config", "file:" + config), Map.of(), peerDir);
                Pipeline pipeline = new Pipeline("interop-jaeger", export)) {
            server.awaitListening(otlpGrpc, Duration.ofSeconds(60)).awaitListening(queryHttp, Duration.ofSeconds(30));
            pipeline.start();

            for (String fixture : Fixtures.WITH_SPANS) {
                post(pipeline, Fixtures.bytes(fixture));
            }
            post(pipeline, OtlpJson.toJson(broadcastRequests()));
            int total = 3 + GENERATED;
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spansById().size() == total);
            Map<String, SpanInContext> sent = pipeline.backend.spansById();

            Map<String, SpanInContext> stored = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                stored.clear();
                for (String service : Set.of("openrouter", "support-app")) {
                    stored.putAll(storedSpans(queryHttp, service));
                }
                return stored.size() >= total;
            });
            assertEquals(sent.keySet(), stored.keySet(), "every span sent, no other");
            for (Map.Entry<String, SpanInContext> s : sent.entrySet()) {
                SpanInContext j = stored.get(s.getKey());
                assertEquals(withSortedAttributes(asJaegerKeepsIt(s.getValue().span())), withSortedAttributes(j.span()),
                        () -> "span " + s.getKey() + " differs in " + differences(s.getValue().span(), j.span()));
                assertEquals(s.getValue().resourceSpans().getResource(), j.resourceSpans().getResource(), "resource of " + s.getKey());
                assertEquals(s.getValue().scopeSpans().getScope(), j.scopeSpans().getScope(), "scope of " + s.getKey());
            }

            // the TraceQL of the Grafana Cloud guide, as Jaeger's search asks it
            assertFound(queryHttp, "", sent, s -> service(s).equals("openrouter")); // { resource.service.name = "openrouter" }
            assertFound(queryHttp, "&tags=" + tag("trace.metadata.feature", "summarization"), sent,
                    s -> service(s).equals("openrouter") && "summarization".equals(attribute(s, "trace.metadata.feature")));
            assertFound(queryHttp, "&tags=" + tag("error", "true"), sent, // { status = error }
                    s -> service(s).equals("openrouter") && s.span().getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR);
            // { duration > 5s }: Jaeger's minDuration is "at least", and it keeps microseconds
            assertFound(queryHttp, "&minDuration=5.000001s", sent,
                    s -> service(s).equals("openrouter") && s.span().getEndTimeUnixNano() - s.span().getStartTimeUnixNano() > 5_000_000_000L);
        }
    }

    private static void post(Pipeline pipeline, byte[] json) {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(json).post("/v1/traces").then().statusCode(200);
    }

    /** Broadcast-shaped spans, one per trace, of two features, some slower than 5 s, some failed. */
    static ExportTraceServiceRequest broadcastRequests() {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("openrouter"));
        long start = System.currentTimeMillis() * 1_000_000L - 3_600_000_000_000L;
        for (int i = 0; i < GENERATED; i++) {
            long seconds = i % 3 == 0 ? 8 : i % 3 == 1 ? 2 : 5; // exactly 5 s is not more than 5 s
            Span.Builder span = Span.newBuilder().setName("LLM Generation").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                    .setTraceId(ByteString.fromHex(String.format("%032x", 0x7a3000L + i)))
                    .setSpanId(ByteString.fromHex(String.format("%016x", 0x7b3000L + i)))
                    .setStartTimeUnixNano(start + i * 1_000_000_000L).setEndTimeUnixNano(start + i * 1_000_000_000L + seconds * 1_000_000_000L)
                    .addAttributes(Attributes.string("gen_ai.request.model", "openai/gpt-4o-mini"))
                    .addAttributes(Attributes.integer("gen_ai.usage.input_tokens", 100 + i))
                    .addAttributes(Attributes.integer("gen_ai.usage.output_tokens", 10))
                    .addAttributes(Attributes.string("trace.metadata.feature", i % 2 == 0 ? "summarization" : "chat"));
            span.setStatus(i % 5 == 0 ? Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("Provider returned error")
                    : Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK));
            scope.addSpans(span);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(Attributes.string("service.name", "openrouter"))).addScopeSpans(scope)).build();
    }

    /** Jaeger's OTLP query API (v3): every span of {@code service}, with its resource and scope. */
    static Map<String, SpanInContext> storedSpans(int port, String service) throws Exception {
        String body = given().port(port).queryParam("query.service_name", service)
                .queryParam("query.start_time_min", "2000-01-01T00:00:00Z").queryParam("query.start_time_max", "2100-01-01T00:00:00Z")
                .queryParam("query.search_depth", 1000).get("/api/v3/traces").then().statusCode(200).extract().asString();
        JsonNode result = JSON.readTree(body).path("result");
        Map<String, SpanInContext> byId = new HashMap<>();
        ExportTraceServiceRequest traces = OtlpJson.parseTraces(JSON.writeValueAsBytes(result));
        for (ResourceSpans rs : traces.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    assertTrue(byId.put(Hex.encode(span.getSpanId()), new SpanInContext(rs, ss, span, null)) == null,
                            "span " + Hex.encode(span.getSpanId()) + " stored once");
                }
            }
        }
        return byId;
    }

    /** The span ids Jaeger's search finds for service openrouter plus {@code query}, against those {@code expected} picks. */
    private static void assertFound(int port, String query, Map<String, SpanInContext> sent, Predicate<SpanInContext> expected) throws Exception {
        String body = given().port(port).urlEncodingEnabled(false)
                .get("/api/traces?service=openrouter&start=946684800000000&end=4102444800000000&limit=1000" + query)
                .then().statusCode(200).extract().asString();
        Set<String> found = new HashSet<>();
        for (JsonNode trace : JSON.readTree(body).path("data")) {
            for (JsonNode span : trace.path("spans")) {
                found.add(span.path("spanID").asText());
            }
        }
        Set<String> want = sent.entrySet().stream().filter(e -> expected.test(e.getValue())).map(Map.Entry::getKey).collect(Collectors.toSet());
        assertTrue(!want.isEmpty(), "the query " + query + " has something to find");
        assertEquals(want, found, "Jaeger's search " + query);
    }

    private static String tag(String key, String value) {
        return java.net.URLEncoder.encode("{\"" + key + "\":\"" + value + "\"}", StandardCharsets.UTF_8);
    }

    private static String service(SpanInContext s) {
        return s.resourceSpans().getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals("service.name"))
                .map(kv -> kv.getValue().getStringValue()).findFirst().orElse("");
    }

    private static String attribute(SpanInContext s, String key) {
        return s.span().getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue())
                .findFirst().orElse(null);
    }

    /**
     * Jaeger's storage model has no array attributes: it keeps an array as its JSON text (redaction.masked.keys
     * comes back as {@code ["gen_ai.prompt",...]}); Tempo keeps arrays. Everything else must come back as sent.
     */
    static Span asJaegerKeepsIt(Span span) {
        Span.Builder out = span.toBuilder().clearAttributes();
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getValue().hasArrayValue()) {
                List<Object> values = kv.getValue().getArrayValue().getValuesList().stream()
                        .map(v -> v.hasStringValue() ? (Object) v.getStringValue() : v.hasIntValue() ? (Object) v.getIntValue() : v.toString()).toList();
                try {
                    out.addAttributes(Attributes.string(kv.getKey(), JSON.writeValueAsString(values)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                out.addAttributes(kv);
            }
        }
        return out.build();
    }

    /** What differs between two spans: field names, and attributes by name. */
    static List<String> differences(Span a, Span b) {
        List<String> out = new java.util.ArrayList<>();
        for (com.google.protobuf.Descriptors.FieldDescriptor f : Span.getDescriptor().getFields()) {
            if (!f.getName().equals("attributes") && !java.util.Objects.equals(a.getField(f), b.getField(f))) {
                out.add(f.getName() + ": " + a.getField(f) + " vs " + b.getField(f));
            }
        }
        Map<String, Object> x = a.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
        Map<String, Object> y = b.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
        Set<String> keys = new java.util.TreeSet<>(x.keySet());
        keys.addAll(y.keySet());
        for (String key : keys) {
            if (!java.util.Objects.equals(x.get(key), y.get(key))) {
                out.add(key + ": " + x.get(key) + " vs " + y.get(key));
            }
        }
        return out;
    }

    /** Jaeger gives a span's attributes back sorted by name: the same attributes, compared in one order. */
    private static Span withSortedAttributes(Span span) {
        List<KeyValue> sorted = span.getAttributesList().stream().sorted(java.util.Comparator.comparing(KeyValue::getKey)).toList();
        return span.toBuilder().clearAttributes().addAllAttributes(sorted).build();
    }
}
