package dev.llmtrace.export;

import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC to a backend, through core's {@link GrpcTraceForwarder} (the pipeline's one gRPC client path). The
 * request is sent as the bytes already serialized for the queue, so export never parses a batch again to send it.
 */
final class GrpcSender implements Sender {
    private final ManagedChannel channel;
    private final GrpcTraceForwarder forwarder;

    GrpcSender(OtlpEndpoint endpoint) {
        boolean tls = "https".equals(endpoint.url().getScheme());
        int port = endpoint.url().getPort() > 0 ? endpoint.url().getPort() : tls ? 443 : 4317;
        this.channel = Grpc.newChannelBuilderForAddress(endpoint.url().getHost(), port, credentials(endpoint, tls))
                .maxInboundMessageSize(16 << 20)
                // the destination's own Retrier retries; grpc-java's retry would wrap every call in a stream that
                // keeps the request for a retry of its own (3 % of the all-in-one's CPU under load, async-profiler)
                .disableRetry()
                .build();
        this.forwarder = GrpcTraceForwarder.toBackend(channel, endpoint.timeout(), endpoint.headers(), endpoint.tenantHeader(),
                endpoint.fixedTenant(), endpoint.gzip());
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

    /**
     * Started in the root gRPC context: a send belongs to none of the pipeline's calls. One made on the callback of an
     * earlier send (the all-in-one delivering first) would otherwise fork that send's context, a link per batch, until
     * gRPC logs the chain and holds every context in it.
     */
    @Override
    public CompletableFuture<Result> send(byte[] body, String tenant) {
        Context previous = Context.ROOT.attach();
        try {
            return forwarder.export(body, tenant)
                    .thenApply(r -> new Result(r.getPartialSuccess().getRejectedSpans(), r.getPartialSuccess().getErrorMessage()));
        } finally {
            Context.ROOT.detach(previous);
        }
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
