package dev.llmtrace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import java.util.concurrent.CompletableFuture;
import io.smallrye.common.annotation.Identifier;

/**
 * OTLP/gRPC {@code TraceService/Export}. Auth happens in {@link GrpcBearerAuth}; size limits in gRPC itself;
 * how many calls may be receiving at once in {@link GrpcReceiveLimit}.
 * The request is taken as its serialized bytes ({@link #bindService()}), so that a clean request goes
 * on to enrich as it came, without being built into objects and serialized again.
 */
@GrpcService
public class OtlpGrpcReceiver implements BindableService {
    private final TraceIntake intake;
    private final IngestConfig config;
    private final PipelineMetrics metrics;
    private final RequestMemory memory;
    private final GrpcReceiveLimit receiveLimit;

    public OtlpGrpcReceiver(TraceIntake intake, IngestConfig config, @Identifier("ingest") PipelineMetrics metrics, RequestMemory memory,
            GrpcReceiveLimit receiveLimit) {
        this.memory = memory;
        this.receiveLimit = receiveLimit;
        this.intake = intake;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public ServerServiceDefinition bindService() {
        // inside the global interceptors: the call is authenticated and its tenant known
        return ServerInterceptors.intercept(SerializedExport.service(this::export), receiveLimit);
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
        io.grpc.Context call = io.grpc.Context.current(); // cancelled when the caller's deadline passes or it goes away
        CompletableFuture<ExportTraceServiceResponse> answer;
        try {
            answer = intake.accept(request, tenant, "grpc", call::isCancelled);
        } catch (InvalidProtocolBufferException e) {
            lease.close();
            metrics.rejected("malformed", 0);
            responses.onError(Status.INVALID_ARGUMENT.withDescription("invalid OTLP protobuf: " + e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        // the request's memory stays leased while it waits for room in the buffer
        answer.whenComplete((response, error) -> {
            lease.close();
            TraceIntake.BufferFullException full = error == null ? null : TraceIntake.BufferFullException.in(error);
            if (error == null) {
                responses.onNext(response);
                responses.onCompleted();
            } else if (full != null) {
                responses.onError(GrpcErrors.resourceExhausted(full.getMessage(), config.buffer().retryAfter()));
            } else {
                responses.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
            }
        });
    }
}
