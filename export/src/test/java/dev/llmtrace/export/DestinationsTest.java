package dev.llmtrace.export;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.otlp.Hex;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** export over its real gRPC port, fanning out to fake backends on real ports, one per preset and fault. */
@QuarkusTest
@QuarkusTestResource(value = Backends.class, restrictToAnnotatedClass = true)
class DestinationsTest {
    static final AtomicInteger NEXT_SPAN = new AtomicInteger(1);
    ManagedChannel channel;
    TraceServiceGrpc.TraceServiceBlockingStub export;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", 24517).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(Tenants.HEADER, "acme");
        export = TraceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    /** A batch of {@code spans} spans tagged for one test case. */
    static ExportTraceServiceRequest batch(String testCase, int spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < spans; i++) {
            int n = NEXT_SPAN.getAndIncrement();
            scope.addSpans(Span.newBuilder().setName("LLM Generation").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                    .setTraceId(ByteString.fromHex(String.format("%032x", 0xabc000L + n)))
                    .setSpanId(ByteString.fromHex(String.format("%016x", 0xdef000L + n)))
                    .setStartTimeUnixNano(1_790_000_000_000_000_000L).setEndTimeUnixNano(1_790_000_001_000_000_000L)
                    .addAttributes(kv("test.case", testCase))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(n))));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "openrouter"))).addScopeSpans(scope)).build();
    }

    static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static List<String> spanIds(ExportTraceServiceRequest request) {
        List<String> ids = new ArrayList<>();
        request.getResourceSpans(0).getScopeSpans(0).getSpansList().forEach(s -> ids.add(Hex.encode(s.getSpanId())));
        return ids;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachPresetSendsTheExactPathHeadersAndBody() {
        ExportTraceServiceRequest request = batch("presets", 2);
        export.export(request);
        Duration wait = Duration.ofSeconds(15);

        await().atMost(wait).until(() -> !Backends.tempoHttp.requests.isEmpty());
        FakeHttpBackend.Request tempo = Backends.tempoHttp.requests.get(0);
        assertEquals("POST", tempo.method());
        assertEquals("/v1/traces", tempo.path());
        assertEquals("acme", tempo.header("X-Scope-OrgID"), "the tenant ingest authenticated");
        assertEquals("application/x-protobuf", tempo.header("Content-Type"));
        assertEquals("gzip", tempo.header("Content-Encoding"));
        assertNull(tempo.header("Authorization"));
        assertEquals(request, tempo.decoded());

        await().atMost(wait).until(() -> !Backends.openobserveHttp.requests.isEmpty());
        FakeHttpBackend.Request o2 = Backends.openobserveHttp.requests.get(0);
        assertEquals("POST", o2.method());
        assertEquals("/api/llm-org/v1/traces", o2.path());
        assertEquals(basic("root@example.com", "o2-password"), o2.header("Authorization"));
        assertEquals("llm_traces", o2.header("stream-name"));
        assertEquals("application/x-protobuf", o2.header("Content-Type"));
        assertEquals(request, o2.decoded());

        await().atMost(wait).until(() -> !Backends.grafanaCloud.requests.isEmpty());
        FakeHttpBackend.Request cloud = Backends.grafanaCloud.requests.get(0);
        assertEquals("/otlp/v1/traces", cloud.path());
        assertEquals(basic("123456", "glc_secret"), cloud.header("Authorization"));
        assertNull(cloud.header("X-Scope-OrgID"));
        assertEquals(request, cloud.decoded());

        await().atMost(wait).until(() -> !Backends.otlpHttpJson.requests.isEmpty());
        FakeHttpBackend.Request json = Backends.otlpHttpJson.requests.get(0);
        assertEquals("/v1/traces", json.path());
        assertEquals("application/json", json.header("Content-Type"));
        assertNull(json.header("Content-Encoding"), "gzip=false");
        assertEquals("json-key", json.header("X-Api-Key"));
        String body = new String(json.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"spanId\":\"" + spanIds(request).get(0) + "\""), "hex ids in OTLP/JSON: " + body);
        assertEquals(request, json.decoded());

        await().atMost(wait).until(() -> !Backends.tempoGrpc.received().isEmpty());
        FakeOtlpReceiver.Received tempoGrpc = Backends.tempoGrpc.received().get(0);
        assertEquals("team-x", header(tempoGrpc, "x-scope-orgid"), "a fixed tenant overrides the data's");
        assertEquals("Bearer tempo-token", header(tempoGrpc, "authorization"));
        assertNull(tempoGrpc.tenant(), "our own tenant header never reaches a backend");
        assertEquals(request, tempoGrpc.request());

        await().atMost(wait).until(() -> !Backends.openobserveGrpc.received().isEmpty());
        FakeOtlpReceiver.Received o2Grpc = Backends.openobserveGrpc.received().get(0);
        assertEquals("llm-org", header(o2Grpc, "organization"));
        assertEquals("llm_traces", header(o2Grpc, "stream-name"));
        assertEquals(basic("root@example.com", "o2-password"), header(o2Grpc, "authorization"));
        assertEquals(request, o2Grpc.request());

        await().atMost(wait).until(() -> !Backends.otlpGrpc.received().isEmpty());
        assertEquals(request, Backends.otlpGrpc.received().get(0).request());

        assertTrue(Backends.healthy.requests.isEmpty(), "filters keep other destinations' data away");
    }

    @Test
    void anUnfilteredDestinationGetsEveryBatchExactlyAsSent() {
        List<ExportTraceServiceRequest> sent = List.of(batch("presets", 3), batch("no-such-case", 2), batch("outage", 1));
        sent.forEach(export::export);
        for (ExportTraceServiceRequest request : sent) {
            await().atMost(Duration.ofSeconds(15)).until(() -> Backends.everything.received().stream()
                    .anyMatch(r -> r.request().equals(request)));
        }
        long copies = Backends.everything.received().stream().filter(r -> sent.contains(r.request())).count();
        assertEquals(3, copies, "each batch once, whole, whatever other destinations filter");
    }

    static String header(FakeOtlpReceiver.Received received, String name) {
        return received.headers().get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }

    @Test
    void aFailingBackendNeitherDelaysNorDuplicatesIntoAHealthyOne() {
        long outageEnds = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Backends.flaky.answer(n -> System.nanoTime() < outageEnds ? new FakeHttpBackend.Answer(503, null, 0) : FakeHttpBackend.Answer.OK);
        List<String> sent = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            ExportTraceServiceRequest request = batch("outage", 5);
            export.export(request); // acknowledged once queued for both, while one of them is down
            sent.addAll(spanIds(request));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Backends.healthy.spanIds().size() >= sent.size());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the healthy backend did not wait for the failing one");
        assertTrue(System.nanoTime() < outageEnds, "delivered to the healthy one while the other was still down");

        await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(Backends.flaky.spanIds()).containsAll(sent));
        assertEquals(sent.size(), Backends.healthy.spanIds().size(), "nothing sent twice to the healthy backend");
        assertEquals(new HashSet<>(sent), new HashSet<>(Backends.healthy.spanIds()));
        assertEquals(sent.size(), Backends.flaky.spanIds().size(), "after recovery, each batch delivered once");
        assertTrue(Backends.flaky.requests.stream().filter(r -> r.status() == 503).count() >= 20, "it was retried meanwhile");
        assertTrue(metric("llmtrace_export_retries_total{destination=\"flaky\"}") > 0);
    }

    @Test
    void retryAfterOn429IsHonoured() {
        Backends.throttling.answer(n -> n == 1 ? new FakeHttpBackend.Answer(429, "2", 0) : FakeHttpBackend.Answer.OK);
        export.export(batch("throttled", 1));
        await().atMost(Duration.ofSeconds(15)).until(() -> Backends.throttling.requests.size() >= 2);
        long gap = Backends.throttling.requests.get(1).atNanos() - Backends.throttling.requests.get(0).atNanos();
        assertTrue(gap >= Duration.ofSeconds(2).toNanos(), "no attempt before Retry-After: " + gap / 1_000_000 + " ms");
    }

    @Test
    void badRequestIsDroppedWithoutRetryAndCounted() throws Exception {
        Backends.refusing.answer(n -> new FakeHttpBackend.Answer(400, null, 0));
        export.export(batch("bad-request", 3));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Double.valueOf(3.0).equals(metric("llmtrace_export_spans_dropped_total{destination=\"refusing\",reason=\"http_400\"}")));
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("llmtrace_export_queue_items{destination=\"refusing\"}") == 0.0);
        // the batch is settled (dropped, out of the queue): no retry can follow the one attempt
        assertEquals(1, Backends.refusing.requests.size());
    }

    @Test
    void connectionRefusedIsRetriedUntilTheBackendComesUp() throws Exception {
        ExportTraceServiceRequest request = batch("refused", 2);
        export.export(request);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                metric("llmtrace_export_failures_total{destination=\"unreachable\",reason=\"transport\"}") >= 2); // refused, retried
        try (FakeHttpBackend late = new FakeHttpBackend(Backends.refusedPort)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !late.requests.isEmpty());
            assertEquals(request, late.requests.get(0).decoded());
        }
    }

    @Test
    void timeoutsAreRetried() {
        Backends.slow.answer(n -> n == 1 ? new FakeHttpBackend.Answer(200, null, 2000) : FakeHttpBackend.Answer.OK);
        export.export(batch("timeout", 1));
        await().atMost(Duration.ofSeconds(15)).until(() -> Backends.slow.requests.size() >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                metric("llmtrace_export_failures_total{destination=\"slow\",reason=\"timeout\"}") >= 1);
    }

    @Test
    void partialSuccessIsCountedAndNotRetried() throws Exception {
        byte[] response = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.newBuilder()
                .setPartialSuccess(io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(1).setErrorMessage("span too old")).build().toByteArray();
        Backends.partial.answer(n -> new FakeHttpBackend.Answer(200, null, 0, response));
        export.export(batch("partial", 2));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                metric("llmtrace_export_spans_rejected_total{destination=\"partial\"}") == 1.0);
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("llmtrace_export_queue_items{destination=\"partial\"}") == 0.0);
        assertEquals(1, Backends.partial.requests.size(), "a partial success is settled after one attempt, not retried");
    }

    @Test
    void exhaustedRetriesGoToTheDeadLetterFile() throws Exception {
        Backends.doomed.answer(n -> new FakeHttpBackend.Answer(503, null, 0));
        ExportTraceServiceRequest request = batch("doomed", 2);
        export.export(request);
        java.nio.file.Path dir = java.nio.file.Path.of("target/test-dead-letters/doomed");
        await().atMost(Duration.ofSeconds(15)).until(() ->
                metric("llmtrace_export_spans_dead_lettered_total{destination=\"doomed\"}") == 2.0);
        try (var files = java.nio.file.Files.list(dir)) {
            List<String> lines = new ArrayList<>();
            for (java.nio.file.Path f : files.toList()) {
                lines.addAll(java.nio.file.Files.readAllLines(f));
            }
            assertTrue(lines.stream().anyMatch(l -> dev.llmtrace.core.otlp.OtlpJson.parseTraces(l.getBytes(StandardCharsets.UTF_8))
                    .equals(request)), "the batch is kept as OTLP/JSON for replay");
        }
    }

    @Test
    void dropOldestMakesRoomAndCounts() {
        Backends.droppingOldest.answer(n -> new FakeHttpBackend.Answer(503, null, 0));
        for (int i = 0; i < 8; i++) {
            export.export(batch("drop-oldest", 3)); // ~600 bytes each against a 2 KiB queue: never refused
        }
        assertTrue(metric("llmtrace_export_spans_dropped_total{destination=\"dropping\",reason=\"queue_full\"}") >= 3.0);
        assertTrue(metric("llmtrace_export_queue_bytes{destination=\"dropping\"}") <= 2048.0);
    }

    @Test
    void blockWaitsForRoomThenRefusesSoTheSenderRetriesLater() throws Exception {
        Backends.blocking.answer(n -> new FakeHttpBackend.Answer(503, null, 0));
        int accepted = 0;
        io.grpc.StatusRuntimeException refused = null;
        long refusedAfterNanos = 0;
        for (int i = 0; i < 10 && refused == null; i++) {
            long start = System.nanoTime();
            try {
                export.export(batch("block", 3));
                accepted++;
            } catch (io.grpc.StatusRuntimeException e) {
                refused = e;
                refusedAfterNanos = System.nanoTime() - start;
            }
        }
        assertTrue(accepted >= 2, "took batches while there was room: " + accepted);
        assertTrue(refused != null, "then refused");
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, refused.getStatus().getCode(), "retryable, so enrich and ingest hold the data");
        assertTrue(refused.getStatus().getDescription().contains("queue of destination blocking is full"));
        assertTrue(refusedAfterNanos >= Backends.WAIT_FOR_ROOM.minusMillis(100).toNanos(),
                "waited export.queue.wait-for-room for room first: " + refusedAfterNanos / 1_000_000 + " ms");
        given().port(29103).get("/q/health/ready").then().statusCode(503);

        // a batch that comes while the queue is full waits, and is taken as soon as the backend drains it
        var waiting = java.util.concurrent.CompletableFuture.runAsync(() -> export.export(batch("block", 3)));
        Thread.sleep(500);
        assertTrue(!waiting.isDone(), "waiting for room, neither taken nor refused");
        Backends.blocking.answer(n -> FakeHttpBackend.Answer.OK);
        waiting.get(Backends.WAIT_FOR_ROOM.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> given().port(29103).get("/q/health/ready").statusCode() == 200);
        export.export(batch("block", 3));
        assertEquals(1.0, metric("llmtrace_export_failures_total{destination=\"blocking\",reason=\"queue_full\"}"),
                "one refusal counted, not each look for room");
    }

    static Double metric(String series) {
        String all = given().port(29103).get("/q/metrics").asString();
        return all.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }
}
