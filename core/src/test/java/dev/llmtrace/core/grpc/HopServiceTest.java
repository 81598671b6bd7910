package dev.llmtrace.core.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A hop behind ingest on a real port, called by the forwarder ingest and enrich use. */
class HopServiceTest {
    record Taken(String tenant, int bytes, boolean callerGoneAtEnd) {}

    final List<Taken> taken = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws java.io.IOException {
        HopService hop = new HopService(this::slowStage, new PipelineMetrics(registry, "enrich"));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", FreePorts.next()))
                .addService(ServerInterceptors.intercept(SerializedExport.service(hop::export), new HopService.Headers()))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A stage slower than its caller's deadline: after 600 ms it records what it would hand on, and whether its caller is gone. */
    CompletableFuture<ExportTraceServiceResponse> slowStage(byte[] request, String tenant, java.util.function.BooleanSupplier callerGone) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(600);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            taken.add(new Taken(tenant, request.length, callerGone.getAsBoolean())); // what a real stage then skips
            return ExportTraceServiceResponse.getDefaultInstance();
        });
    }

    @Test
    void aBatchRetriedAfterTheDeadlineIsHandedOnOnce() throws Exception {
        GrpcTraceForwarder caller = GrpcTraceForwarder.toNextHop(channel, Duration.ofMillis(200));
        GrpcTraceForwarder patient = GrpcTraceForwarder.toNextHop(channel, Duration.ofSeconds(5));
        byte[] batch = GrpcTraceForwarderTest.oneSpan().toByteArray();
        String id = BatchIds.next();
        connect(patient);

        ExecutionException late = assertThrows(ExecutionException.class,
                () -> BatchIds.with(id, () -> caller.export(batch, "t1")).get(5, TimeUnit.SECONDS));
        assertEquals("deadline_exceeded", ExportException.of(late.getCause()).reason());
        // the retry, as ingest's Retrier makes it, with the same id; this time the deadline is long enough
        BatchIds.with(id, () -> patient.export(batch, "t1")).get(5, TimeUnit.SECONDS);
        BatchIds.with(id, () -> patient.export(batch, "t1")).get(5, TimeUnit.SECONDS); // a late answer lost once more
        assertEquals(List.of(new Taken("t1", batch.length, false)), taken,
                "worked once, and to the end (not told its caller is gone): the retries wait for it");
        assertEquals(2.0, registry.get("llmtrace.batches.repeated").counter().count());

        BatchIds.with(BatchIds.next(), () -> patient.export(batch, "t1")).get(5, TimeUnit.SECONDS);
        assertEquals(2, taken.size(), "the same bytes under another id are other data");
    }

    @Test
    void withoutABatchIdTheStageLearnsItsCallerIsGone() throws Exception {
        GrpcTraceForwarder caller = GrpcTraceForwarder.toNextHop(channel, Duration.ofMillis(200));
        connect(GrpcTraceForwarder.toNextHop(channel, Duration.ofSeconds(5)));
        assertThrows(ExecutionException.class, () -> caller.export(GrpcTraceForwarderTest.oneSpan().toByteArray(), "t1").get(5, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> !taken.isEmpty());
        assertEquals(List.of(new Taken("t1", GrpcTraceForwarderTest.oneSpan().toByteArray().length, true)), taken,
                "told its caller is gone, so it does not hand on what the caller retries");
    }

    /** A first call, so the connection is up before a call with a short deadline (a cold JVM takes longer to connect). */
    void connect(GrpcTraceForwarder forwarder) throws Exception {
        forwarder.export(GrpcTraceForwarderTest.oneSpan().toByteArray(), "warm-up").get(10, TimeUnit.SECONDS);
        taken.clear();
    }
}
