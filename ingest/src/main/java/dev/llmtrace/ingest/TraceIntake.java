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
import java.util.Optional;
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
     */
    public ExportTraceServiceResponse accept(byte[] serialized, String tenant, String transport)
            throws BufferFullException, InvalidProtocolBufferException {
        int spans = OtlpWire.cleanSpanCount(serialized);
        if (spans < 0) {
            return accept(ExportTraceServiceRequest.parseFrom(serialized), tenant, transport);
        }
        if (spans > 0) {
            offer(new IngestBuffer.Item(tenant, serialized, spans), spans, transport);
        }
        return ExportTraceServiceResponse.getDefaultInstance();
    }

    public ExportTraceServiceResponse accept(ExportTraceServiceRequest request, String tenant, String transport)
            throws BufferFullException {
        TraceValidator.Result result = TraceValidator.validate(request);
        if (result.acceptedSpans() > 0) {
            ExportTraceServiceRequest accepted = result.accepted();
            offer(new IngestBuffer.Item(tenant, accepted.toByteArray(), result.acceptedSpans()),
                    result.acceptedSpans() + result.rejectedSpans(), transport);
        }
        if (!result.hasRejections()) {
            return ExportTraceServiceResponse.getDefaultInstance();
        }
        metrics.rejected("invalid_span", result.rejectedSpans());
        return ExportTraceServiceResponse.newBuilder()
                .setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(result.rejectedSpans())
                        .setErrorMessage(result.errorMessage()))
                .build();
    }

    /** {@code requestSpans}: every span of the request, refused with it when the buffer is full. */
    private void offer(IngestBuffer.Item item, int requestSpans, String transport) throws BufferFullException {
        // gRPC calls run on the event loop, which must not wait; HTTP requests are decoded on worker threads
        Optional<IngestBuffer.Refusal> refusal = buffer.offer(item, transport.equals("grpc") ? Duration.ZERO : waitForRoom);
        if (refusal.isPresent()) {
            metrics.rejected(refusal.get().reason, requestSpans);
            throw new BufferFullException(refusal.get().message);
        }
        metrics.received(transport, item.spans());
    }
}
