package dev.llmtrace.ingest;

import static dev.llmtrace.ingest.IngestGrpcTest.bearer;
import static dev.llmtrace.ingest.IngestGrpcTest.metric;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection lives ingest.grpc.max-connection-age (2 s here, 2 min by default), then is told to go away: the
 * client's new calls go over a new connection, none fails, and a call still waiting for its message after the
 * grace (1 s here) ends with its connection, giving its receive slot back although other calls kept the
 * connection busy all along (the keep-alive ping only ends a quiet one).
 */
@QuarkusTest
@TestProfile(GrpcConnectionAgeTest.ShortConnectionAge.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class GrpcConnectionAgeTest {
    public static class ShortConnectionAge implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.grpc.max-connection-age", "2s", "ingest.grpc.max-connection-age-grace", "1s");
        }
    }

    @Test
    void connectionsAreRenewedAndAStalledCallEndsWithItsConnection() throws Exception {
        FakeEnrich.receiver.failWith(null);
        Set<SocketAddress> connections = ConcurrentHashMap.newKeySet(); // the client's end of each connection a call used
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 24317).usePlaintext().build();
        try {
            Channel recorded = ClientInterceptors.intercept(channel, recordConnection(connections),
                    MetadataUtils.newAttachHeadersInterceptor(bearer("test-token-acme")));
            byte[] request = IngestGrpcTest.fixture().toByteArray();
            GrpcReceiveLimitTest.Held stalled = GrpcReceiveLimitTest.Held.start(channel, "test-token-acme");
            await().atMost(Duration.ofSeconds(5)).until(() -> metric(GrpcReceiveLimitTest.RECEIVING) == 1.0);
            long started = System.nanoTime();

            int answered = 0;
            while (!stalled.answer().isDone() && System.nanoTime() - started < 15_000_000_000L) { // never quiet
                assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ClientCalls.blockingUnaryCall(recorded,
                        SerializedExport.METHOD, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request));
                answered++;
                Thread.sleep(100);
            }
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(stalled.answer().isDone(), "the stalled call still holds its slot after " + waited + " ms");
            ExecutionException ended = assertThrows(ExecutionException.class, () -> stalled.answer().get());
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(ended.getCause()).getCode(), ended.getCause().toString());
            assertTrue(waited < 6_000, "ended after " + waited + " ms (age 2 s + 10 %, grace 1 s)");
            await().atMost(Duration.ofSeconds(2)).until(() -> metric(GrpcReceiveLimitTest.RECEIVING) == 0.0);

            while (connections.size() < 3 && System.nanoTime() - started < 15_000_000_000L) {
                ClientCalls.blockingUnaryCall(recorded, SerializedExport.METHOD, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
                answered++;
                Thread.sleep(100);
            }
            assertTrue(connections.size() >= 3, "calls used " + connections.size() + " connections in " + answered + " calls");
        } finally {
            channel.shutdownNow();
        }
    }

    /** Notes the local address of the connection each call went over. */
    private static ClientInterceptor recordConnection(Set<SocketAddress> connections) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        ClientCall<Q, R> call = delegate();
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata responseHeaders) {
                                SocketAddress local = call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
                                if (local != null) {
                                    connections.add(local);
                                }
                                super.onHeaders(responseHeaders);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
