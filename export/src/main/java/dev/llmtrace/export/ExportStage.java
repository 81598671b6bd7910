package dev.llmtrace.export;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.memory.Admission;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.OtlpWire;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * export as a stage: admits a batch against the memory budget and completes once it is in the durable
 * queue of every destination it is for; delivery happens behind the queues, each destination on its
 * own. Blocking (queue appends are file writes): callers run it off event loops. The gRPC service and
 * the all-in-one call the same instance.
 */
public final class ExportStage implements NextHop {
    /**
     * Heap per request byte while it is queued: the bytes, and for destinations that need it changed the
     * parsed request (about 4×) and its redacted, serialized forms (OTLP/JSON is 1.6× the protobuf, and its
     * buffer grows by doubling). 6× left too little headroom: the burst test saw G1 give up on a 22 MB
     * allocation while queue writers held arrays (GCLocker) at the images' heap.
     */
    static final int MEMORY_FACTOR = 8;

    private final Destinations destinations;
    private final Admission admission;
    private final PipelineMetrics metrics;

    public ExportStage(Destinations destinations, MemoryBudget memory, PipelineMetrics metrics) {
        this.destinations = destinations;
        this.admission = new Admission(memory, MEMORY_FACTOR, Admission.BETWEEN_HOPS_RETRY_AFTER, metrics);
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant) {
        return export(serializedRequest, tenant, () -> false);
    }

    /**
     * As {@link #export(byte[], String)}, for a caller that may give up meanwhile ({@code callerGone}, its gRPC
     * deadline passed): then nothing is queued, since the caller retries and the batch would be queued twice.
     */
    public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant, BooleanSupplier callerGone) {
        // -1: not clean, and Destinations parses for the precise error
        return accept(serializedRequest, OtlpWire.cleanSpanCount(serializedRequest), tenant, callerGone);
    }

    /** From enrich in the same process: its serializer wrote these bytes, so the wire check (a fifth of a Broadcast span's CPU here) is skipped. */
    @Override
    public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant) {
        return accept(serializedRequest, spans, tenant, () -> false);
    }

    private CompletableFuture<ExportTraceServiceResponse> accept(byte[] serializedRequest, int clean, String tenant, BooleanSupplier callerGone) {
        int spans = Math.max(0, clean);
        CompletableFuture<ExportTraceServiceResponse> queued;
        try (MemoryBudget.Lease lease = admission.admit(serializedRequest, tenant)) {
            metrics.received("grpc", spans);
            destinations.accept(serializedRequest, clean, tenant, callerGone);
            queued = CompletableFuture.completedFuture(ExportTraceServiceResponse.getDefaultInstance());
        } catch (RuntimeException | Error e) { // the lease is closed either way; the caller retries
            queued = CompletableFuture.failedFuture(e);
        }
        return metrics.counted(queued, spans);
    }
}
