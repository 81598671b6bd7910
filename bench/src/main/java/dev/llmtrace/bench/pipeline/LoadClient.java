package dev.llmtrace.bench.pipeline;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
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
    private final TraceServiceGrpc.TraceServiceStub stub;
    private final ResourceSpans resource;
    private final Span template;
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
        stub = TraceServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        ResourceSpans rs = fixture.getResourceSpans(0);
        template = rs.getScopeSpans(0).getSpans(0);
        resource = rs.toBuilder().clearScopeSpans().addScopeSpans(rs.getScopeSpans(0).toBuilder().clearSpans()).build();
        this.batch = batch;
    }

    ExportTraceServiceRequest nextRequest() {
        long sentAt = System.nanoTime();
        ScopeSpans.Builder scope = resource.getScopeSpans(0).toBuilder();
        for (int i = 0; i < batch; i++) {
            long id = ids.getAndIncrement();
            scope.addSpans(template.toBuilder()
                    .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(sentAt).putLong(id).flip()))
                    .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(id).flip()))
                    .clearParentSpanId());
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(resource.toBuilder().setScopeSpans(0, scope)).build();
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
        ExportTraceServiceRequest request = nextRequest();
        stub.withDeadlineAfter(30, TimeUnit.SECONDS).export(request, new StreamObserver<>() {
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
