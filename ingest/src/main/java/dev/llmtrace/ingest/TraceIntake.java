package dev.llmtrace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.OtlpWire;
import dev.llmtrace.core.otlp.TraceValidator;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import io.smallrye.common.annotation.Identifier;

/**
 * What both receivers do with a decoded request: validate, answer with partial success for the spans
 * that were refused, and hand the rest to enrich. Protocol details stay in the receivers.
 */
@ApplicationScoped
public class TraceIntake {

    /** The buffer to enrich is full; the sender should retry later. */
    public static final class BufferFullException extends Exception {
        public BufferFullException(String message) {
            super(message, null, false, false);
        }

        /** The refusal a failed answer carries, or null when it failed for another reason. */
        public static BufferFullException in(Throwable failure) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            return cause instanceof BufferFullException full ? full : null;
        }
    }

    private final IngestBuffer buffer;
    private final PipelineMetrics metrics;
    private final Duration waitForRoom;

    public TraceIntake(IngestBuffer buffer, @Identifier("ingest") PipelineMetrics metrics, IngestConfig config) {
        this.buffer = buffer;
        this.metrics = metrics;
        this.waitForRoom = config.buffer().waitForRoom();
    }

    /**
     * A request as it came off the wire (protobuf). When every span is valid it is handed on as these
     * very bytes, never built into objects; otherwise it is parsed, for the precise error or partial success.
     * The answer completes once the request is taken, or fails with {@link BufferFullException} when the buffer
     * stayed full for {@code buffer.wait-for-room}; {@code callerGone} says the sender no longer waits for it.
     */
    public CompletableFuture<ExportTraceServiceResponse> accept(byte[] serialized, String tenant, String transport,
            BooleanSupplier callerGone) throws InvalidProtocolBufferException {
        int spans = OtlpWire.cleanSpanCount(serialized);
        if (spans < 0) {
            return accept(ExportTraceServiceRequest.parseFrom(serialized), tenant, transport, callerGone);
        }
        if (spans == 0) {
            return CompletableFuture.completedFuture(ExportTraceServiceResponse.getDefaultInstance());
        }
        return offer(new IngestBuffer.Item(tenant, serialized, spans), spans, transport, callerGone)
                .thenApply(taken -> ExportTraceServiceResponse.getDefaultInstance());
    }

    private CompletableFuture<ExportTraceServiceResponse> accept(ExportTraceServiceRequest request, String tenant, String transport,
            BooleanSupplier callerGone) {
        TraceValidator.Result result = TraceValidator.validate(request);
        CompletableFuture<Void> taken = result.acceptedSpans() == 0 ? CompletableFuture.completedFuture(null)
                : offer(new IngestBuffer.Item(tenant, result.accepted().toByteArray(), result.acceptedSpans()),
                        result.acceptedSpans() + result.rejectedSpans(), transport, callerGone);
        return taken.thenApply(done -> {
            if (!result.hasRejections()) {
                return ExportTraceServiceResponse.getDefaultInstance();
            }
            metrics.rejected("invalid_span", result.rejectedSpans());
            return ExportTraceServiceResponse.newBuilder()
                    .setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                            .setRejectedSpans(result.rejectedSpans())
                            .setErrorMessage(result.errorMessage()))
                    .build();
        });
    }

    /** {@code requestSpans}: every span of the request, refused with it when the buffer stays full. */
    private CompletableFuture<Void> offer(IngestBuffer.Item item, int requestSpans, String transport, BooleanSupplier callerGone) {
        return buffer.offer(item, waitForRoom, callerGone).thenApply(refusal -> {
            if (refusal.isPresent()) {
                metrics.rejected(refusal.get().reason, requestSpans);
                throw new CompletionException(new BufferFullException(refusal.get().message));
            }
            metrics.received(transport, item.spans());
            return null;
        });
    }
}
