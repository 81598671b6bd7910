package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** export over its real gRPC port to an OTLP/HTTP protobuf backend on a real port. */
@QuarkusTest
@QuarkusTestResource(value = FakeHttpBackend.class, restrictToAnnotatedClass = true)
class HttpDestinationTest {
    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", 24517).usePlaintext().build();
        FakeHttpBackend.REQUESTS.clear();
        FakeHttpBackend.STATUS.set(200);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void postsGzippedProtobufWithConfiguredHeaders() throws Exception {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        TraceServiceGrpc.newBlockingStub(channel).export(request);
        assertEquals(1, FakeHttpBackend.REQUESTS.size());
        FakeHttpBackend.Request got = FakeHttpBackend.REQUESTS.get(0);
        assertEquals("POST", got.method());
        assertEquals("/v1/traces", got.path());
        assertEquals("application/x-protobuf", got.header("Content-Type"));
        assertEquals("gzip", got.header("Content-Encoding"));
        assertEquals("Bearer backend-secret", got.header("Authorization"));
        assertEquals(request, ExportTraceServiceRequest.parseFrom(BoundedGzip.gunzip(got.body(), 1 << 20)));
    }

    @Test
    void backendErrorsAreAnsweredSoTheSenderKnowsWhetherToRetry() {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        FakeHttpBackend.STATUS.set(503);
        StatusRuntimeException retryable = assertThrows(StatusRuntimeException.class,
                () -> TraceServiceGrpc.newBlockingStub(channel).export(request));
        assertEquals(Status.Code.UNAVAILABLE, retryable.getStatus().getCode());
        FakeHttpBackend.STATUS.set(400);
        StatusRuntimeException permanent = assertThrows(StatusRuntimeException.class,
                () -> TraceServiceGrpc.newBlockingStub(channel).export(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, permanent.getStatus().getCode());
        assertEquals("downstream: HTTP 400", permanent.getStatus().getDescription());
    }
}
