package dev.llmtrace.e2e;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OTLP/HTTP JSON requests as OpenRouter Broadcast sends them, from a few sender threads until stopped.
 * A span counts as sent only when ingest answered its request 200: that is what a sender never sends again.
 */
final class BroadcastLoad implements AutoCloseable {
    static final int SPANS_PER_REQUEST = 10;

    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger nextRequest = new AtomicInteger();
    private final List<Thread> senders = new ArrayList<>();
    private final int idBase;

    /** {@code idBase} keeps the ids of one test apart from another's. */
    BroadcastLoad(int port, int threads, Duration pause, int idBase) {
        this.idBase = idBase;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://localhost:" + port + "/v1/traces");
        for (int t = 0; t < threads; t++) {
            Thread sender = new Thread(() -> {
                while (running.get()) {
                    ExportTraceServiceRequest request = request(nextRequest.incrementAndGet());
                    int status;
                    try {
                        status = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                                        .header("Content-Type", "application/json")
                                        .header("Authorization", "Bearer " + Pipeline.TOKEN)
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpJson.toJson(request))).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1; // connection refused or reset: the sender knows it was not taken
                    }
                    statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                    if (status == 200) {
                        request.getResourceSpans(0).getScopeSpans(0).getSpansList().forEach(s -> sent.add(Hex.encode(s.getSpanId())));
                    }
                    ServiceProcess.sleep(status == -1 ? 100 : pause.toMillis());
                }
            }, "broadcast-sender-" + t);
            sender.start();
            senders.add(sender);
        }
    }

    int requestsAnswered(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    ExportTraceServiceRequest request(int i) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int s = 0; s < SPANS_PER_REQUEST; s++) {
            long n = (long) idBase * 10_000_000L + (long) i * SPANS_PER_REQUEST + s;
            scope.addSpans(Span.newBuilder()
                    .setTraceId(ByteString.fromHex(String.format("%032x", 0x5b8e0000_0000L + n)))
                    .setSpanId(ByteString.fromHex(String.format("%016x", 0xee00_0000_0000L + n)))
                    .setName("LLM Generation").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                    .setStartTimeUnixNano(1_790_000_000_000_000_000L + n).setEndTimeUnixNano(1_790_000_001_000_000_000L + n)
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.request.model").setValue(AnyValue.newBuilder().setStringValue("openai/gpt-4o")))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(100 + s))));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("openrouter"))))
                .addScopeSpans(scope)).build();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread sender : senders) {
            sender.join(30_000);
        }
    }
}
