package dev.llmtrace.export;

import dev.llmtrace.core.queue.PersistentQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Per-destination meters, all tagged {@code destination}. */
final class ExportMetrics {
    private final MeterRegistry registry;
    private final String destination;
    private final Timer latency;
    private final Counter queued;

    ExportMetrics(MeterRegistry registry, String destination, PersistentQueue queue) {
        this.registry = registry;
        this.destination = destination;
        Gauge.builder("llmtrace.export.queue.items", queue, PersistentQueue::size)
                .description("Batches queued for the destination, in flight included").tag("destination", destination).register(registry);
        Gauge.builder("llmtrace.export.queue.bytes", queue, PersistentQueue::bytes)
                .description("Bytes queued for the destination").tag("destination", destination).register(registry);
        Gauge.builder("llmtrace.export.queue.capacity.bytes", queue, PersistentQueue::maxBytes)
                .description("Queue capacity").tag("destination", destination).register(registry);
        this.latency = Timer.builder("llmtrace.export.latency").description("Time of one successful send")
                .tag("destination", destination).publishPercentileHistogram().register(registry);
        // start at zero, so rate() and alerts see a series before the first event
        counter("llmtrace.export.spans.sent", "Spans the destination accepted");
        counter("llmtrace.export.retries", "Send attempts that will be retried");
        counter("llmtrace.export.spans.dead.lettered", "Spans written to the dead-letter file after retries ran out");
        counter("llmtrace.export.spans.rejected", "Spans the backend refused in a partial success");
        this.queued = counter("llmtrace.export.batches.queued",
                "Batches written to the destination's queue (delivering first: those whose first send failed or found it busy)");
    }

    void queued() {
        queued.increment();
    }

    void sent(int spans, Duration took) {
        counter("llmtrace.export.spans.sent", "Spans the destination accepted").increment(spans);
        latency.record(took);
    }

    void failed(String reason) {
        counter("llmtrace.export.failures", "Failed send attempts, by reason", "reason", reason).increment();
    }

    void retried() {
        counter("llmtrace.export.retries", "Send attempts that will be retried").increment();
    }

    void dropped(String reason, int spans) {
        counter("llmtrace.export.spans.dropped", "Spans dropped, by reason", "reason", reason).increment(spans);
    }

    void deadLettered(int spans) {
        counter("llmtrace.export.spans.dead.lettered", "Spans written to the dead-letter file after retries ran out").increment(spans);
    }

    void rejectedByBackend(long spans) {
        counter("llmtrace.export.spans.rejected", "Spans the backend refused in a partial success").increment(spans);
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tag("destination", destination).tags(tags).register(registry);
    }
}
