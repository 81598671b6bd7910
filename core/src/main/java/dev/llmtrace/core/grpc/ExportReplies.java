package dev.llmtrace.core.grpc;

import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * How a hop behind ingest answers its caller once the work it handed on is done: OK with the
 * response, or the failure as a status the caller's retry understands ({@link GrpcErrors#toStatus}),
 * counted either way.
 */
public final class ExportReplies {
    private ExportReplies() {}

    public static void replyWhenDone(CompletableFuture<ExportTraceServiceResponse> work,
            StreamObserver<ExportTraceServiceResponse> responses, PipelineMetrics metrics, int spans) {
        work.whenComplete((response, error) -> {
            if (error == null) {
                metrics.forwarded(spans);
                responses.onNext(response);
                responses.onCompleted();
            } else {
                ExportException failure = ExportException.of(error);
                metrics.forwardFailed(failure.reason());
                responses.onError(GrpcErrors.toStatus(failure));
            }
        });
    }
}
