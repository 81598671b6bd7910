package dev.llmtrace.core.grpc;

import io.grpc.Context;
import io.grpc.Metadata;

/**
 * The tenant travels between the services as gRPC metadata, never inside the telemetry, so backends
 * see exactly what the sender sent. ingest sets it from the bearer token; enrich and export read it ({@link HopService.Headers}).
 */
public final class Tenants {
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("x-llmtrace-tenant", Metadata.ASCII_STRING_MARSHALLER);
    public static final Context.Key<String> CONTEXT = Context.key("llmtrace-tenant");
    public static final String DEFAULT = "default";

    private Tenants() {}

    /** The tenant of the current gRPC call, or {@link #DEFAULT}. */
    public static String current() {
        String tenant = CONTEXT.get();
        return tenant == null ? DEFAULT : tenant;
    }
}
