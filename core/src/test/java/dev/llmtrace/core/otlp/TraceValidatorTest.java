package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

class TraceValidatorTest {
    static final ByteString TRACE = ByteString.fromHex("5b8efff798038103d269b633813fc60c");

    static Span span(String name, ByteString traceId, String spanIdHex) {
        return Span.newBuilder().setName(name).setTraceId(traceId).setSpanId(ByteString.fromHex(spanIdHex)).build();
    }

    @Test
    void validRequestIsReturnedUntouched() {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("a", TRACE, "0000000000000001")))).build();
        TraceValidator.Result result = TraceValidator.validate(request);
        assertSame(request, result.accepted());
        assertEquals(1, result.acceptedSpans());
        assertEquals(0, result.rejectedSpans());
    }

    @Test
    void invalidSpansAreDroppedAndTheRestKept() {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .addSpans(span("good1", TRACE, "0000000000000001"))
                                .addSpans(span("short-trace", ByteString.fromHex("abcd"), "0000000000000002"))
                                .addSpans(span("good2", TRACE, "0000000000000003")))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .addSpans(span("zero-span", TRACE, "0000000000000000"))))
                .addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("good3", TRACE, "0000000000000004")
                                .toBuilder().setParentSpanId(ByteString.fromHex("0000000000000001")).build())))
                .build();
        TraceValidator.Result result = TraceValidator.validate(request);
        assertEquals(3, result.acceptedSpans());
        assertEquals(2, result.rejectedSpans());
        assertTrue(result.errorMessage().contains("invalid trace id"), result.errorMessage());
        assertEquals(3, Spans.count(result.accepted()));
        assertEquals(2, result.accepted().getResourceSpansCount());
        assertEquals(1, result.accepted().getResourceSpans(0).getScopeSpansCount(), "an emptied scope is removed");
        assertEquals("good2", result.accepted().getResourceSpans(0).getScopeSpans(0).getSpans(1).getName());
    }
}
