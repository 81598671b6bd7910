package dev.llmtrace.enrich;

import dev.llmtrace.core.SpanProcessor;
import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.otlp.SpanAdditions;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * A step that appends attributes to LLM spans (cost, conventions). Steps of this kind that follow each other
 * run as one ({@link #fused}): each span is read once and the request copied once, and a later step sees what
 * the earlier ones added exactly as if it had read the changed span again.
 */
public interface SpanStep extends TraceProcessor {
    /** Appends this step's attributes for one LLM call to {@code add}; {@code a} is what the span says so far. */
    void addTo(Span span, GenAiAttributes a, List<KeyValue> add, String tenant);

    @Override
    default ExportTraceServiceRequest process(ExportTraceServiceRequest request, String tenant) {
        return fused(List.of(this)).process(request, tenant);
    }

    /** {@code steps} in order, as one pass over the spans: each span copied once, with all that the steps add. */
    static SpanProcessor fused(List<SpanStep> steps) {
        return (span, tenant) -> {
            GenAiAttributes a = GenAiAttributes.read(span.getAttributesList());
            if (!a.isLlmCall()) {
                return span;
            }
            List<KeyValue> add = new ArrayList<>(24);
            for (SpanStep step : steps) {
                int before = add.size();
                step.addTo(span, a, add, tenant);
                for (int i = before; i < add.size(); i++) {
                    a.absorb(add.get(i)); // the next step reads the span as this one left it
                }
            }
            return SpanAdditions.appended(span, add);
        };
    }
}
