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

    /**
     * A request the caller serialized itself from one already validated, with its span count. A stage in
     * the same process may take it without checking the bytes again (the all-in-one's export); across a
     * network the bytes are checked as any others.
     */
    default CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant) {
        return export(serializedRequest, tenant);
    }

    /** The same hop run on {@code executor}, so a caller's thread is not held by the hop's work. */
    default NextHop on(Executor executor) {
        return (request, tenant) -> CompletableFuture.supplyAsync(() -> export(request, tenant), executor)
                .thenCompose(result -> result);
    }
}
