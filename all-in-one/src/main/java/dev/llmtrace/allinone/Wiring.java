package dev.llmtrace.allinone;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.enrich.Enricher;
import dev.llmtrace.export.ExportConfig;
import dev.llmtrace.export.ExportStage;
import dev.llmtrace.ingest.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;

/**
 * The one thing the all-in-one adds: the hops between the stages are direct calls instead of gRPC.
 * ingest hands each batch to the same {@link Enricher} the enrich service runs, which hands it to the
 * same {@link ExportStage} export runs; these producers replace the services' gRPC defaults. Nothing
 * is serialized between stages but what export's queues store.
 */
@ApplicationScoped
class Wiring {
    /**
     * The Enricher works on its own threads, not on ingest's forwarding thread, and ingest keeps no more batches
     * in flight than it has ({@link NextHop#parallelism()}): a batch waiting there would hold a joined copy of its requests.
     */
    @Produces
    @Singleton
    @Identifier("enrich")
    NextHop enrich(Enricher enricher) {
        return enricher;
    }

    /**
     * With ingest's write-ahead log on, a batch stays in it until export answers, so export may send it before writing it
     * to a queue ({@link ExportStage#deliveringFirst()}): a healthy destination then costs no queue write.
     */
    @Produces
    @Singleton
    @Identifier("export")
    NextHop export(ExportStage export, IngestConfig ingest, ExportConfig config) {
        return ingest.wal().enabled() && config.queue().deliverFirst() ? export.deliveringFirst() : export;
    }
}
