package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 16 senders post a 15 MiB OTLP/JSON body each at the same moment (under the 20 MiB limit; 9 MiB to the
 * all-in-one, under its memory's 10), against
 * services with the images' 256 MiB heap. Memory admission must answer what does not fit with 503 +
 * Retry-After instead of an OutOfMemoryError; senders that retry as told get everything in, and
 * every span of every accepted body arrives once.
 */
class MemoryBurstTest {
    static final int SENDERS = 16;
    /** 15 MiB; the all-in-one, one heap for all stages, takes JSON bodies up to 10 MiB (413 above): 9 MiB there. */
    static final int BODY_BYTES = Pipeline.ALL_IN_ONE ? 9 << 20 : 15 << 20;

    @Test
    void sixteenFifteenMebibyteBodiesAtOnce() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (int b = 0; b < SENDERS; b++) {
            ExportTraceServiceRequest request = body(b);
            request.getResourceSpansList().forEach(rs -> expected.add(Hex.encode(rs.getScopeSpans(0).getSpans(0).getSpanId())));
            bodies.add(OtlpJson.toJson(request));
        }
        assertTrue(bodies.get(0).length >= BODY_BYTES && bodies.get(0).length < 20 << 20, "under the limit");

        try (Pipeline pipeline = new Pipeline("memory-burst").start()) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            List<Future<Integer>> attempts = new ArrayList<>();
            for (byte[] body : bodies) {
                attempts.add(senders.submit(() -> sendUntilAccepted(client, pipeline.ingestHttp, body, statuses)));
            }
            for (Future<Integer> attempt : attempts) {
                assertEquals(200, attempt.get(), "every body got in once it fit: " + statuses);
            }
            senders.shutdown();
            System.out.printf("memory burst: %d bodies of %d bytes, answers %s%n", SENDERS, bodies.get(0).length, statuses);
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 200 || s == 413 || s == 429 || s == 503), statuses.toString());

            await().atMost(Duration.ofSeconds(180)).until(() -> pipeline.backend.spansById().keySet().containsAll(expected));
            assertEquals(expected.size(), pipeline.backend.spansById().size());
            for (ServiceProcess service : pipeline.processes()) {
                service.metrics().lines().filter(l -> l.matches("llmtrace_(forward|batches_repeated|export_(retries|failures|spans_sent)|spans_(forwarded|received)|wal_replayed).*"))
                        .forEach(l -> System.out.println("memory burst metric: " + l));
            }
            System.out.println("memory burst backend requests: " + pipeline.backend.received().size());
            assertEquals(expected.size(), pipeline.backend.spanCount(), "each span once");
            for (ServiceProcess service : List.of(pipeline.ingest, pipeline.enrich, pipeline.export)) {
                assertFalse(Files.readString(service.log()).contains("OutOfMemoryError"), "no OutOfMemoryError in " + service.log());
            }
            assertTrue(pipeline.ingest.metrics().contains("llmtrace_memory_in_flight_bytes{service=\"ingest\"} 0.0"),
                    "everything it held is given back");
        }
    }

    /** Posts until 200, waiting what Retry-After says after a 503; returns the last status. */
    static int sendUntilAccepted(HttpClient client, int port, byte[] body, Map<Integer, AtomicInteger> statuses) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        int status = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/traces"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + Pipeline.TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
            if (status != 503 && status != 429) {
                return status;
            }
            Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
        }
        return status;
    }

    /** Broadcast spans, each in its own resource as OpenRouter sends them, with ids unique to body {@code b}. */
    static ExportTraceServiceRequest body(int b) {
        ResourceSpans template = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).getResourceSpans(0);
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        int wrapper = "{\"resourceSpans\":[]}".length();
        int perBody = BODY_BYTES / (OtlpJson.toJson(ExportTraceServiceRequest.newBuilder().addResourceSpans(template).build()).length - wrapper) + 1;
        for (int i = 0; i < perBody; i++) {
            long n = (long) b * 1_000_000 + i + 1;
            ResourceSpans.Builder rs = template.toBuilder();
            rs.getScopeSpansBuilder(0).getSpansBuilder(0)
                    .setTraceId(ByteString.fromHex(String.format("%032x", 0xb0b5L << 40 | n)))
                    .setSpanId(ByteString.fromHex(String.format("%016x", 0xb0b5L << 40 | n)));
            request.addResourceSpans(rs);
        }
        return request.build();
    }
}
