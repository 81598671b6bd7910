package dev.llmtrace.core.config;

import io.grpc.ServerBuilder;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long a service's gRPC server keeps a connection ({@code <service>.grpc.*}). Without a bound a connection lives
 * as long as its client: a client balancing over a headless Service's pods never re-resolves them, so pods added by
 * scaling up get no calls, and a stream whose message stopped coming keeps what it holds while other calls keep its
 * connection busy (the keep-alive ping only ends quiet ones).
 */
public interface GrpcServerConfig {
    /**
     * After this (grpc-java adds ±10 %) the server sends GOAWAY: calls in flight go on, new calls open a new
     * connection, and the client resolves the service's addresses again.
     */
    @WithDefault("2m")
    Duration maxConnectionAge();

    /** How long calls in flight on a connection told to go away may still take before it is closed. */
    @WithDefault("30s")
    Duration maxConnectionAgeGrace();

    /** Sets both on a gRPC server builder. */
    default void applyTo(ServerBuilder<?> builder) {
        builder.maxConnectionAge(maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS);
    }
}
