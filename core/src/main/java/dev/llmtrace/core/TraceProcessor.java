package dev.llmtrace.core;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * One processing step: a pure function from a trace request to a trace request, with no I/O, so it
 * can be tested without a server (the Collector's processor model). Services chain them.
 */
@FunctionalInterface
public interface TraceProcessor {
    ExportTraceServiceRequest process(ExportTraceServiceRequest request, String tenant);
}
