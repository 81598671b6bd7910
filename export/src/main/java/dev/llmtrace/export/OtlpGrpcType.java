package dev.llmtrace.export;

import java.util.Optional;

/** Any OTLP/gRPC receiver (a Collector, Jaeger, Phoenix's 4317, ...). */
final class OtlpGrpcType implements DestinationType {
    @Override
    public String name() {
        return "otlp-grpc";
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        return Endpoints.resolved(name(), Endpoints.endpoint(name, at, c, ExportConfig.Protocol.GRPC, Endpoints.httpUrl(at, c),
                Endpoints.headers(at, c), Optional.empty()), c, null);
    }
}
