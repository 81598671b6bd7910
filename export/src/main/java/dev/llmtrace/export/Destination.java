package dev.llmtrace.export;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Where export delivers: sends one request and sorts its failure as a retryable or permanent
 * {@link dev.llmtrace.core.retry.ExportException}. Nothing more: queueing and retry live around it.
 */
public interface Destination extends AutoCloseable {
    String name();

    CompletableFuture<Void> send(ExportTraceServiceRequest request, String tenant);

    @Override
    default void close() {}
}
