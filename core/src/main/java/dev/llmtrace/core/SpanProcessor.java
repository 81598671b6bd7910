package dev.llmtrace.core;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;

/**
 * A processing step that looks at one span at a time (and at each resource and scope on its own), never at the
 * request as a whole. Such steps can run over a serialized request span by span ({@code SpanStream}): each span
 * parsed, processed and written while it is in the cache, unchanged spans copied as they came, and no request of
 * thousands of objects built, copied and serialized. Each method answers the same instance when it changes nothing.
 */
public interface SpanProcessor extends TraceProcessor {
    Span span(Span span, String tenant);

    default Resource resource(Resource resource, String tenant) {
        return resource;
    }

    default InstrumentationScope scope(InstrumentationScope scope, String tenant) {
        return scope;
    }

    /** The same step over a parsed request: the request copied only where a part changed. */
    @Override
    default ExportTraceServiceRequest process(ExportTraceServiceRequest request, String tenant) {
        ExportTraceServiceRequest.Builder out = null;
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            ResourceSpans rs = request.getResourceSpans(r);
            if (rs.hasResource()) {
                Resource resource = resource(rs.getResource(), tenant);
                if (resource != rs.getResource()) {
                    out = out == null ? request.toBuilder() : out;
                    out.getResourceSpansBuilder(r).setResource(resource);
                }
            }
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                ScopeSpans ss = rs.getScopeSpans(s);
                if (ss.hasScope()) {
                    InstrumentationScope scope = scope(ss.getScope(), tenant);
                    if (scope != ss.getScope()) {
                        out = out == null ? request.toBuilder() : out;
                        out.getResourceSpansBuilder(r).getScopeSpansBuilder(s).setScope(scope);
                    }
                }
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    Span span = ss.getSpans(i);
                    Span changed = span(span, tenant);
                    if (changed != span) {
                        out = out == null ? request.toBuilder() : out;
                        out.getResourceSpansBuilder(r).getScopeSpansBuilder(s).setSpans(i, changed);
                    }
                }
            }
        }
        return out == null ? request : out.build();
    }

    /** {@code steps} in order, as one step that hands each span (resource, scope) from one to the next. */
    static SpanProcessor chain(List<SpanProcessor> steps) {
        List<SpanProcessor> list = List.copyOf(steps);
        return new SpanProcessor() {
            @Override
            public Span span(Span span, String tenant) {
                for (SpanProcessor step : list) {
                    span = step.span(span, tenant);
                }
                return span;
            }

            @Override
            public Resource resource(Resource resource, String tenant) {
                for (SpanProcessor step : list) {
                    resource = step.resource(resource, tenant);
                }
                return resource;
            }

            @Override
            public InstrumentationScope scope(InstrumentationScope scope, String tenant) {
                for (SpanProcessor step : list) {
                    scope = step.scope(scope, tenant);
                }
                return scope;
            }
        };
    }
}
