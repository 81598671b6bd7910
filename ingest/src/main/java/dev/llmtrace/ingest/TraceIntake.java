package dev.llmtrace.ingest;

import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.TraceValidator;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What both receivers do with a decoded request: validate, answer with partial success for the spans
 * that were refused, and hand the rest to enrich. Protocol details stay in the receivers.
 */
@ApplicationScoped
public class TraceIntake {

    /** The buffer to enrich is full; the sender should retry later. */
    public static final class BufferFullException extends Exception {
        public BufferFullException() {
            super("ingest buffer is full, retry later", null, false, false);
        }
    }

    private final EnrichHandoff handoff;
    private final PipelineMetrics metrics;

    public TraceIntake(EnrichHandoff handoff, PipelineMetrics metrics) {
        this.handoff = handoff;
        this.metrics = metrics;
    }

    public ExportTraceServiceResponse accept(ExportTraceServiceRequest request, String tenant, String transport)
            throws BufferFullException {
        TraceValidator.Result result = TraceValidator.validate(request);
        if (result.acceptedSpans() > 0) {
            ExportTraceServiceRequest accepted = result.accepted();
            EnrichHandoff.Item item = new EnrichHandoff.Item(tenant, accepted.toByteArray(), result.acceptedSpans());
            if (!handoff.offer(item)) {
                metrics.rejected("buffer_full", result.acceptedSpans() + result.rejectedSpans());
                throw new BufferFullException();
            }
            metrics.received(transport, result.acceptedSpans());
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
}
