package dev.llmtrace.export;

import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An OTLP/gRPC backend (Tempo, a Collector, ...). */
final class OtlpGrpcDestination implements Destination {
    private final String name;
    private final ManagedChannel channel;
    private final GrpcTraceForwarder forwarder;

    OtlpGrpcDestination(String name, URI endpoint, Map<String, String> headers, Duration timeout) {
        this.name = name;
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : ("https".equals(endpoint.getScheme()) ? 443 : 4317);
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(endpoint.getHost(), port)
                .maxInboundMessageSize(16 << 20);
        if ("https".equals(endpoint.getScheme())) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        this.channel = builder.build();
        this.forwarder = GrpcTraceForwarder.toBackend(channel, timeout, headers);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> send(ExportTraceServiceRequest request, String tenant) {
        // the tenant header is ours; backends get only their configured headers
        return forwarder.export(request, null).thenApply(response -> null);
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
}
