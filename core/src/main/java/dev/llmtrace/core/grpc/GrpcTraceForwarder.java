package dev.llmtrace.core.grpc;

import dev.llmtrace.core.retry.ExportException;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One OTLP/gRPC export attempt to the next hop: the tenant and any fixed headers go as metadata, the
 * deadline bounds the call, and failures come back sorted as {@link ExportException}. Retrying is the
 * caller's choice (see {@code Retrier}).
 */
public final class GrpcTraceForwarder {
    private final TraceServiceGrpc.TraceServiceStub stub;
    private final Duration timeout;
    private final Map<String, String> headers;

    public GrpcTraceForwarder(Channel channel, Duration timeout) {
        this(channel, timeout, Map.of());
    }

    public GrpcTraceForwarder(Channel channel, Duration timeout, Map<String, String> headers) {
        this.stub = TraceServiceGrpc.newStub(channel);
        this.timeout = timeout;
        this.headers = Map.copyOf(headers);
    }

    public CompletableFuture<ExportTraceServiceResponse> export(ExportTraceServiceRequest request, String tenant) {
        Metadata metadata = new Metadata();
        headers.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
        if (tenant != null) {
            metadata.put(Tenants.HEADER, tenant);
        }
        CompletableFuture<ExportTraceServiceResponse> result = new CompletableFuture<>();
        stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .export(request, new StreamObserver<>() {
                    private ExportTraceServiceResponse response = ExportTraceServiceResponse.getDefaultInstance();

                    @Override
                    public void onNext(ExportTraceServiceResponse value) {
                        response = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(GrpcErrors.classify(t));
                    }

                    @Override
                    public void onCompleted() {
                        result.complete(response);
                    }
                });
        return result;
    }
}
