package dev.llmtrace.enrich;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.GrpcAdmission;
import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.Spans;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.arc.All;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import java.util.List;

/**
 * Receives from ingest, runs the processing steps in order, and forwards to export. Stateless: it
 * answers ingest only with export's answer, so ingest keeps (and retries) anything export has not taken.
 * The request arrives as bytes so that it is admitted against the memory budget before it is parsed.
 */
@GrpcService
public class EnrichService implements BindableService {
    /**
     * Heap per request byte until export answers: the bytes, the parsed request (about 4×), and the
     * serialized form of the processed copy.
     */
    static final int MEMORY_FACTOR = 6;
    /** What a refused ingest is told to wait; its own backoff applies beyond. */
    static final java.time.Duration RETRY_AFTER = java.time.Duration.ofMillis(500);

    private final TraceProcessor steps;
    private final GrpcTraceForwarder forwarder;
    private final PipelineMetrics metrics;
    private final GrpcAdmission admission;

    public EnrichService(@All List<TraceProcessor> processors, @GrpcClient("export") Channel export,
            EnrichConfig config, PipelineMetrics metrics, MemoryBudget memory) {
        this.steps = TraceProcessor.chain(processors.toArray(TraceProcessor[]::new));
        this.forwarder = GrpcTraceForwarder.toNextHop(export, config.forward().timeout());
        this.metrics = metrics;
        this.admission = new GrpcAdmission(memory, MEMORY_FACTOR, RETRY_AFTER, metrics);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    void export(byte[] bytes, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        MemoryBudget.Lease lease = admission.admit(bytes, tenant, responses);
        if (lease == null) {
            return;
        }
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            lease.close();
            metrics.rejected("malformed", 0);
            responses.onError(Status.INVALID_ARGUMENT.withDescription("invalid OTLP protobuf: " + e.getMessage()).asRuntimeException());
            return;
        }
        int spans = Spans.count(request);
        metrics.received("grpc", spans);
        java.util.concurrent.CompletableFuture<ExportTraceServiceResponse> forwarded;
        try {
            forwarded = forwarder.export(steps.process(request, tenant), tenant);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        forwarded.whenComplete((response, error) -> lease.close());
        ExportReplies.replyWhenDone(forwarded, responses, metrics, spans);
    }
}
