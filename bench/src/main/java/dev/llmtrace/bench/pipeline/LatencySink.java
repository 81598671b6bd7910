package dev.llmtrace.bench.pipeline;

import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A destination that counts spans and, per client request in what it receives, records how long ago it was sent:
 * {@link LoadClient} writes the send time ({@code System.nanoTime()}, same JVM) into the trace id's
 * first eight bytes, which no hop rewrites.
 */
final class LatencySink implements AutoCloseable {
    private final Server server;
    private final AtomicLong spans = new AtomicLong();
    private final Recorder latencyMicros = new Recorder(3);

    LatencySink(int port) {
        // counts on the wire (no objects): the sinks' cost must not weigh on the contenders
        ServerServiceDefinition service = SerializedExport.service((byte[] request, StreamObserver<ExportTraceServiceResponse> responses) -> {
            long now = System.nanoTime();
            spans.addAndGet(WireCount.spans(request, sentAt -> latencyMicros.recordValue(Math.max(0, (now - sentAt) / 1000))));
            responses.onNext(ExportTraceServiceResponse.getDefaultInstance());
            responses.onCompleted();
        });
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(service)
                    .maxInboundMessageSize(64 << 20).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long spans() {
        return spans.get();
    }

    /** Latencies recorded since the last call, in microseconds. */
    org.HdrHistogram.Histogram takeLatencies() {
        return latencyMicros.getIntervalHistogram();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
