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
        return java.util.Set.of("organization", "stream-name", "stream-name-from-tenant");
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
        boolean streamPerTenant = c.streamNameFromTenant().orElse(false);
        if (streamPerTenant && c.streamName().isPresent()) {
            throw Endpoints.invalid(at + "stream-name-from-tenant", "set either stream-name or stream-name-from-tenant, not both");
        }
        c.streamName().ifPresent(s -> headers.put("stream-name", s));
        URI url = endpoint;
        if (protocol == Protocol.HTTP) {
            url = URI.create(Endpoints.stripSlash(endpoint.toString()) + "/api/" + org + "/v1/traces");
        } else {
            headers.put("organization", org);
        }
        // teams sharing one pipeline land in streams of their own, as Tempo's X-Scope-OrgID and Phoenix's project do
        OtlpEndpoint e = Endpoints.endpoint(name, at, c, protocol, url, headers, streamPerTenant ? Optional.of("stream-name") : Optional.empty());
        return new Resolved(e.sender(), e.encoding(), null, Endpoints.describe(name(), e, c) + (streamPerTenant ? " stream-name=<tenant>" : ""));
    }
}
