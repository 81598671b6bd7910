package dev.llmtrace.export;

import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;

/**
 * export's gRPC face: the batch arrives as its bytes ({@link #bindService()}), most destinations queue
 * exactly those ({@link ExportStage}), and enrich is answered once every queue holds it.
 */
@GrpcService
@RegisterInterceptor(Wiring.TenantFromHeader.class)
public class ExportService implements BindableService {
    private final ExportStage stage;

    public ExportService(ExportStage stage) {
        this.stage = stage;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    @Blocking // queue appends are file writes
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        io.grpc.Context call = io.grpc.Context.current(); // cancelled when enrich's deadline passes or it goes away
        ExportReplies.replyWhenDone(stage.export(request, Tenants.current(), call::isCancelled), responses);
    }
}
