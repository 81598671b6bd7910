package dev.llmtrace.export;

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
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;

/**
 * export's gRPC face: the batch arrives as its bytes ({@link #bindService()}), most destinations queue
 * exactly those ({@link ExportStage}), and enrich is answered once every queue holds it.
 */
@GrpcService
@RegisterInterceptor(Wiring.HopHeaders.class)
public class ExportService implements BindableService {
    private final HopService hop;

    public ExportService(ExportStage stage, @Identifier("export") PipelineMetrics metrics) {
        this.hop = new HopService(stage::export, metrics);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    @Blocking // queue appends are file writes
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        hop.export(request, responses);
    }

    /** The gRPC server's connections end after {@code export.grpc.max-connection-age} (here, as the all-in-one leaves this gRPC face out). */
    @Produces
    @Singleton
    static ServerBuilderCustomizer<VertxServerBuilder> connectionAge(ExportConfig config) {
        return new ServerBuilderCustomizer<>() {
            @Override
            public void customize(GrpcServerConfiguration grpc, VertxServerBuilder builder) {
                config.grpc().applyTo(builder.nettyBuilder());
            }
        };
    }
}
