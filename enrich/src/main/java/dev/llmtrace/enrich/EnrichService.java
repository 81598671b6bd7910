package dev.llmtrace.enrich;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.Spans;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.arc.All;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import java.util.List;

/**
 * Receives from ingest, runs the processing steps in order, and forwards to export. Stateless: it
 * answers ingest only with export's answer, so ingest keeps (and retries) anything export has not taken.
 */
@GrpcService
public class EnrichService extends TraceServiceGrpc.TraceServiceImplBase {
    private final TraceProcessor steps;
    private final GrpcTraceForwarder forwarder;
    private final PipelineMetrics metrics;

    public EnrichService(@All List<TraceProcessor> processors, @GrpcClient("export") Channel export,
            EnrichConfig config, PipelineMetrics metrics) {
        this.steps = TraceProcessor.chain(processors.toArray(TraceProcessor[]::new));
        this.forwarder = GrpcTraceForwarder.toNextHop(export, config.forward().timeout());
        this.metrics = metrics;
    }

    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        int spans = Spans.count(request);
        metrics.received("grpc", spans);
        ExportReplies.replyWhenDone(forwarder.export(steps.process(request, tenant), tenant), responses, metrics, spans);
    }
}
