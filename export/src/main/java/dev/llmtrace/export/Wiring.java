package dev.llmtrace.export;

import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

class Wiring {
    @Produces
    @Singleton
    PipelineMetrics pipelineMetrics(MeterRegistry registry) {
        return new PipelineMetrics(registry, "export");
    }

    @Produces
    @Singleton
    MemoryBudget memory(ExportConfig config, PipelineMetrics metrics) {
        return MemoryBudget.of(config.memory(), metrics);
    }

    /** The tenant ingest authenticated arrives as metadata. */
    @ApplicationScoped
    @GlobalInterceptor
    static class TenantFromHeader extends Tenants.FromHeader {}
}
