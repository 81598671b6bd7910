package dev.llmtrace.ingest;

import dev.llmtrace.core.metrics.PipelineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

class MetricsProducer {
    @Produces
    @Singleton
    PipelineMetrics pipelineMetrics(MeterRegistry registry) {
        return new PipelineMetrics(registry, "ingest");
    }
}
