package dev.llmtrace.core;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * One processing step: a pure function from a trace request to a trace request, with no I/O, so it
 * can be tested without a server (the Collector's processor model). Services chain them.
 */
@FunctionalInterface
public interface TraceProcessor {
    ExportTraceServiceRequest process(ExportTraceServiceRequest request, String tenant);

    /** The steps in order, as one step. */
    static TraceProcessor chain(TraceProcessor... steps) {
        java.util.List<TraceProcessor> list = java.util.List.of(steps);
        return (request, tenant) -> {
            ExportTraceServiceRequest r = request;
            for (TraceProcessor step : list) {
                r = step.process(r, tenant);
            }
            return r;
        };
    }
}
