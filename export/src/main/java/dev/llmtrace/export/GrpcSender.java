package dev.llmtrace.export;

import dev.llmtrace.core.grpc.ExportResponseFuture;
import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC to a backend. The request is sent as the bytes already serialized for the queue, through
 * a byte-array marshaller, so export never parses a batch again to send it.
 */
final class GrpcSender implements Sender {
    private final OtlpEndpoint endpoint;
    private final ManagedChannel channel;

    GrpcSender(OtlpEndpoint endpoint) {
        this.endpoint = endpoint;
        boolean tls = "https".equals(endpoint.url().getScheme());
        int port = endpoint.url().getPort() > 0 ? endpoint.url().getPort() : tls ? 443 : 4317;
        this.channel = Grpc.newChannelBuilderForAddress(endpoint.url().getHost(), port, credentials(endpoint, tls))
                .maxInboundMessageSize(16 << 20)
                .build();
    }

    private static ChannelCredentials credentials(OtlpEndpoint endpoint, boolean tls) {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        if (endpoint.trust() != null) {
            builder.trustManager(endpoint.trust());
        }
        return builder.build();
    }

    @Override
    public CompletableFuture<Result> send(byte[] body, String tenant) {
        Metadata metadata = new Metadata();
        endpoint.headers().forEach((k, v) -> metadata.put(Metadata.Key.of(k.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), v));
        endpoint.tenantValue(tenant).ifPresent(v -> metadata.put(
                Metadata.Key.of(endpoint.tenantHeader().get().toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), v));
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(endpoint.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (endpoint.gzip()) {
            options = options.withCompression("gzip");
        }
        ClientCall<byte[], ExportTraceServiceResponse> call = channel.newCall(SerializedExport.METHOD, options);
        ExportResponseFuture response = new ExportResponseFuture(GrpcErrors::classify);
        ClientCalls.asyncUnaryCall(new HeadersCall<>(call, metadata), body, response);
        return response.thenApply(r -> new Result(r.getPartialSuccess().getRejectedSpans(), r.getPartialSuccess().getErrorMessage()));
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds per-call metadata (tenant header) without an interceptor chain per call. */
    private static final class HeadersCall<Q, R> extends io.grpc.ForwardingClientCall.SimpleForwardingClientCall<Q, R> {
        private final Metadata extra;

        HeadersCall(ClientCall<Q, R> delegate, Metadata extra) {
            super(delegate);
            this.extra = extra;
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
            headers.merge(extra);
            super.start(listener, headers);
        }
    }
}
