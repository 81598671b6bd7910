package dev.llmtrace.export;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one serialized request to one backend and sorts a failure as a retryable or permanent
 * {@link dev.llmtrace.core.retry.ExportException}. Queueing, retry and metrics live in
 * {@link DestinationWorker}, so a sender is only a protocol.
 */
interface Sender extends AutoCloseable {

    /** What the backend said about a delivered batch: spans it rejected (OTLP partial success). */
    record Result(long rejectedSpans, String message) {
        static final Result OK = new Result(0, "");
    }

    /** {@code body} is the request in the destination's encoding, uncompressed. */
    CompletableFuture<Result> send(byte[] body, String tenant);

    @Override
    default void close() {}
}
