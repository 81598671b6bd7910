package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.otlp.Hex;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Collector has lost persistent-queue data on restart; we must not. 10k spans are queued in
 * export for a backend that is down, export is killed with SIGKILL, started again, the backend comes
 * up: every span arrives.
 */
class ExportKillTest {
    static final int BATCHES = 100;
    static final int SPANS_PER_BATCH = 100;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void restartWithTenThousandQueuedSpansLosesNothing(boolean sigkill) throws Exception {
        assumeFalse(Pipeline.ALL_IN_ONE, "export alone; the all-in-one's queue is covered by CrashTest");
        Path work = Pipeline.freshDirectory("export-" + (sigkill ? "kill" : "stop"));
        try (FakeOtlpReceiver backend = FakeOtlpReceiver.onFreePort()) {
            backend.failWith(Status.UNAVAILABLE.withDescription("backend down"));
            int grpcPort = FreePorts.next();
            int httpPort = FreePorts.next();
            Map<String, String> props = new HashMap<>(Pipeline.exportTo(backend.port(), work));
            props.put("quarkus.grpc.server.port", Integer.toString(grpcPort));
            props.put("quarkus.http.port", Integer.toString(httpPort));
            ServiceProcess export = new ServiceProcess("export", props, Map.of(), httpPort, work);
            export.start().awaitReady(Pipeline.READY);

            Set<String> sent = new HashSet<>();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
            try {
                Metadata headers = new Metadata();
                headers.put(Tenants.HEADER, "acme");
                var stub = TraceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
                for (int b = 0; b < BATCHES; b++) {
                    ExportTraceServiceRequest batch = batch(b);
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).export(batch); // OK = durably queued
                    batch.getResourceSpans(0).getScopeSpans(0).getSpansList().forEach(s -> sent.add(Hex.encode(s.getSpanId())));
                }
            } finally {
                channel.shutdownNow();
            }
            assertEquals(BATCHES * SPANS_PER_BATCH, sent.size());
            assertTrue(backend.spanCount() == 0, "the backend was down");

            if (sigkill) {
                export.kill(); // no shutdown hook, no flush
            } else {
                export.stop(); // SIGTERM: stops retrying, keeps the queue on disk
            }
            backend.failWith(null);
            export.start().awaitReady(Pipeline.READY);

            await().atMost(Duration.ofSeconds(90)).until(() -> backend.spansById().keySet().containsAll(sent));
            int duplicates = backend.spanCount() - backend.spansById().size();
            System.out.printf((sigkill ? "kill -9" : "SIGTERM") + " test: %d spans queued, %d delivered after restart, %d duplicates%n",
                    sent.size(), backend.spansById().size(), duplicates);
            assertEquals(0, duplicates, "nothing was in flight to the (down) backend at the kill, so nothing is sent twice");
            export.stop();
        }
    }

    static ExportTraceServiceRequest batch(int b) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < SPANS_PER_BATCH; i++) {
            long n = (long) b * SPANS_PER_BATCH + i + 1;
            scope.addSpans(Span.newBuilder().setName("LLM Generation")
                    .setTraceId(ByteString.fromHex(String.format("%032x", 0x7700000L + n)))
                    .setSpanId(ByteString.fromHex(String.format("%016x", 0x8800000L + n)))
                    .setStartTimeUnixNano(1_790_000_000_000_000_000L + n).setEndTimeUnixNano(1_790_000_001_000_000_000L + n)
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens").setValue(AnyValue.newBuilder().setIntValue(n))));
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("openrouter"))))
                .addScopeSpans(scope)).build();
    }
}
