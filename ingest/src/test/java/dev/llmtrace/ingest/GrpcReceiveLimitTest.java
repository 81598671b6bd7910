package dev.llmtrace.ingest;

import static dev.llmtrace.ingest.IngestGrpcTest.bearer;
import static dev.llmtrace.ingest.IngestGrpcTest.metric;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls that start and then send their message slowly, or never, each hold a slot worth the largest message,
 * since gRPC buffers a message off the heap until all of it has come. With 3 slots and a tenant share of 0.85,
 * one tenant holds 2 at most: its third call is refused at once, another tenant still gets in, and the slots come
 * back when the messages arrive or the calls end.
 */
@QuarkusTest
@TestProfile(GrpcReceiveLimitTest.ThreeSlots.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class GrpcReceiveLimitTest {
    static final String RECEIVING = "llmtrace_grpc_calls_receiving{service=\"ingest\"}";
    static final String REFUSED = "llmtrace_requests_rejected_total{reason=\"grpc_calls_full\",service=\"ingest\"}";

    public static class ThreeSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.limits.max-grpc-calls-receiving", "3", "ingest.memory.tenant-share", "0.85");
        }
    }

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", 24317).usePlaintext().build();
        FakeEnrich.receiver.failWith(null);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void callsWaitingForTheirMessageAreBoundedPerTenant() throws Exception {
        byte[] request = IngestGrpcTest.fixture().toByteArray();
        double refusedBefore = metric(REFUSED);
        Held first = Held.start(channel, "test-token-acme");
        Held second = Held.start(channel, "test-token-acme");
        await().atMost(Duration.ofSeconds(5)).until(() -> metric(RECEIVING) == 2.0);

        StatusRuntimeException third = assertThrows(StatusRuntimeException.class, () -> export("test-token-acme", request));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.getStatus().getCode(), third.getStatus().toString());
        assertEquals("too many calls receiving at once; retry later", third.getStatus().getDescription());
        assertTrue(GrpcErrors.classify(third).isRetryable(), "with a retry delay, as OTLP asks");
        assertEquals(refusedBefore + 1, metric(REFUSED));
        assertEquals(ExportTraceServiceResponse.getDefaultInstance(), export("test-token-beta", request), "another tenant gets in");

        first.send(request); // its message comes after all: answered, and its slot is back
        assertEquals(ExportTraceServiceResponse.getDefaultInstance(), first.answer.get(10, TimeUnit.SECONDS));
        second.call.cancel("the sender gives up", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> metric(RECEIVING) == 0.0);
        assertEquals(ExportTraceServiceResponse.getDefaultInstance(), export("test-token-acme", request));
        assertEquals(refusedBefore + 1, metric(REFUSED));
    }

    ExportTraceServiceResponse export(String token, byte[] request) {
        return ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(bearer(token))),
                SerializedExport.METHOD, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    /**
     * The Export method as a client that streams its request would call it: grpc-java holds a unary call's headers
     * back until its message is written, and these calls must reach the server without one.
     */
    static final MethodDescriptor<byte[], ExportTraceServiceResponse> HEADERS_FIRST = SerializedExport.METHOD.toBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).build();

    /** A call whose headers went out and whose message has not (yet). */
    record Held(ClientCall<byte[], ExportTraceServiceResponse> call, CompletableFuture<ExportTraceServiceResponse> answer) {
        static Held start(ManagedChannel channel, String token) {
            ClientCall<byte[], ExportTraceServiceResponse> call = channel.newCall(HEADERS_FIRST, CallOptions.DEFAULT);
            CompletableFuture<ExportTraceServiceResponse> answer = new CompletableFuture<>();
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(ExportTraceServiceResponse message) {
                    answer.complete(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    if (!status.isOk()) {
                        answer.completeExceptionally(status.asRuntimeException(trailers));
                    }
                }
            }, bearer(token));
            call.request(1);
            return new Held(call, answer);
        }

        void send(byte[] request) {
            call.sendMessage(request);
            call.halfClose();
        }
    }
}
