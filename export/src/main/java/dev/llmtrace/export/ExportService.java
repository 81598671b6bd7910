package dev.llmtrace.export;

import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.Spans;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.concurrent.CompletableFuture;

/**
 * Receives from enrich and answers once the batch is in the durable queue of every destination it is
 * for; delivery happens behind the queues, each destination on its own.
 */
@GrpcService
public class ExportService extends TraceServiceGrpc.TraceServiceImplBase {
    private final Destinations destinations;
    private final PipelineMetrics metrics;

    public ExportService(Destinations destinations, PipelineMetrics metrics) {
        this.destinations = destinations;
        this.metrics = metrics;
    }

    @Override
    @Blocking // queue appends are file writes
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        int spans = Spans.count(request);
        metrics.received("grpc", spans);
        CompletableFuture<ExportTraceServiceResponse> queued;
        try {
            destinations.accept(request, tenant);
            queued = CompletableFuture.completedFuture(ExportTraceServiceResponse.getDefaultInstance());
        } catch (RuntimeException e) {
            queued = CompletableFuture.failedFuture(e);
        }
        ExportReplies.replyWhenDone(queued, responses, metrics, spans);
    }
}
