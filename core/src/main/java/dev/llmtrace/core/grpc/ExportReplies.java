package dev.llmtrace.core.grpc;

import dev.llmtrace.core.retry.ExportException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * How a hop behind ingest answers its caller once the work it handed on is done: OK with the
 * response, or the failure as a status the caller's retry understands ({@link GrpcErrors#toStatus}).
 * The stage itself counts ({@code PipelineMetrics#counted}), so both assemblies count alike.
 */
public final class ExportReplies {
    private ExportReplies() {}

    public static void replyWhenDone(CompletableFuture<ExportTraceServiceResponse> work,
            StreamObserver<ExportTraceServiceResponse> responses) {
        work.whenComplete((response, error) -> {
            if (error == null) {
                responses.onNext(response);
                responses.onCompleted();
            } else {
                responses.onError(GrpcErrors.toStatus(ExportException.of(error)));
            }
        });
    }
}
