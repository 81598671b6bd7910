package dev.llmtrace.core.grpc;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One OTLP/gRPC export attempt to the next hop: the tenant and any fixed headers go as metadata, the
 * deadline bounds the call, and failures come back sorted as {@link ExportException}. Retrying is the
 * caller's choice (see {@code Retrier}).
 */
public final class GrpcTraceForwarder implements NextHop {
    private final Channel channel;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final Function<Throwable, ExportException> classifier;

    /** To the next hop of this pipeline: see {@link GrpcErrors#classifyBetweenHops}. */
    public static GrpcTraceForwarder toNextHop(Channel channel, Duration timeout) {
        return new GrpcTraceForwarder(channel, timeout, Map.of(), GrpcErrors::classifyBetweenHops);
    }

    private GrpcTraceForwarder(Channel channel, Duration timeout, Map<String, String> headers,
            Function<Throwable, ExportException> classifier) {
        this.channel = channel;
        this.timeout = timeout;
        this.headers = Map.copyOf(headers);
        this.classifier = classifier;
    }

    public CompletableFuture<ExportTraceServiceResponse> export(ExportTraceServiceRequest request, String tenant) {
        return call(TraceServiceGrpc.getExportMethod(), request, tenant);
    }

    /** The same export with the request already serialized (held as bytes in a buffer): sent as is. */
    @Override
    public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant) {
        return call(SerializedExport.METHOD, serializedRequest, tenant);
    }

    private <Q> CompletableFuture<ExportTraceServiceResponse> call(MethodDescriptor<Q, ExportTraceServiceResponse> method, Q request,
            String tenant) {
        ExportResponseFuture result = new ExportResponseFuture(classifier);
        Metadata metadata = metadata(tenant);
        // A fork keeps the caller's context values but not its cancellation or deadline. Without it a
        // forward started on an inbound call's thread is cancelled when that call ends: ingest answers
        // its sender before forwarding, and enrich may lose its caller mid-forward after export has
        // already queued the batch; either way the retry that follows delivers the batch twice. The call
        // is created inside the fork: it takes the context current at its creation.
        Context.current().fork().run(() -> {
            ClientCall<Q, ExportTraceServiceResponse> call = ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(metadata)).newCall(method,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            ClientCalls.asyncUnaryCall(call, request, result);
        });
        return result;
    }

    private Metadata metadata(String tenant) {
        Metadata metadata = new Metadata();
        headers.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
        if (tenant != null) {
            metadata.put(Tenants.HEADER, tenant);
        }
        return metadata;
    }
}
