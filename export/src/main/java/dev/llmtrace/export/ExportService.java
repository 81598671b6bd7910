package dev.llmtrace.export;

import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.Spans;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.quarkus.grpc.GrpcService;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Receives from enrich and delivers to every destination; answers OK only when all of them took the
 * batch, so enrich (and behind it ingest) retries otherwise.
 */
@GrpcService
public class ExportService extends TraceServiceGrpc.TraceServiceImplBase {
    private static final Logger LOG = Logger.getLogger(ExportService.class);

    private final Destinations destinations;
    private final PipelineMetrics metrics;

    public ExportService(Destinations destinations, PipelineMetrics metrics) {
        this.destinations = destinations;
        this.metrics = metrics;
    }

    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        int spans = Spans.count(request);
        metrics.received("grpc", spans);
        List<CompletableFuture<Void>> sends = destinations.all().stream().map(d -> d.send(request, tenant)).toList();
        CompletableFuture<ExportTraceServiceResponse> all = CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        LOG.infof("exported %d span(s) of tenant %s from %s to %s", spans, tenant, services(request),
                                destinations.all().stream().map(Destination::name).toList());
                    } else {
                        LOG.warnf("export of %d span(s) failed, the sender will retry if it can: %s", spans,
                                ExportException.of(error).getMessage());
                    }
                })
                .thenApply(ok -> ExportTraceServiceResponse.getDefaultInstance());
        ExportReplies.replyWhenDone(all, responses, metrics, spans);
    }

    /** service.name values of a request, for the summary line (never attribute values beyond that). */
    private static TreeSet<String> services(ExportTraceServiceRequest request) {
        TreeSet<String> names = new TreeSet<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (KeyValue kv : rs.getResource().getAttributesList()) {
                if (kv.getKey().equals("service.name")) {
                    names.add(kv.getValue().getStringValue());
                }
            }
        }
        return names;
    }
}
