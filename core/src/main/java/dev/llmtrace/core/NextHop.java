package dev.llmtrace.core;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The next stage of the pipeline, taking a serialized request of one tenant: over gRPC between the
 * services ({@code GrpcTraceForwarder}), a direct call inside the all-in-one. The future completes once
 * the stage has taken the request as safely as it promises, or fails with an {@code ExportException}
 * saying whether a retry may help.
 */
@FunctionalInterface
public interface NextHop {
    CompletableFuture<ExportTraceServiceResponse> export(byte[] serializedRequest, String tenant);

    /** The same hop run on {@code executor}, so a caller's thread is not held by the hop's work. */
    default NextHop on(Executor executor) {
        return (request, tenant) -> CompletableFuture.supplyAsync(() -> export(request, tenant), executor)
                .thenCompose(result -> result);
    }
}
