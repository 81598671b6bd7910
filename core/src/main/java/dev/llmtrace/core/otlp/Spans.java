package dev.llmtrace.core.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.List;

/** Small helpers over trace requests. */
public final class Spans {
    private Spans() {}

    public static int count(ExportTraceServiceRequest request) {
        int n = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                n += ss.getSpansCount();
            }
        }
        return n;
    }

    /** One request holding the resource spans of all {@code requests}, in order. */
    public static ExportTraceServiceRequest concat(List<ExportTraceServiceRequest> requests) {
        if (requests.size() == 1) {
            return requests.get(0);
        }
        ExportTraceServiceRequest.Builder merged = ExportTraceServiceRequest.newBuilder();
        for (ExportTraceServiceRequest r : requests) {
            merged.addAllResourceSpans(r.getResourceSpansList());
        }
        return merged.build();
    }
}
