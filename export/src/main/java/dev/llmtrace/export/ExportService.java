package dev.llmtrace.export;

import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.grpc.GrpcAdmission;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.OtlpWire;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.concurrent.CompletableFuture;

/**
 * Receives from enrich and answers once the batch is in the durable queue of every destination it is
 * for; delivery happens behind the queues, each destination on its own. The batch arrives as its bytes
 * ({@link #bindService()}): most destinations queue exactly those.
 */
@GrpcService
public class ExportService implements BindableService {
    private final Destinations destinations;
    private final PipelineMetrics metrics;

    /**
     * Heap per request byte while it is queued: the bytes, and for destinations that need it changed the
     * parsed request (about 4×) and its redacted, serialized forms.
     */
    static final int MEMORY_FACTOR = 6;

    private final GrpcAdmission admission;

    public ExportService(Destinations destinations, PipelineMetrics metrics, MemoryBudget memory) {
        this.destinations = destinations;
        this.metrics = metrics;
        this.admission = new GrpcAdmission(memory, MEMORY_FACTOR, java.time.Duration.ofMillis(500), metrics);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    @Blocking // queue appends are file writes
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        String tenant = Tenants.current();
        MemoryBudget.Lease lease = admission.admit(request, tenant, responses);
        if (lease == null) {
            return;
        }
        try (lease) {
            queue(request, tenant, responses);
        }
    }

    private void queue(byte[] request, String tenant, StreamObserver<ExportTraceServiceResponse> responses) {
        int clean = OtlpWire.cleanSpanCount(request); // -1: not clean, and Destinations parses for the precise error
        int spans = Math.max(0, clean);
        metrics.received("grpc", spans);
        CompletableFuture<ExportTraceServiceResponse> queued;
        try {
            destinations.accept(request, clean, tenant);
            queued = CompletableFuture.completedFuture(ExportTraceServiceResponse.getDefaultInstance());
        } catch (RuntimeException e) {
            queued = CompletableFuture.failedFuture(e);
        }
        ExportReplies.replyWhenDone(queued, responses, metrics, spans);
    }
}
