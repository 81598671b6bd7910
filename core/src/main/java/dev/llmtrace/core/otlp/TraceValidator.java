package dev.llmtrace.core.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Drops spans whose ids break the OTLP data model (trace id: 16 bytes, not all zero; span id: 8 bytes,
 * not all zero; parent span id: empty or 8 bytes) and keeps the rest, so one bad span costs only itself:
 * the receiver answers with {@code partial_success} as the OTLP spec asks.
 */
public final class TraceValidator {

    /** What survived validation and what was said about the rest. */
    public record Result(ExportTraceServiceRequest accepted, int acceptedSpans, int rejectedSpans, String errorMessage) {
        public boolean hasRejections() {
            return rejectedSpans > 0;
        }
    }

    private TraceValidator() {}

    public static Result validate(ExportTraceServiceRequest request) {
        int rejected = 0;
        int accepted = 0;
        String firstProblem = null;
        boolean changed = false;
        ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            ResourceSpans.Builder rsOut = null;
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                ScopeSpans ss = rs.getScopeSpans(s);
                ScopeSpans.Builder ssOut = null;
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    Span span = ss.getSpans(i);
                    String problem = problem(span);
                    if (problem == null) {
                        accepted++;
                        if (ssOut != null) {
                            ssOut.addSpans(span);
                        }
                        continue;
                    }
                    rejected++;
                    if (firstProblem == null) {
                        firstProblem = problem + " (span '" + span.getName() + "')";
                    }
                    if (ssOut == null) { // copy the good spans seen so far, once
                        ssOut = ss.toBuilder().clearSpans();
                        for (int j = 0; j < i; j++) {
                            ssOut.addSpans(ss.getSpans(j));
                        }
                    }
                }
                if (ssOut != null) {
                    changed = true;
                    if (rsOut == null) {
                        rsOut = rs.toBuilder().clearScopeSpans();
                        for (int j = 0; j < s; j++) {
                            rsOut.addScopeSpans(rs.getScopeSpans(j));
                        }
                    }
                    if (ssOut.getSpansCount() > 0) {
                        rsOut.addScopeSpans(ssOut);
                    }
                } else if (rsOut != null) {
                    rsOut.addScopeSpans(ss);
                }
            }
            if (rsOut == null) {
                out.addResourceSpans(rs);
            } else if (rsOut.getScopeSpansCount() > 0) {
                out.addResourceSpans(rsOut);
            }
        }
        if (!changed) {
            return new Result(request, accepted, 0, "");
        }
        String message = rejected + " span(s) rejected: " + firstProblem;
        return new Result(out.build(), accepted, rejected, message);
    }

    /** Why {@code span} is invalid, or null when it is fine. */
    static String problem(Span span) {
        if (!isValidId(span.getTraceId(), 16)) {
            return "invalid trace id (must be 16 bytes, 32 hex characters, not all zero)";
        }
        if (!isValidId(span.getSpanId(), 8)) {
            return "invalid span id (must be 8 bytes, 16 hex characters, not all zero)";
        }
        if (!span.getParentSpanId().isEmpty() && span.getParentSpanId().size() != 8) {
            return "invalid parent span id (must be empty or 8 bytes, 16 hex characters)";
        }
        return null;
    }

    private static boolean isValidId(ByteString id, int length) {
        if (id.size() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (id.byteAt(i) != 0) {
                return true;
            }
        }
        return false;
    }
}
