package dev.llmtrace.export;

import dev.llmtrace.export.ExportConfig.Protocol;
import java.net.URI;
import java.util.Optional;

/** Grafana Tempo: OTLP gRPC (default) or HTTP; multi-tenant Tempo takes the tenant in {@code X-Scope-OrgID}. */
final class TempoType implements DestinationType {
    @Override
    public String name() {
        return "tempo";
    }

    @Override
    public java.util.Set<String> typeSettings() {
        return java.util.Set.of("tenant");
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        URI endpoint = Endpoints.httpUrl(at, c);
        Protocol protocol = c.protocol().orElse(Protocol.GRPC);
        URI url = protocol == Protocol.HTTP ? Endpoints.withPath(endpoint, "/v1/traces") : endpoint;
        return Endpoints.resolved(name(), Endpoints.endpoint(name, at, c, protocol, url, Endpoints.headers(at, c),
                Optional.of("X-Scope-OrgID")), c, null);
    }
}
