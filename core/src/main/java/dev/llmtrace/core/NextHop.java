package dev.llmtrace.core;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;

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

    /**
     * As {@link #exportValidated(byte[], int, String)}, telling {@code taken} once this hop has worked on the request
     * and handed it on, which may come well before the answer (the all-in-one's export answers once the batch is
     * delivered). A caller that bounds its calls in flight by {@link #parallelism()} counts a call until then.
     * By default, with the answer.
     */
    default CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] serializedRequest, int spans, String tenant, Runnable taken) {
        CompletableFuture<ExportTraceServiceResponse> answer = exportValidated(serializedRequest, spans, tenant);
        answer.whenComplete((response, error) -> taken.run());
        return answer;
    }

    /**
     * How many calls this hop works on at once; calls beyond it only wait in line, each holding its request. A
     * caller that keeps calls in flight sends no more than this. Unbounded unless the hop works on its own pool (the Enricher).
     */
    default int parallelism() {
        return Integer.MAX_VALUE;
    }
}
