package dev.llmtrace.enrich;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.enrich.pricing.PricingTables;
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
        return new PipelineMetrics(registry, "enrich");
    }

    @Produces
    @Singleton
    MemoryBudget memory(EnrichConfig config, PipelineMetrics metrics) {
        return MemoryBudget.of(config.memory(), metrics);
    }

    /**
     * enrich's steps in order: cost and conventions (with the live pricing table and LLM metrics), then
     * the global privacy policy, so cost is computed before any content is dropped.
     */
    @Produces
    @Singleton
    TraceProcessor steps(PricingTables tables, EnrichConfig config, MeterRegistry registry) {
        CostProcessor cost = new CostProcessor(tables::current, config.conventions().aliases(), config.pricing().driftThreshold(),
                new LlmMetrics(registry, config.metrics().maxLabelValues()));
        return TraceProcessor.chain(cost, config.privacy().processor(config.privacy().policy(), "enrich.privacy"));
    }

    /** The tenant ingest authenticated arrives as metadata. */
    @ApplicationScoped
    @GlobalInterceptor
    static class TenantFromHeader extends Tenants.FromHeader {}
}
