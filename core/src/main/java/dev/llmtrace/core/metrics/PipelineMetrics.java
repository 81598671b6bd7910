package dev.llmtrace.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The span counters every hop keeps, with the same names in all three services (told apart by the
 * {@code service} tag) so one dashboard reads the whole pipeline.
 */
public final class PipelineMetrics {
    private final MeterRegistry registry;
    private final String service;

    public PipelineMetrics(MeterRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
        // start at zero, so rate() and alerts see a series before the first event
        counter("llmtrace.spans.forwarded");
        counter("llmtrace.spans.dropped", "reason", "retries_exhausted");
        counter("llmtrace.batches.repeated");
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String service() {
        return service;
    }

    /** Spans accepted from a sender or the previous hop. */
    public void received(String transport, int spans) {
        counter("llmtrace.spans.received", "transport", transport).increment(spans);
    }

    /** A request refused as a whole (before its spans could be counted) or spans refused one by one. */
    public void rejected(String reason, int spans) {
        counter("llmtrace.requests.rejected", "reason", reason).increment();
        if (spans > 0) {
            counter("llmtrace.spans.rejected", "reason", reason).increment(spans);
        }
    }

    /** Spans the next hop (or a destination) acknowledged. */
    public void forwarded(int spans) {
        counter("llmtrace.spans.forwarded").increment(spans);
    }

    /** A failed attempt to hand spans on; retried or not. */
    public void forwardFailed(String reason) {
        counter("llmtrace.forward.failures", "reason", reason).increment();
    }

    /** Counts {@code work} when it completes: its spans forwarded, or a failure by reason. */
    public <T> java.util.concurrent.CompletableFuture<T> counted(java.util.concurrent.CompletableFuture<T> work, int spans) {
        return work.whenComplete((result, error) -> {
            if (error == null) {
                forwarded(spans);
            } else {
                forwardFailed(dev.llmtrace.core.retry.ExportException.of(error).reason());
            }
        });
    }

    /** A retried batch answered from its earlier attempt instead of being handed on a second time. */
    public void repeatedBatch() {
        counter("llmtrace.batches.repeated").increment();
    }

    /** Spans given up on (permanent error, retries exhausted). Never silent: also logged by the caller. */
    public void dropped(String reason, int spans) {
        counter("llmtrace.spans.dropped", "reason", reason).increment(spans);
    }

    private static final java.util.Map<String, String> DESCRIPTIONS = java.util.Map.of(
            "llmtrace.spans.received", "Spans accepted from senders or the previous hop",
            "llmtrace.requests.rejected", "Requests refused, by reason",
            "llmtrace.spans.rejected", "Spans refused, by reason",
            "llmtrace.spans.forwarded", "Spans the next hop or destination acknowledged",
            "llmtrace.forward.failures", "Failed attempts to hand spans on, by reason",
            "llmtrace.spans.dropped", "Spans given up on after permanent errors or exhausted retries",
            "llmtrace.batches.repeated", "Retried batches answered from their earlier attempt, not handed on twice");

    private Counter counter(String name, String... tags) {
        return Counter.builder(name)
                .description(DESCRIPTIONS.get(name))
                .tag("service", service)
                .tags(tags)
                .register(registry);
    }
}
