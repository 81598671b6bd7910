package dev.llmtrace.core.grpc;

import dev.llmtrace.core.metrics.PipelineMetrics;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The gRPC face of a hop behind ingest (enrich, export): takes the request as bytes with the tenant and batch id
 * its caller sent ({@link Headers}), has the stage work it once per batch ({@link RepeatedBatches}), and answers
 * with the stage's outcome ({@link ExportReplies}).
 */
public final class HopService {
    /** Batches remembered for their callers' retries: ingest's deadline and backoff are seconds. */
    static final Duration REMEMBERED = Duration.ofMinutes(5);
    static final int REMEMBERED_BATCHES = 20_000;

    /** A stage that may learn its caller gave up ({@code callerGone}), as enrich's and export's do. */
    @FunctionalInterface
    public interface Stage {
        CompletableFuture<ExportTraceServiceResponse> export(byte[] request, String tenant, BooleanSupplier callerGone);
    }

    private final Stage stage;
    private final PipelineMetrics metrics;
    private final RepeatedBatches<ExportTraceServiceResponse> batches = new RepeatedBatches<>(REMEMBERED, REMEMBERED_BATCHES);

    public HopService(Stage stage, PipelineMetrics metrics) {
        this.stage = stage;
        this.metrics = metrics;
    }

    /**
     * One call. A batch with an id is worked to the end even if its caller gives up meanwhile: its retry waits
     * for that work or finds it done. One without (a caller from before batch ids) stops handing on once its
     * caller is gone, since that caller retries it.
     */
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        Context call = Context.current(); // cancelled when the caller's deadline passes or it goes away
        String batch = BatchIds.current();
        String tenant = Tenants.current();
        BooleanSupplier callerGone = batch == null ? call::isCancelled : () -> false;
        ExportReplies.replyWhenDone(batches.once(batch, () -> stage.export(request, tenant, callerGone), metrics::repeatedBatch),
                responses);
    }

    /** Copies the tenant and batch id headers of a call from the previous hop into its context. */
    public static class Headers implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context context = Context.current();
            String tenant = headers.get(Tenants.HEADER);
            if (tenant != null && !tenant.isBlank()) {
                context = context.withValue(Tenants.CONTEXT, tenant);
            }
            String batch = headers.get(BatchIds.HEADER);
            if (batch != null && !batch.isBlank() && batch.length() <= 64) {
                context = context.withValue(BatchIds.CONTEXT, batch);
            }
            return Contexts.interceptCall(context, call, headers, next);
        }
    }
}
