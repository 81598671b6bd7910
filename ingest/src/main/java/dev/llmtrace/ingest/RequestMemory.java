package dev.llmtrace.ingest;

import dev.llmtrace.core.memory.Admission;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import io.smallrye.common.annotation.Identifier;

/**
 * The heap that requests may hold while they are read, inflated and decoded ({@code ingest.memory.*}).
 * Each body byte is charged {@link #DECODE_FACTOR} times: measured on Broadcast JSON, the decoded
 * protobuf objects hold 2.5× the JSON and the serialized request 0.6×, beside the body itself. An
 * inflated gzip byte is charged once more for the growing inflate buffer.
 */
@ApplicationScoped
public class RequestMemory {
    static final int DECODE_FACTOR = 4;
    static final int INFLATE_FACTOR = DECODE_FACTOR + 1;

    private final MemoryBudget budget;
    private final Admission grpc;

    public RequestMemory(IngestConfig config, @Identifier("ingest") PipelineMetrics metrics) {
        this.budget = MemoryBudget.of(config.memory(), metrics);
        this.grpc = new Admission(budget, DECODE_FACTOR, config.buffer().retryAfter(), metrics);
    }

    MemoryBudget.Lease lease(String tenant) {
        return budget.lease(tenant);
    }

    /** gRPC has read the message already (up to its limit); a parse of a request with a problem may follow. */
    Admission grpc() {
        return grpc;
    }

    boolean hasRoom() {
        return budget.hasRoom();
    }

    long used() {
        return budget.used();
    }
}
