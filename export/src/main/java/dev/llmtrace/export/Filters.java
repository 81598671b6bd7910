package dev.llmtrace.export;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Map;

/** A destination's filter as a pure function: the part of a request it should get, the same instance when all, or null. */
final class Filters {
    private Filters() {}

    /** True when the filter looks at the tenant only: then it takes a request whole or not at all, unread. */
    static boolean tenantOnly(ExportConfig.Filter filter) {
        return filter == null || (filter.services().isEmpty() && filter.attributes().isEmpty());
    }

    static boolean admitsTenant(ExportConfig.Filter filter, String tenant) {
        return filter == null || filter.tenants().isEmpty() || filter.tenants().get().contains(tenant);
    }

    static ExportTraceServiceRequest apply(ExportConfig.Filter filter, ExportTraceServiceRequest request, String tenant) {
        if (filter == null) {
            return request;
        }
        if (filter.tenants().isPresent() && !filter.tenants().get().contains(tenant)) {
            return null;
        }
        if (filter.services().isEmpty() && filter.attributes().isEmpty()) {
            return request;
        }
        ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
        boolean changed = false;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            List<KeyValue> resource = rs.getResource().getAttributesList();
            if (filter.services().isPresent() && !filter.services().get().contains(stringValue(resource, "service.name"))) {
                changed = true;
                continue;
            }
            if (filter.attributes().isEmpty()) {
                out.addResourceSpans(rs);
                continue;
            }
            ResourceSpans.Builder kept = rs.toBuilder().clearScopeSpans();
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                ScopeSpans.Builder keptScope = ss.toBuilder().clearSpans();
                for (Span span : ss.getSpansList()) {
                    if (matches(filter.attributes(), resource, span.getAttributesList())) {
                        keptScope.addSpans(span);
                    } else {
                        changed = true;
                    }
                }
                if (keptScope.getSpansCount() > 0) {
                    kept.addScopeSpans(keptScope);
                }
            }
            if (kept.getScopeSpansCount() > 0) {
                out.addResourceSpans(kept);
            }
        }
        if (!changed) {
            return request;
        }
        return out.getResourceSpansCount() == 0 ? null : out.build();
    }

    private static boolean matches(Map<String, String> wanted, List<KeyValue> resource, List<KeyValue> span) {
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (!e.getValue().equals(stringValue(span, e.getKey())) && !e.getValue().equals(stringValue(resource, e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The attribute as text (ints, doubles and bools too, so filters can match them), or null. */
    private static String stringValue(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return switch (v.getValueCase()) {
                    case STRING_VALUE -> v.getStringValue();
                    case INT_VALUE -> Long.toString(v.getIntValue());
                    case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                    case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                    default -> null;
                };
            }
        }
        return null;
    }
}
