package dev.llmtrace.ingest;

import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.Tenants;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.grpc.GrpcService;

/** OTLP/gRPC {@code TraceService/Export}. Auth happens in {@link GrpcBearerAuth}; size limits in gRPC itself. */
@GrpcService
public class OtlpGrpcReceiver extends TraceServiceGrpc.TraceServiceImplBase {
    private final TraceIntake intake;
    private final IngestConfig config;

    public OtlpGrpcReceiver(TraceIntake intake, IngestConfig config) {
        this.intake = intake;
        this.config = config;
    }

    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
        try {
            responses.onNext(intake.accept(request, Tenants.current(), "grpc"));
            responses.onCompleted();
        } catch (TraceIntake.BufferFullException e) {
            responses.onError(GrpcErrors.resourceExhausted(e.getMessage(), config.buffer().retryAfter()));
        }
    }
}
