package dev.llmtrace.ingest;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.grpc.GrpcTraceForwarder;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.grpc.Channel;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.inject.Produces;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;

/**
 * ingest's pieces, identified as {@code ingest} where the all-in-one holds the same type for other stages.
 * The hop to enrich is gRPC by default; the all-in-one replaces it with a direct call.
 */
class Wiring {
    @Produces
    @Singleton
    @Identifier("ingest")
    PipelineMetrics pipelineMetrics(MeterRegistry registry) {
        return new PipelineMetrics(registry, "ingest");
    }

    @Produces
    @Singleton
    @DefaultBean
    @Identifier("enrich")
    NextHop toEnrich(@GrpcClient("enrich") Channel enrich, IngestConfig config) {
        return GrpcTraceForwarder.toNextHop(enrich, config.forward().timeout());
    }

    /** The gRPC server's connections end after {@code ingest.grpc.max-connection-age}. */
    @Produces
    @Singleton
    static ServerBuilderCustomizer<VertxServerBuilder> connectionAge(IngestConfig config) {
        return new ServerBuilderCustomizer<>() {
            @Override
            public void customize(GrpcServerConfiguration grpc, VertxServerBuilder builder) {
                config.grpc().applyTo(builder.nettyBuilder());
            }
        };
    }
}
