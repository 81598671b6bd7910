package dev.llmtrace.core.grpc;

import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/**
 * Admission of one gRPC Export call against a service's {@link MemoryBudget}: the request's bytes
 * times what the service makes of them. A call that does not fit is answered RESOURCE_EXHAUSTED with
 * RetryInfo (retryable for the OTLP clients and for our own hops) and counted.
 */
public final class GrpcAdmission {
    private final MemoryBudget budget;
    private final int factor;
    private final Duration retryAfter;
    private final PipelineMetrics metrics;

    /** {@code factor}: heap held per request byte while the service works on it. */
    public GrpcAdmission(MemoryBudget budget, int factor, Duration retryAfter, PipelineMetrics metrics) {
        this.budget = budget;
        this.factor = factor;
        this.retryAfter = retryAfter;
        this.metrics = metrics;
    }

    /** The lease for this call (close it when the call is answered), or null after refusing it. */
    public MemoryBudget.Lease admit(byte[] request, String tenant, StreamObserver<?> responses) {
        MemoryBudget.Lease lease = budget.lease(tenant);
        long charge = (long) request.length * factor;
        if (lease.grow(charge) || (!budget.couldEverHold(charge) && lease.growAlone(charge))) {
            return lease; // a request over any share was accepted upstream: it waits until it can be alone
        }
        metrics.rejected("memory_full", 0);
        responses.onError(GrpcErrors.resourceExhausted(
                metrics.service() + " is at its memory limit for requests in flight, retry later", retryAfter));
        return null;
    }

    public MemoryBudget budget() {
        return budget;
    }
}
