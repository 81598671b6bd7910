package dev.llmtrace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Identifier;

/**
 * OTLP/gRPC {@code TraceService/Export}. Auth happens in {@link GrpcBearerAuth}; size limits in gRPC itself.
 * The request is taken as its serialized bytes ({@link #bindService()}), so that a clean request goes
 * on to enrich as it came, without being built into objects and serialized again.
 */
@GrpcService
public class OtlpGrpcReceiver implements BindableService {
    private final TraceIntake intake;
    private final IngestConfig config;
    private final PipelineMetrics metrics;
    private final RequestMemory memory;

    public OtlpGrpcReceiver(TraceIntake intake, IngestConfig config, @Identifier("ingest") PipelineMetrics metrics, RequestMemory memory) {
        this.memory = memory;
        this.intake = intake;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        MemoryBudget.Lease lease;
        try {
            lease = memory.grpc().admit(request, tenant);
        } catch (ExportException refused) { // counted by the admission
            responses.onError(GrpcErrors.resourceExhausted(refused.getMessage(), refused.retryAfter().orElseThrow()));
            return;
        }
        try (lease) {
            responses.onNext(intake.accept(request, tenant, "grpc"));
            responses.onCompleted();
        } catch (InvalidProtocolBufferException e) {
            metrics.rejected("malformed", 0);
            responses.onError(Status.INVALID_ARGUMENT.withDescription("invalid OTLP protobuf: " + e.getMessage()).asRuntimeException());
        } catch (TraceIntake.BufferFullException e) {
            responses.onError(GrpcErrors.resourceExhausted(e.getMessage(), config.buffer().retryAfter()));
        }
    }
}
