package dev.llmtrace.export;

import dev.llmtrace.core.otlp.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;

/** Sets one string attribute on every resource of a batch, replacing what was there under that name. */
final class ResourceAttribute {
    private ResourceAttribute() {}

    static ExportTraceServiceRequest set(ExportTraceServiceRequest request, String key, String value) {
        ExportTraceServiceRequest.Builder out = request.toBuilder();
        for (ResourceSpans.Builder rs : out.getResourceSpansBuilderList()) {
            Resource.Builder resource = rs.getResourceBuilder();
            for (int i = resource.getAttributesCount() - 1; i >= 0; i--) {
                if (resource.getAttributes(i).getKey().equals(key)) {
                    resource.removeAttributes(i);
                }
            }
            KeyValue kv = Attributes.string(key, value);
            resource.addAttributes(kv);
        }
        return out.build();
    }
}
