package dev.llmtrace.export;

import dev.llmtrace.export.ExportConfig.Protocol;
import java.net.URI;
import java.util.Optional;

/** Grafana Cloud's OTLP gateway: HTTP only, Basic auth with the instance id and a traces:write token. */
final class GrafanaCloudType implements DestinationType {
    @Override
    public String name() {
        return "grafana-cloud";
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        String base = Endpoints.stripSlash(Endpoints.httpUrl(at, c).toString());
        if (c.protocol().orElse(Protocol.HTTP) != Protocol.HTTP) {
            throw Endpoints.invalid(at + "protocol", "grafana-cloud's OTLP gateway takes HTTP only");
        }
        if (!Endpoints.authKind(c).equals("basic")) {
            throw Endpoints.invalid(at + "auth.password", "grafana-cloud needs auth.username (instance id) and auth.password (token, scope traces:write)");
        }
        URI url = URI.create(base.endsWith("/v1/traces") ? base : base + "/v1/traces");
        return Endpoints.resolved(name(), Endpoints.endpoint(name, at, c, Protocol.HTTP, url, Endpoints.headers(at, c), Optional.empty()), c, null);
    }
}
