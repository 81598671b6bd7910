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
 * the all-in-one call the same instance; the all-in-one, whose ingest keeps each batch in its write-ahead
 * log until answered, may call it {@link #deliveringFirst()}.
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
        return accept(serializedRequest, OtlpWire.cleanSpanCount(serializedRequest), tenant, callerGone, false);
    }

    /** From enrich in the same process: its serializer wrote these bytes, so the wire check (a fifth of a Broadcast span's CPU here) is skipped. */
    @Override
    public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant) {
        return accept(serializedRequest, spans, tenant, () -> false, false);
    }

    /**
     * This stage for a caller in the same process that keeps each batch durable until answered (the all-in-one's ingest,
     * its write-ahead log on): a destination with nothing queued is sent the batch at once, and its queue is written only
     * if that send fails, so a healthy destination costs no disk write, copy or queue hand-off. The answer comes once
     * every destination has the batch delivered or queued; until then the caller's log holds it, and a crash replays it.
     */
    public NextHop deliveringFirst() {
        return new NextHop() {
            @Override
            public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant) {
                return accept(serializedRequest, OtlpWire.cleanSpanCount(serializedRequest), tenant, () -> false, true);
            }

            @Override
            public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant) {
                return accept(serializedRequest, spans, tenant, () -> false, true);
            }
        };
    }

    private CompletableFuture<ExportTraceServiceResponse> accept(byte[] serializedRequest, int clean, String tenant, BooleanSupplier callerGone,
            boolean deliverFirst) {
        int spans = Math.max(0, clean);
        CompletableFuture<ExportTraceServiceResponse> answer;
        MemoryBudget.Lease lease = null;
        try {
            lease = admission.admit(serializedRequest, tenant);
            metrics.received("grpc", spans);
            MemoryBudget.Lease held = lease;
            CompletableFuture<Void> settled = destinations.accept(serializedRequest, clean, tenant, callerGone, deliverFirst);
            if (!settled.isDone()) { // delivering: the bytes, and a form of them changed for a destination, are all that is held
                held.shrinkTo(2L * serializedRequest.length);
            }
            answer = settled.whenComplete((done, error) -> held.close()).thenApply(done -> ExportTraceServiceResponse.getDefaultInstance());
        } catch (RuntimeException | Error e) { // the caller retries
            if (lease != null) {
                lease.close();
            }
            answer = CompletableFuture.failedFuture(e);
        }
        return metrics.counted(answer, spans);
    }
}
