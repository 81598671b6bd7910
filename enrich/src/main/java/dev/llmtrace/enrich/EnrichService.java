package dev.llmtrace.enrich;

import dev.llmtrace.core.grpc.ExportReplies;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;

/**
 * enrich's gRPC face: the request arrives as bytes (so it is admitted before it is parsed) and goes
 * to the {@link Enricher}; the caller gets export's answer.
 */
@GrpcService
@RegisterInterceptor(Wiring.TenantFromHeader.class)
public class EnrichService implements BindableService {
    private final Enricher enricher;

    public EnrichService(Enricher enricher) {
        this.enricher = enricher;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return SerializedExport.service(this::export);
    }

    // off the event loop: a large request takes seconds of CPU, and a blocked event loop holds back the replies
    // of other calls past ingest's deadline, which ingest then retries into duplicates (MemoryBurstTest)
    @Blocking
    public void export(byte[] request, StreamObserver<ExportTraceServiceResponse> responses) {
        io.grpc.Context call = io.grpc.Context.current(); // cancelled when ingest's deadline passes or it goes away
        ExportReplies.replyWhenDone(enricher.export(request, Tenants.current(), call::isCancelled), responses);
    }
}
