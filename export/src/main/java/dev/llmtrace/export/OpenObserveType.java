package dev.llmtrace.export;

import dev.llmtrace.export.ExportConfig.Protocol;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** OpenObserve: {@code /api/<organization>/v1/traces} over HTTP (default) or gRPC with organization metadata; Basic auth. */
final class OpenObserveType implements DestinationType {
    @Override
    public String name() {
        return "openobserve";
    }

    @Override
    public java.util.Set<String> typeSettings() {
        return java.util.Set.of("organization", "stream-name");
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        URI endpoint = Endpoints.httpUrl(at, c);
        Protocol protocol = c.protocol().orElse(Protocol.HTTP);
        String org = c.organization().filter(o -> !o.isBlank())
                .orElseThrow(() -> Endpoints.invalid(at + "organization", "openobserve needs the organization"));
        if (!Endpoints.authKind(c).equals("basic")) {
            throw Endpoints.invalid(at + "auth.username", "openobserve needs Basic auth: auth.username and auth.password (or password-file)");
        }
        Map<String, String> headers = Endpoints.headers(at, c);
        c.streamName().ifPresent(s -> headers.put("stream-name", s));
        URI url = endpoint;
        if (protocol == Protocol.HTTP) {
            url = URI.create(Endpoints.stripSlash(endpoint.toString()) + "/api/" + org + "/v1/traces");
        } else {
            headers.put("organization", org);
        }
        return Endpoints.resolved(name(), Endpoints.endpoint(name, at, c, protocol, url, headers, Optional.empty()), c, null);
    }
}
