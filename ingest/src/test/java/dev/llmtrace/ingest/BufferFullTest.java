package dev.llmtrace.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.RetryInfo;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A full hand-off buffer is refused loudly (503 + Retry-After, RESOURCE_EXHAUSTED + RetryInfo), never dropped; a request
 * (HTTP or gRPC) first waits for room, so one that finds it in time is taken instead of refused.
 */
@QuarkusTest
@TestProfile(BufferFullTest.TinyBuffer.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class BufferFullTest {

    public static class TinyBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.buffer.max-requests", "2", "ingest.buffer.retry-after", "3s", "ingest.buffer.wait-for-room", "2s");
        }
    }

    @Test
    void fullBufferRefusesThenRecovers() {
        FakeEnrich.receiver.clear();
        FakeEnrich.receiver.failWith(Status.UNAVAILABLE);
        for (int i = 0; i < 2; i++) {
            IngestHttpTest.post("application/json", Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(200);
        }
        long t0 = System.nanoTime();
        IngestHttpTest.post("application/json", Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(503)
                .header("Retry-After", "3").body("code", equalTo(14)).body("message", containsString("buffer is full"));
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(1900).toNanos(), "an HTTP request waits for room before its 503");

        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 24317).usePlaintext().build();
        try {
            Metadata headers = IngestGrpcTest.bearer("test-token-acme");
            var stub = TraceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            long g0 = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> stub.export(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL))));
            assertTrue(System.nanoTime() - g0 >= Duration.ofMillis(1900).toNanos(), "a gRPC call waits for room too");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            RetryInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
            assertEquals(3, info.getRetryDelay().getSeconds());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        } finally {
            channel.shutdownNow();
        }
        given().port(29101).get("/q/health/ready").then().statusCode(503);
        String metrics = given().port(29101).get("/q/metrics").asString();
        assertTrue(metrics.contains("llmtrace_requests_rejected_total{reason=\"buffer_full\",service=\"ingest\"} 2.0"), metrics);

        // requests waiting for room when enrich comes back are taken, not refused: one over HTTP, one over gRPC
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(
                () -> IngestHttpTest.post("application/json", Fixtures.bytes(Fixtures.BROADCAST_FULL)).statusCode());
        await().atMost(Duration.ofSeconds(2)).until(() -> given().port(29101).get("/q/metrics").asString()
                .contains("llmtrace_buffer_waiting{service=\"ingest\"} 1.0"));
        ManagedChannel again = ManagedChannelBuilder.forAddress("localhost", 24317).usePlaintext().build();
        try {
            Metadata headers = IngestGrpcTest.bearer("test-token-acme");
            var stub = TraceServiceGrpc.newFutureStub(again).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            var grpcWaiting = stub.export(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)));
            await().atMost(Duration.ofSeconds(2)).until(() -> given().port(29101).get("/q/metrics").asString()
                    .contains("llmtrace_buffer_waiting{service=\"ingest\"} 2.0"));
            FakeEnrich.receiver.failWith(null); // enrich is back: the two buffered requests go through, then the waiting ones
            assertEquals(200, waiting.join());
            grpcWaiting.get(10, java.util.concurrent.TimeUnit.SECONDS); // answered, not refused
        } catch (Exception ex) {
            throw new AssertionError(ex);
        } finally {
            again.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeEnrich.receiver.spanCount() == 4);
        given().port(29101).get("/q/health/ready").then().statusCode(200);
        IngestHttpTest.post("application/json", Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(200);
    }
}
