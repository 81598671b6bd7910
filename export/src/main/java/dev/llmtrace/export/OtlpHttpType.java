package dev.llmtrace.export;

import java.util.Optional;

/** Any OTLP/HTTP receiver; {@code /v1/traces} is appended to an endpoint without a path. */
final class OtlpHttpType implements DestinationType {
    @Override
    public String name() {
        return "otlp-http";
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        return Endpoints.resolved(name(), Endpoints.endpoint(name, at, c, ExportConfig.Protocol.HTTP,
                Endpoints.withPath(Endpoints.httpUrl(at, c), "/v1/traces"), Endpoints.headers(at, c), Optional.empty()), c, null);
    }
}
