package dev.llmtrace.export;

import dev.llmtrace.core.grpc.HopService;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;

/** export's pieces, identified as {@code export} where the all-in-one holds the same type for other stages. */
class Wiring {
    @Produces
    @Singleton
    @Identifier("export")
    PipelineMetrics pipelineMetrics(MeterRegistry registry) {
        return new PipelineMetrics(registry, "export");
    }

    @Produces
    @Singleton
    @Identifier("export")
    MemoryBudget memory(ExportConfig config, @Identifier("export") PipelineMetrics metrics) {
        return MemoryBudget.of(config.memory(), metrics);
    }

    @Produces
    @Singleton
    ExportStage stage(Destinations destinations, @Identifier("export") MemoryBudget memory, @Identifier("export") PipelineMetrics metrics) {
        return new ExportStage(destinations, memory, metrics);
    }

    /**
     * The tenant ingest authenticated and the batch id arrive as metadata; registered on the gRPC face only (the
     * all-in-one has no hop to trust).
     */
    @ApplicationScoped
    static class HopHeaders extends HopService.Headers {}
}
