package dev.llmtrace.allinone;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.Schedulers;
import dev.llmtrace.enrich.Enricher;
import dev.llmtrace.export.ExportStage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one thing the all-in-one adds: the hops between the stages are direct calls instead of gRPC.
 * ingest hands each batch to the same {@link Enricher} the enrich service runs, which hands it to the
 * same {@link ExportStage} export runs; these producers replace the services' gRPC defaults. Nothing
 * is serialized between stages but what export's queues store.
 */
@ApplicationScoped
class Wiring {
    /**
     * enrich's CPU work runs here, not on ingest's forwarding thread: one thread per core. ingest keeps no more
     * batches in flight than it has threads: a batch waiting here would hold a joined copy of its requests.
     */
    private final int enrichThreads = Runtime.getRuntime().availableProcessors();
    private final ExecutorService enrichPool = Schedulers.daemonPool("enrich", enrichThreads);

    @Produces
    @Singleton
    @Identifier("enrich")
    NextHop enrich(Enricher enricher) {
        return enricher.on(enrichPool, enrichThreads);
    }

    @Produces
    @Singleton
    @Identifier("export")
    NextHop export(ExportStage export) {
        return export;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        enrichPool.shutdown();
        enrichPool.awaitTermination(5, TimeUnit.SECONDS);
    }
}
