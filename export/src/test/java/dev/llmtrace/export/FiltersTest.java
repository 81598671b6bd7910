package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.Hex;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A destination's filter on plain protobuf: which spans, with their resource and scope, and when the request is passed on as it is. */
class FiltersTest {
    static ExportConfig.Filter filter(List<String> tenants, List<String> services, Map<String, String> attributes) {
        return new ExportConfig.Filter() {
            @Override
            public Optional<List<String>> tenants() {
                return Optional.ofNullable(tenants);
            }

            @Override
            public Optional<List<String>> services() {
                return Optional.ofNullable(services);
            }

            @Override
            public Map<String, String> attributes() {
                return attributes;
            }
        };
    }

    /** Two services; openrouter's spans carry feature=summarization or chat, and one an int attribute. */
    static final ExportTraceServiceRequest REQUEST = ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(resource("openrouter", span(1, Attributes.string("trace.metadata.feature", "summarization")),
                    span(2, Attributes.string("trace.metadata.feature", "chat")), span(3, Attributes.integer("retries", 2))))
            .addResourceSpans(resource("support-app", span(4, Attributes.string("trace.metadata.feature", "chat"))))
            .build();

    static ResourceSpans resource(String service, Span... spans) {
        return ResourceSpans.newBuilder().setResource(Resource.newBuilder().addAttributes(Attributes.string("service.name", service))
                        .addAttributes(Attributes.string("deployment.environment", "prod")))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))).build();
    }

    static Span span(int id, KeyValue attribute) {
        return Span.newBuilder().setSpanId(ByteString.fromHex(String.format("%016x", id))).setName("s" + id).addAttributes(attribute).build();
    }

    static List<Integer> ids(ExportTraceServiceRequest r) {
        return r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
                .map(s -> Integer.parseInt(Hex.encode(s.getSpanId()), 16)).toList();
    }

    @Test
    void noFilterOrTenantOnlyPassesTheSameRequest() {
        assertSame(REQUEST, Filters.apply(null, REQUEST, "acme"));
        ExportConfig.Filter tenants = filter(List.of("acme"), null, Map.of());
        assertTrue(Filters.tenantOnly(tenants) && Filters.tenantOnly(null));
        assertSame(REQUEST, Filters.apply(tenants, REQUEST, "acme"), "taken whole, unread and uncopied");
        assertNull(Filters.apply(tenants, REQUEST, "beta"));
        assertTrue(Filters.admitsTenant(tenants, "acme") && !Filters.admitsTenant(tenants, "beta") && Filters.admitsTenant(null, "x"));
        assertFalse(Filters.tenantOnly(filter(null, List.of("openrouter"), Map.of())));
    }

    @Test
    void byServiceKeepsWholeResources() {
        ExportTraceServiceRequest out = Filters.apply(filter(null, List.of("support-app"), Map.of()), REQUEST, "acme");
        assertEquals(List.of(4), ids(out));
        assertEquals(REQUEST.getResourceSpans(1), out.getResourceSpans(0), "resource and scope as they were");
        assertSame(REQUEST, Filters.apply(filter(null, List.of("openrouter", "support-app"), Map.of()), REQUEST, "acme"));
        assertNull(Filters.apply(filter(null, List.of("nobody"), Map.of()), REQUEST, "acme"));
    }

    @Test
    void byAttributeOnTheSpanOrItsResourceAllMustHold() {
        assertEquals(List.of(2, 4), ids(Filters.apply(filter(null, null, Map.of("trace.metadata.feature", "chat")), REQUEST, "t")));
        assertEquals(List.of(2), ids(Filters.apply(filter(null, List.of("openrouter"), Map.of("trace.metadata.feature", "chat")), REQUEST, "t")));
        assertEquals(List.of(3), ids(Filters.apply(filter(null, null, Map.of("retries", "2")), REQUEST, "t")), "an int matches its text");
        assertSame(REQUEST, Filters.apply(filter(null, null, Map.of("deployment.environment", "prod")), REQUEST, "t"), "a resource attribute");
        assertEquals(List.of(1), ids(Filters.apply(filter(null, null,
                Map.of("deployment.environment", "prod", "trace.metadata.feature", "summarization")), REQUEST, "t")));
        assertNull(Filters.apply(filter(null, null, Map.of("trace.metadata.feature", "translation")), REQUEST, "t"));
    }
}
