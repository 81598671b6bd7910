package dev.llmtrace.core.memory;

import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import java.time.Duration;

/**
 * Admission of one serialized request against a stage's {@link MemoryBudget}: its bytes times what the
 * stage makes of them. One that does not fit is refused with a retryable {@link ExportException}
 * carrying a delay (RESOURCE_EXHAUSTED + RetryInfo on the wire), counted as {@code memory_full}.
 */
public final class Admission {
    /** What a stage behind ingest tells a refused caller to wait; the caller's own backoff applies beyond. */
    public static final Duration BETWEEN_HOPS_RETRY_AFTER = Duration.ofMillis(500);

    private final MemoryBudget budget;
    private final int factor;
    private final Duration retryAfter;
    private final PipelineMetrics metrics;

    /** {@code factor}: heap held per request byte while the stage works on it. */
    public Admission(MemoryBudget budget, int factor, Duration retryAfter, PipelineMetrics metrics) {
        this.budget = budget;
        this.factor = factor;
        this.retryAfter = retryAfter;
        this.metrics = metrics;
    }

    /** The lease for this request; close it once the request is answered. */
    public MemoryBudget.Lease admit(byte[] request, String tenant) {
        MemoryBudget.Lease lease = budget.lease(tenant);
        long charge = (long) request.length * factor;
        if (lease.grow(charge) || (!budget.couldEverHold(charge) && lease.growAlone(charge))) {
            return lease; // a request over any share was accepted upstream: it waits until it can be alone
        }
        metrics.rejected("memory_full", 0);
        throw ExportException.retryable("memory_full",
                metrics.service() + " is at its memory limit for requests in flight, retry later", retryAfter);
    }

    public MemoryBudget budget() {
        return budget;
    }
}
