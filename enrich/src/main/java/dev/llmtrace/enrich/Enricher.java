package dev.llmtrace.enrich;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.SpanProcessor;
import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.memory.Admission;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.SpanStream;
import dev.llmtrace.core.otlp.Spans;
import dev.llmtrace.core.retry.ExportException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * enrich as a stage: admits a request against the memory budget, parses it, runs the processing
 * steps in order and hands the result to export. Stateless: it answers only with export's answer, so
 * whoever called keeps (and retries) anything export has not taken. The gRPC service and the
 * all-in-one call the same instance.
 * <p>
 * A request is admitted on the caller's thread and worked on one of enrich's own threads (one per core), so no
 * more requests are worked on at once than there are cores. With a thread per call, the 16 calls ingest keeps in
 * flight were all worked on at once on 2 cores, each taking 8 times as long and holding its copies meanwhile.
 */
public final class Enricher implements NextHop {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Enricher.class);
    /**
     * Heap per request byte until export answers: the bytes, the parsed request (about 4×; only one span at a
     * time when the steps run span by span, but a request with a repeated resource or scope is parsed whole), and
     * the serialized form of the processed copy.
     */
    static final int MEMORY_FACTOR = 6;

    private final TraceProcessor steps;
    private final NextHop export;
    private final Admission admission;
    private final PipelineMetrics metrics;
    private final Executor work;
    private final int threads;

    /** {@code work}: where requests are worked on, {@code threads} at a time (its threads). */
    public Enricher(TraceProcessor steps, NextHop export, MemoryBudget memory, PipelineMetrics metrics, Executor work, int threads) {
        this.steps = steps;
        this.export = export;
        this.admission = new Admission(memory, MEMORY_FACTOR, Admission.BETWEEN_HOPS_RETRY_AFTER, metrics);
        this.metrics = metrics;
        this.work = work;
        this.threads = threads;
    }

    /** ingest keeps no more batches in flight to an enrich in its own process than this: more would wait holding a copy. */
    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant) {
        return export(serializedRequest, tenant, () -> false);
    }

    /**
     * As {@link #export(byte[], String)}, for a caller that may give up while the request is processed
     * ({@code callerGone}, e.g. its gRPC deadline passed): then the request is not handed to export, since the
     * caller retries it and export would queue it twice. The caller's retry is the one that goes through.
     */
    public CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant, BooleanSupplier callerGone) {
        return export(serializedRequest, tenant, callerGone, false, () -> { });
    }

    /**
     * ingest's requests in the all-in-one: every string in them was checked as UTF-8 when ingest received them, so
     * their attributes are decoded without checking again (that second check was 4 % of the all-in-one's CPU).
     */
    @Override
    public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant) {
        return export(serializedRequest, tenant, () -> false, true, () -> { });
    }

    /** As {@link #exportValidated(byte[], int, String)}; {@code taken} is told once the request is processed and handed to export. */
    @Override
    public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant, Runnable taken) {
        CompletableFuture<ExportTraceServiceResponse> answer = export(serializedRequest, tenant, () -> false, true, taken);
        answer.whenComplete((response, error) -> taken.run()); // refused or failed before it was handed on
        return answer;
    }

    private CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant, BooleanSupplier callerGone,
            boolean utf8Checked, Runnable taken) {
        MemoryBudget.Lease lease;
        try {
            lease = admission.admit(serializedRequest, tenant); // here: a request waiting for a thread is counted too
        } catch (ExportException refused) {
            return CompletableFuture.failedFuture(refused);
        }
        try {
            return CompletableFuture.supplyAsync(() -> processAndForward(serializedRequest, tenant, callerGone, utf8Checked, lease, taken), work)
                    .thenCompose(forwarded -> forwarded);
        } catch (RejectedExecutionException stopping) {
            lease.close();
            return CompletableFuture.failedFuture(ExportException.retryable("stopping", "enrich is stopping", (java.time.Duration) null));
        }
    }

    private CompletableFuture<ExportTraceServiceResponse> processAndForward(byte[] serializedRequest, String tenant, BooleanSupplier callerGone,
            boolean utf8Checked, MemoryBudget.Lease lease, Runnable taken) {
        CompletableFuture<ExportTraceServiceResponse> forwarded;
        int spans;
        try {
            byte[] processed;
            try {
                SpanStream.Result result = process(serializedRequest, tenant, utf8Checked);
                processed = result.bytes();
                spans = result.spans();
            } catch (InvalidProtocolBufferException e) {
                lease.close();
                metrics.rejected("malformed", 0);
                return CompletableFuture.failedFuture(ExportException.permanent("malformed", "invalid OTLP protobuf: " + e.getMessage()));
            }
            metrics.received("grpc", spans);
            lease.shrinkTo(processed.length); // while export works, only these bytes are held here
            if (callerGone.getAsBoolean()) {
                lease.close();
                metrics.forwardFailed("caller_gone");
                return CompletableFuture.failedFuture(ExportException.retryable("caller_gone",
                        "the caller gave up while the request was processed; it retries", (java.time.Duration) null));
            }
            forwarded = export.exportValidated(processed, spans, tenant); // parsed from valid bytes, processed, serialized here
            taken.run(); // export may answer only once it has delivered: this thread is free for the next request now
        } catch (RuntimeException | Error e) { // an Error too: a lease left held would starve the budget for good
            lease.close();
            LOG.errorf("enrich failed on a request of tenant %s: %s", tenant, e.toString());
            return CompletableFuture.failedFuture(e);
        }
        return metrics.counted(forwarded.whenComplete((response, error) -> lease.close()), spans);
    }

    /** Span by span on the wire when every step allows it (the default steps do), else the whole request parsed. */
    private SpanStream.Result process(byte[] serializedRequest, String tenant, boolean utf8Checked) throws InvalidProtocolBufferException {
        if (steps instanceof SpanProcessor perSpan) {
            try {
                return SpanStream.process(serializedRequest, perSpan, tenant, utf8Checked);
            } catch (SpanStream.NotStreamable unusual) {
                // a resource or scope given twice: parsed whole below, where protobuf merges them
            }
        }
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(serializedRequest);
        return new SpanStream.Result(steps.process(request, tenant).toByteArray(), Spans.count(request));
    }
}
