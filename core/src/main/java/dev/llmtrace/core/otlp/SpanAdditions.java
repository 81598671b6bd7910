package dev.llmtrace.core.otlp;

import dev.llmtrace.core.SpanProcessor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.function.Function;

/**
 * Attributes appended to spans: to one span (enrich's attribute steps, run span by span), or to some spans of a
 * parsed request through {@link SpanProcessor}'s walk, the request copied only if any were (export's per-destination
 * OpenInference message lists).
 */
public final class SpanAdditions {
    private SpanAdditions() {}

    /** {@code span} with {@code added} appended to its attributes; the same span when there is nothing to add. */
    public static Span appended(Span span, List<KeyValue> added) {
        return added.isEmpty() ? span : span.toBuilder().addAllAttributes(added).build();
    }

    /** {@code perSpan} answers the attributes to append to a span (empty: none); the same request when nothing is added. */
    public static ExportTraceServiceRequest apply(ExportTraceServiceRequest request, Function<Span, List<KeyValue>> perSpan) {
        SpanProcessor appending = (span, tenant) -> appended(span, perSpan.apply(span));
        return appending.process(request, "");
    }
}
