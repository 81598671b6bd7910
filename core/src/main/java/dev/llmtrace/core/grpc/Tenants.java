package dev.llmtrace.core.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The tenant travels between the services as gRPC metadata, never inside the telemetry, so backends
 * see exactly what the sender sent. ingest sets it from the bearer token; enrich and export read it.
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

    /** Server interceptor for hops behind ingest: copies the tenant header into the call's context. */
    public static class FromHeader implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String tenant = headers.get(HEADER);
            if (tenant == null || tenant.isBlank()) {
                return next.startCall(call, headers);
            }
            return Contexts.interceptCall(Context.current().withValue(CONTEXT, tenant), call, headers, next);
        }
    }
}
