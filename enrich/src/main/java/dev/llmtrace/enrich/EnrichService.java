package dev.llmtrace.enrich;

import dev.llmtrace.core.grpc.HopService;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.grpc.SerializedExport;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Identifier;

/**
 * enrich's gRPC face: the request arrives as bytes (so it is admitted before it is parsed) and goes
 * to the {@link Enricher} once per batch ({@link HopService}); the caller gets export's answer.
 */
@GrpcService
@RegisterInterceptor(Wiring.HopHeaders.class)
public class EnrichService implements BindableService {
    private final HopService hop;

    public EnrichService(Enricher enricher, @Identifier("enrich") PipelineMetrics metrics) {
        this.hop = new HopService(enricher::export, metrics);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    // on the event loop: the request is admitted here and worked on the Enricher's threads. A large request takes
    // seconds of CPU, and an event loop blocked by it would hold back the replies of other calls past ingest's
    // deadline, which ingest then retries into duplicates (MemoryBurstTest)
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        hop.export(request, responses);
    }

    /** The gRPC server's connections end after {@code enrich.grpc.max-connection-age} (here, as the all-in-one leaves this gRPC face out). */
    @Produces
    @Singleton
    static ServerBuilderCustomizer<VertxServerBuilder> connectionAge(EnrichConfig config) {
        return new ServerBuilderCustomizer<>() {
            @Override
            public void customize(GrpcServerConfiguration grpc, VertxServerBuilder builder) {
                config.grpc().applyTo(builder.nettyBuilder());
            }
        };
    }
}
