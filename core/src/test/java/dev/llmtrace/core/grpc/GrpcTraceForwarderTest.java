package dev.llmtrace.core.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmtrace.core.FakeOtlpReceiver;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcTraceForwarderTest {

    /**
     * ingest answers its sender before it forwards, so the forward may start on a thread whose gRPC
     * context belongs to an inbound call that has already ended. The forward must still go through:
     * a cancelled forward is retried, and the retry duplicated batches the next hop had already taken.
     */
    @Test
    void aForwardOutlivesTheInboundCallItStartedIn() throws Exception {
        try (FakeOtlpReceiver next = FakeOtlpReceiver.onFreePort()) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", next.port()).usePlaintext().build();
            try {
                GrpcTraceForwarder forwarder = GrpcTraceForwarder.toNextHop(channel, Duration.ofSeconds(5));
                Context.CancellableContext inbound = Context.current().withCancellation();
                inbound.cancel(null); // the inbound call has been answered
                inbound.call(() -> forwarder.export(oneSpan(), "t1")).get(10, TimeUnit.SECONDS);
                inbound.call(() -> forwarder.export(oneSpan().toByteArray(), "t2")).get(10, TimeUnit.SECONDS);
                assertEquals(2, next.spanCount());
                assertEquals("t1", next.received().get(0).tenant());
                assertEquals("t2", next.received().get(1).tenant());
                assertEquals(oneSpan(), next.received().get(1).request());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    static ExportTraceServiceRequest oneSpan() {
        Span span = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setName("chat").build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    }
}
