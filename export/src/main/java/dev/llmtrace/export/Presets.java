package dev.llmtrace.export;

import dev.llmtrace.export.ExportConfig.DestinationConfig;
import dev.llmtrace.export.ExportConfig.Encoding;
import dev.llmtrace.export.ExportConfig.Protocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What each destination type means on the wire. Errors name the destination and the field, e.g.
 * {@code export.destinations.cloud.auth.password: grafana-cloud needs ...}.
 */
final class Presets {
    private Presets() {}

    static DestinationSpec resolve(String name, DestinationConfig c, dev.llmtrace.core.privacy.PrivacyPolicy defaultPrivacy) {
        String at = "export.destinations." + name + ".";
        URI endpoint = c.endpoint();
        if (endpoint.getHost() == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
            throw invalid(at + "endpoint", "must be an http:// or https:// URL with a host");
        }
        Map<String, String> headers = new LinkedHashMap<>(c.headers());
        Optional<String> tenantHeader = Optional.empty();
        Protocol protocol;
        URI url;
        Encoding encoding = c.encoding();
        String auth = auth(at, c, headers);
        switch (c.type()) {
            case TEMPO -> {
                protocol = c.protocol().orElse(Protocol.GRPC);
                url = protocol == Protocol.HTTP ? withPath(endpoint, "/v1/traces") : endpoint;
                tenantHeader = Optional.of("X-Scope-OrgID");
            }
            case OPENOBSERVE -> {
                protocol = c.protocol().orElse(Protocol.HTTP);
                String org = c.organization().filter(o -> !o.isBlank())
                        .orElseThrow(() -> invalid(at + "organization", "openobserve needs the organization"));
                if (!auth.equals("basic")) {
                    throw invalid(at + "auth.username", "openobserve needs Basic auth: auth.username and auth.password (or password-file)");
                }
                c.streamName().ifPresent(s -> headers.put("stream-name", s));
                if (protocol == Protocol.HTTP) {
                    url = URI.create(stripSlash(endpoint.toString()) + "/api/" + org + "/v1/traces");
                } else {
                    url = endpoint;
                    headers.put("organization", org);
                }
            }
            case GRAFANA_CLOUD -> {
                if (c.protocol().orElse(Protocol.HTTP) != Protocol.HTTP) {
                    throw invalid(at + "protocol", "grafana-cloud's OTLP gateway takes HTTP only");
                }
                if (!auth.equals("basic")) {
                    throw invalid(at + "auth.password", "grafana-cloud needs auth.username (instance id) and auth.password (token, scope traces:write)");
                }
                protocol = Protocol.HTTP;
                String base = stripSlash(endpoint.toString());
                url = URI.create(base.endsWith("/v1/traces") ? base : base + "/v1/traces");
            }
            case OTLP_GRPC -> {
                protocol = Protocol.GRPC;
                url = endpoint;
            }
            case OTLP_HTTP -> {
                protocol = Protocol.HTTP;
                url = withPath(endpoint, "/v1/traces");
            }
            default -> throw invalid(at + "type", "unknown type");
        }
        if (protocol == Protocol.GRPC && encoding == Encoding.JSON) {
            throw invalid(at + "encoding", "json is for OTLP/HTTP; gRPC is always protobuf");
        }
        if (c.tls().insecureSkipVerify() && c.tls().caFile().isPresent()) {
            throw invalid(at + "tls.insecure-skip-verify", "set either tls.ca-file or tls.insecure-skip-verify, not both");
        }
        c.tls().caFile().ifPresent(f -> {
            if (!Files.isReadable(f)) {
                throw invalid(at + "tls.ca-file", "cannot read " + f);
            }
        });
        String description = c.type().name().toLowerCase().replace('_', '-') + " " + protocol.name().toLowerCase()
                + (protocol == Protocol.HTTP ? "/" + encoding.name().toLowerCase() : "") + " " + url
                + " auth=" + auth + " headers=" + headers.keySet().stream().filter(h -> !h.equalsIgnoreCase("authorization")).toList()
                + (c.tls().insecureSkipVerify() ? " tls=INSECURE" : "")
                + " privacy=" + c.privacy().orElse(defaultPrivacy).name().toLowerCase();
        return new DestinationSpec(name, protocol, url, encoding, Map.copyOf(headers), tenantHeader, c.tenant(), c.gzip(),
                c.timeout(), c.tls(), c.filter(), c.queue().maxBytes(), c.queue().whenFull(), c.queue().consumers(),
                c.retry().toPolicy(), c.privacy().orElse(defaultPrivacy), description);
    }

    /** Adds the Authorization header from auth.*; returns "none", "bearer" or "basic" for the log. */
    private static String auth(String at, DestinationConfig c, Map<String, String> headers) {
        ExportConfig.Auth a = c.auth();
        Optional<String> bearer = a.bearerToken().or(() -> a.bearerTokenFile().map(Presets::readSecret));
        Optional<String> password = a.password().or(() -> a.passwordFile().map(Presets::readSecret));
        if (bearer.isPresent() && a.username().isPresent()) {
            throw invalid(at + "auth", "set either a bearer token or username/password, not both");
        }
        if (bearer.isPresent()) {
            headers.put("Authorization", "Bearer " + bearer.get());
            return "bearer";
        }
        if (a.username().isPresent() != password.isPresent()) {
            throw invalid(at + "auth", "Basic auth needs both auth.username and auth.password (or auth.password-file)");
        }
        if (a.username().isPresent()) {
            String pair = a.username().get() + ":" + password.get();
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            return "basic";
        }
        return "none";
    }

    private static String readSecret(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file, e);
        }
    }

    private static URI withPath(URI endpoint, String path) {
        String p = endpoint.getPath();
        return p == null || p.isEmpty() || p.equals("/") ? URI.create(stripSlash(endpoint.toString()) + path) : endpoint;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static IllegalStateException invalid(String field, String problem) {
        return new IllegalStateException(field + ": " + problem);
    }
}
