package dev.llmtrace.core.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.function.Function;

/**
 * Attributes appended to some spans of a parsed request, the request copied only if any were: export's
 * per-destination additions (OpenInference message lists). enrich's steps run span by span instead ({@code SpanStream}).
 */
public final class SpanAdditions {
    private SpanAdditions() {}

    /** {@code perSpan} answers the attributes to append to a span (empty: none); the same request when nothing is added. */
    public static ExportTraceServiceRequest apply(ExportTraceServiceRequest request, Function<Span, List<KeyValue>> perSpan) {
        ExportTraceServiceRequest.Builder out = null;
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            ResourceSpans rs = request.getResourceSpans(r);
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                ScopeSpans ss = rs.getScopeSpans(s);
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    List<KeyValue> added = perSpan.apply(ss.getSpans(i));
                    if (added.isEmpty()) {
                        continue;
                    }
                    if (out == null) {
                        out = request.toBuilder();
                    }
                    out.getResourceSpansBuilder(r).getScopeSpansBuilder(s).getSpansBuilder(i).addAllAttributes(added);
                }
            }
        }
        return out == null ? request : out.build();
    }
}
