package dev.llmtrace.enrich;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.Schedulers;
import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import dev.llmtrace.core.grpc.HopService;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.enrich.pricing.PricingTables;
import io.grpc.Channel;
import io.grpc.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * enrich's pieces, identified as {@code enrich} where the all-in-one holds the same type for other stages.
 * The hop to export is gRPC by default; the all-in-one replaces it with a direct call.
 */
class Wiring {
    @Produces
    @Singleton
    @Identifier("enrich")
    PipelineMetrics pipelineMetrics(MeterRegistry registry) {
        return new PipelineMetrics(registry, "enrich");
    }

    @Produces
    @Singleton
    @Identifier("enrich")
    MemoryBudget memory(EnrichConfig config, @Identifier("enrich") PipelineMetrics metrics) {
        return MemoryBudget.of(config.memory(), metrics);
    }

    @Produces
    @Singleton
    @DefaultBean
    @Identifier("export")
    NextHop toExport(@GrpcClient("export") Channel export, EnrichConfig config) {
        return GrpcTraceForwarder.toNextHop(export, config.forward().timeout());
    }

    /** enrich's CPU work: one thread per core (see {@link Enricher}). */
    static final int THREADS = Runtime.getRuntime().availableProcessors();

    @Produces
    @Singleton
    @Identifier("enrich")
    ExecutorService workers() {
        return Schedulers.daemonPool("enrich", THREADS);
    }

    void stop(@Disposes @Identifier("enrich") ExecutorService workers) throws InterruptedException {
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Produces
    @Singleton
    Enricher enricher(TraceProcessor steps, @Identifier("export") NextHop export, @Identifier("enrich") MemoryBudget memory,
            @Identifier("enrich") PipelineMetrics metrics, @Identifier("enrich") ExecutorService workers) {
        // the work carries the gRPC context it was handed in (the batch id, which the forward to export sends on)
        return new Enricher(steps, export, memory, metrics, task -> workers.execute(Context.current().wrap(task)), THREADS);
    }

    /** enrich's steps in the order {@code enrich.processors} names them, checked at start (a bad order stops the process). */
    @Produces
    @Singleton
    @io.quarkus.runtime.Startup
    TraceProcessor steps(PricingTables tables, EnrichConfig config, MeterRegistry registry) {
        return Steps.inOrder(config.processors(), step -> switch (step) {
            case COST -> new CostProcessor(tables::current, config.pricing().driftThreshold(),
                    new LlmMetrics(registry, config.metrics().maxLabelValues()));
            case CONVENTIONS -> new ConventionsProcessor(config.conventions().aliases());
            case PRIVACY -> config.privacy().processor(config.privacy().policy(), "enrich.privacy");
        });
    }

    /**
     * The tenant ingest authenticated and the batch id arrive as metadata; registered on the gRPC face only (the
     * all-in-one has no hop to trust).
     */
    @ApplicationScoped
    static class HopHeaders extends HopService.Headers {}
}
