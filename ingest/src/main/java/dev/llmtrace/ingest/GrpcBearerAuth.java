package dev.llmtrace.ingest;

import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import io.smallrye.common.annotation.Identifier;

/** Bearer-token auth for gRPC: the tenant goes into the call's context, a bad token ends the call. */
@ApplicationScoped
@GlobalInterceptor
public class GrpcBearerAuth implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final TokenAuthenticator authenticator;
    private final PipelineMetrics metrics;

    public GrpcBearerAuth(TokenAuthenticator authenticator, @Identifier("ingest") PipelineMetrics metrics) {
        this.authenticator = authenticator;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName().startsWith("opentelemetry.")) {
            return next.startCall(call, headers); // gRPC health and reflection stay open
        }
        Optional<String> tenant = authenticator.tenantFor(headers.get(AUTHORIZATION));
        if (tenant.isEmpty()) {
            metrics.rejected("unauthenticated", 0);
            call.close(Status.UNAUTHENTICATED.withDescription("missing or invalid bearer token"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(Tenants.CONTEXT, tenant.get()), call, headers, next);
    }
}
