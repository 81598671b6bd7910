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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One OTLP/gRPC export attempt, to the next hop of the pipeline or to a backend: the tenant and any fixed headers
 * go as metadata, the deadline bounds the call, and failures come back sorted as {@link ExportException}. The
 * one gRPC client path of every module; retrying is the caller's choice (see {@code Retrier}).
 */
public final class GrpcTraceForwarder implements NextHop {
    private final Channel channel;
    private final Duration timeout;
    private final Metadata fixed;
    private final Metadata.Key<String> tenantKey;
    private final String fixedTenant;
    private final boolean gzip;
    private final Function<Throwable, ExportException> classifier;
    private final boolean betweenHops;

    /**
     * To the next hop of this pipeline, the tenant and the current batch id ({@link BatchIds}) in our own headers:
     * see {@link GrpcErrors#classifyBetweenHops}.
     */
    public static GrpcTraceForwarder toNextHop(Channel channel, Duration timeout) {
        return new GrpcTraceForwarder(channel, timeout, Map.of(), Tenants.HEADER, null, false, GrpcErrors::classifyBetweenHops, true);
    }

    /**
     * To a backend, with its headers (auth included) and, where it takes one, the tenant in its own header
     * ({@code tenantHeader}, e.g. Tempo's {@code x-scope-orgid}; {@code fixedTenant} instead of the data's when set).
     */
    public static GrpcTraceForwarder toBackend(Channel channel, Duration timeout, Map<String, String> headers,
            Optional<String> tenantHeader, Optional<String> fixedTenant, boolean gzip) {
        return new GrpcTraceForwarder(channel, timeout, headers,
                tenantHeader.map(h -> Metadata.Key.of(h.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER)).orElse(null),
                fixedTenant.orElse(null), gzip, GrpcErrors::classify, false);
    }

    private GrpcTraceForwarder(Channel channel, Duration timeout, Map<String, String> headers, Metadata.Key<String> tenantKey,
            String fixedTenant, boolean gzip, Function<Throwable, ExportException> classifier, boolean betweenHops) {
        this.channel = channel;
        this.timeout = timeout;
        this.fixed = new Metadata();
        headers.forEach((k, v) -> fixed.put(Metadata.Key.of(k.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), v));
        this.tenantKey = tenantKey;
        this.fixedTenant = fixedTenant;
        this.gzip = gzip;
        this.classifier = classifier;
        this.betweenHops = betweenHops;
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
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        CallOptions callOptions = gzip ? options.withCompression("gzip") : options;
        // A fork keeps the caller's context values but not its cancellation or deadline. Without it a
        // forward started on an inbound call's thread is cancelled when that call ends: ingest answers
        // its sender before forwarding, and enrich may lose its caller mid-forward after export has
        // already queued the batch; either way the retry that follows delivers the batch twice. The call
        // is created inside the fork: it takes the context current at its creation.
        Context.current().fork().run(() -> {
            ClientCall<Q, ExportTraceServiceResponse> call = ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(metadata)).newCall(method, callOptions);
            ClientCalls.asyncUnaryCall(call, request, result);
        });
        return result;
    }

    private Metadata metadata(String tenant) {
        Metadata metadata = new Metadata();
        metadata.merge(fixed);
        String value = fixedTenant != null ? fixedTenant : tenant;
        if (tenantKey != null && value != null) {
            metadata.put(tenantKey, value);
        }
        String batch = betweenHops ? BatchIds.current() : null; // a backend is not told our ids
        if (batch != null) {
            metadata.put(BatchIds.HEADER, batch);
        }
        return metadata;
    }
}
