package dev.llmtrace.bench.pipeline;

import com.google.common.primitives.Bytes;
import com.google.protobuf.ByteString;
import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OTLP/gRPC load: batches of a template span (the Broadcast fixture's, about 30 attributes) with fresh
 * ids. The trace id carries the send time for {@link LatencySink}. Either open loop at a fixed rate or
 * closed loop with a fixed number of requests in flight (throughput). Refusals (backpressure) are counted,
 * not retried: only accepted spans count.
 */
final class LoadClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final Channel calls;
    private final byte[] template;
    private final int[] traceIdAt;
    private final int[] spanIdAt;
    private final int batch;
    private final AtomicLong ids = new AtomicLong(1);
    final AtomicLong acceptedSpans = new AtomicLong();
    final AtomicLong refusedRequests = new AtomicLong();

    LoadClient(int port, String bearerToken, ExportTraceServiceRequest fixture, int batch) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(16 << 20).build();
        Metadata headers = new Metadata();
        if (bearerToken != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearerToken);
        }
        calls = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        this.batch = batch;
        // one batch serialized once, with marker ids whose offsets are then patched per request: the
        // client's cost per span stays far below the pipeline's, whichever contender is measured
        ResourceSpans rs = fixture.getResourceSpans(0);
        Span span = rs.getScopeSpans(0).getSpans(0);
        ScopeSpans.Builder scope = rs.getScopeSpans(0).toBuilder().clearSpans();
        for (int i = 0; i < batch; i++) {
            scope.addSpans(span.toBuilder().setTraceId(marker(16, i)).setSpanId(marker(8, i)).clearParentSpanId());
        }
        template = ExportTraceServiceRequest.newBuilder().addResourceSpans(rs.toBuilder().clearScopeSpans().addScopeSpans(scope))
                .build().toByteArray();
        traceIdAt = new int[batch];
        spanIdAt = new int[batch];
        for (int i = 0; i < batch; i++) {
            traceIdAt[i] = Bytes.indexOf(template, marker(16, i).toByteArray());
            spanIdAt[i] = Bytes.indexOf(template, marker(8, i).toByteArray());
            if (traceIdAt[i] < 0 || spanIdAt[i] < 0) {
                throw new IllegalStateException("marker ids not found in the serialized batch");
            }
        }
    }

    private static ByteString marker(int length, int i) {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.remaining() > 4) {
            b.put((byte) 0x5A);
        }
        return ByteString.copyFrom(b.putInt(i + 1).flip());
    }

    /** A fresh batch: trace id = send time (for the sinks) + a counter, span id = the counter. */
    byte[] nextRequest() {
        long sentAt = System.nanoTime();
        byte[] request = template.clone();
        ByteBuffer b = ByteBuffer.wrap(request);
        for (int i = 0; i < batch; i++) {
            long id = ids.getAndIncrement();
            b.putLong(traceIdAt[i], sentAt).putLong(traceIdAt[i] + 8, id).putLong(spanIdAt[i], id);
        }
        return request;
    }

    /** Sends {@code spansPerSecond} for {@code seconds}, one batch per tick, whatever the answers. */
    void fixedRate(int spansPerSecond, int seconds) throws InterruptedException {
        long periodNanos = 1_000_000_000L * batch / spansPerSecond;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        Semaphore inFlight = new Semaphore(10_000);
        ticker.scheduleAtFixedRate(() -> send(inFlight), 0, periodNanos, TimeUnit.NANOSECONDS);
        Thread.sleep(seconds * 1000L);
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        inFlight.acquire(10_000);
        inFlight.release(10_000);
    }

    /** Keeps {@code concurrency} requests in flight for {@code seconds}. */
    void closedLoop(int concurrency, int seconds) throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                inFlight.release();
                send(inFlight);
            }
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
    }

    private void send(Semaphore inFlight) {
        if (!inFlight.tryAcquire()) {
            refusedRequests.incrementAndGet();
            return;
        }
        byte[] request = nextRequest();
        ClientCalls.asyncUnaryCall(calls.newCall(SerializedExport.METHOD, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
                request, new StreamObserver<ExportTraceServiceResponse>() {
            @Override
            public void onNext(ExportTraceServiceResponse value) {
                acceptedSpans.addAndGet(batch - value.getPartialSuccess().getRejectedSpans());
            }

            @Override
            public void onError(Throwable t) {
                refusedRequests.incrementAndGet();
                if (Status.fromThrowable(t).getCode() != Status.Code.RESOURCE_EXHAUSTED
                        && Status.fromThrowable(t).getCode() != Status.Code.UNAVAILABLE) {
                    System.err.println("load: " + Status.fromThrowable(t));
                }
                pause();
                inFlight.release();
            }

            @Override
            public void onCompleted() {
                inFlight.release();
            }
        });
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
