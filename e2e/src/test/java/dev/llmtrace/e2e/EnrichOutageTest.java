package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenRouter does not retry, so ingest must hold what enrich cannot take: enrich is stopped for
 * 10 s while Broadcast-style requests keep arriving, then restarted; every span must arrive.
 */
class EnrichOutageTest {
    static Pipeline pipeline;

    @BeforeAll
    static void start() {
        assumeFalse(Pipeline.ALL_IN_ONE, "the all-in-one has no enrich of its own to stop; CrashTest covers its restarts");
        pipeline = new Pipeline("enrich-outage").start();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void tenSecondEnrichOutageLosesNothing() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        long sendFor = Duration.ofSeconds(22).toNanos();
        Thread sender = new Thread(() -> {
            long start = System.nanoTime();
            for (int i = 1; System.nanoTime() - start < sendFor; i++) {
                ExportTraceServiceRequest request = oneSpan(i);
                String spanId = Hex.encode(request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getSpanId());
                try {
                    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(
                                    URI.create("http://localhost:" + pipeline.ingestHttp + "/v1/traces"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + Pipeline.TOKEN)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpJson.toJson(request))).build(),
                            HttpResponse.BodyHandlers.discarding());
                    statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 200) {
                        sent.add(spanId);
                    }
                    Thread.sleep(40);
                } catch (Exception e) {
                    statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                }
            }
        }, "broadcast-sender");
        sender.start();

        Thread.sleep(3000); // traffic before the outage
        pipeline.enrich.stop();
        int atStop = sent.size();
        Thread.sleep(10_000); // the outage
        int acceptedDuringOutage = sent.size() - atStop;
        pipeline.enrich.start().awaitReady(Pipeline.READY);
        sender.join();

        assertEquals(Set.of(200), statuses.keySet(), "every request was accepted while enrich was down: " + statuses);
        assertTrue(acceptedDuringOutage > 100, "requests answered 200 while enrich was down: " + acceptedDuringOutage);
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spansById().keySet().containsAll(sent));
        Set<String> missing = new HashSet<>(sent);
        missing.removeAll(pipeline.backend.spansById().keySet());
        assertEquals(Set.of(), missing, "zero spans lost");
        int duplicates = pipeline.backend.spanCount() - pipeline.backend.spansById().size();
        System.out.printf("outage test: %d spans sent, %d delivered, %d duplicates%n", sent.size(),
                pipeline.backend.spansById().size(), duplicates);
        assertTrue(duplicates <= 16, "duplicates bounded by the requests in flight at the stop: " + duplicates);
    }

    static ExportTraceServiceRequest oneSpan(int i) {
        ByteString traceId = ByteString.fromHex(String.format("%032x", 0x5b8e0000L + i));
        ByteString spanId = ByteString.fromHex(String.format("%016x", 0xee000000L + i));
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("openrouter"))))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                        .setTraceId(traceId).setSpanId(spanId).setName("LLM Generation").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                        .setStartTimeUnixNano(1_790_000_000_000_000_000L + i).setEndTimeUnixNano(1_790_000_001_000_000_000L + i)
                        .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens")
                                .setValue(AnyValue.newBuilder().setIntValue(i))))))
                .build();
    }
}
