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

    /** Spans given up on (permanent error, retries exhausted). Never silent: also logged by the caller. */
    public void dropped(String reason, int spans) {
        counter("llmtrace.spans.dropped", "reason", reason).increment(spans);
    }

    private Counter counter(String name, String... tags) {
        String[] all = new String[tags.length + 2];
        all[0] = "service";
        all[1] = service;
        System.arraycopy(tags, 0, all, 2, tags.length);
        return registry.counter(name, all);
    }
}
