package dev.llmtrace.enrich;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.grpc.Tenants;
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

    /** The cost and conventions step, with the live pricing table and LLM metrics. */
    @Produces
    @Singleton
    TraceProcessor costProcessor(PricingTables tables, EnrichConfig config, MeterRegistry registry) {
        return new CostProcessor(tables::current, config.conventions().aliases(), config.pricing().driftThreshold(),
                new LlmMetrics(registry, config.metrics().maxLabelValues()));
    }

    /** The tenant ingest authenticated arrives as metadata. */
    @ApplicationScoped
    @GlobalInterceptor
    static class TenantFromHeader extends Tenants.FromHeader {}
}
