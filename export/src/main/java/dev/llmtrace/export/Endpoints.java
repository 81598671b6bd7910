package dev.llmtrace.export;

import dev.llmtrace.export.ExportConfig.DestinationConfig;
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

/** What the OTLP destination types share: the endpoint URL, auth headers, TLS and the start log's description. */
final class Endpoints {
    private Endpoints() {}

    /** The endpoint as an http(s) URL with a host, or a start error naming the setting. */
    static URI httpUrl(String at, DestinationConfig c) {
        URI endpoint = c.endpoint();
        if (endpoint.getHost() == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
            throw invalid(at + "endpoint", "must be an http:// or https:// URL with a host");
        }
        return endpoint;
    }

    /** The settings every OTLP type reads (headers and auth, gzip, timeout, tls), with what the type decided. */
    static OtlpEndpoint endpoint(String name, String at, DestinationConfig c, Protocol protocol, URI url,
                                 Map<String, String> headers, Optional<String> tenantHeader) {
        if (protocol == Protocol.GRPC && c.encoding() == ExportConfig.Encoding.JSON) {
            throw invalid(at + "encoding", "json is for OTLP/HTTP; gRPC is always protobuf");
        }
        return new OtlpEndpoint(name, protocol, url, c.encoding(), Map.copyOf(headers), tenantHeader, c.tenant(), c.gzip(),
                c.timeout(), DestinationTls.trust(at, c.tls()));
    }

    /** The headers of {@code c} plus Authorization from auth.*. */
    static Map<String, String> headers(String at, DestinationConfig c) {
        Map<String, String> headers = new LinkedHashMap<>(c.headers());
        ExportConfig.Auth a = c.auth();
        Optional<String> bearer = a.bearerToken().or(() -> a.bearerTokenFile().map(Endpoints::readSecret));
        Optional<String> password = a.password().or(() -> a.passwordFile().map(Endpoints::readSecret));
        if (bearer.isPresent() && a.username().isPresent()) {
            throw invalid(at + "auth", "set either a bearer token or username/password, not both");
        }
        if (a.username().isPresent() != password.isPresent()) {
            throw invalid(at + "auth", "Basic auth needs both auth.username and auth.password (or auth.password-file)");
        }
        bearer.ifPresent(token -> headers.put("Authorization", "Bearer " + token));
        a.username().ifPresent(user -> headers.put("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password.get()).getBytes(StandardCharsets.UTF_8))));
        return headers;
    }

    /** "none", "bearer" or "basic", for the start log and for types that require one. */
    static String authKind(DestinationConfig c) {
        ExportConfig.Auth a = c.auth();
        return a.username().isPresent() ? "basic" : a.bearerToken().isPresent() || a.bearerTokenFile().isPresent() ? "bearer" : "none";
    }

    /** For the start log: type, protocol, URL, auth kind, header names (no values), privacy. */
    static String describe(String type, OtlpEndpoint e, DestinationConfig c) {
        return type + " " + e.protocol().name().toLowerCase()
                + (e.protocol() == Protocol.HTTP ? "/" + e.encoding().name().toLowerCase() : "") + " " + e.url()
                + " auth=" + authKind(c) + " headers=" + e.headers().keySet().stream().filter(h -> !h.equalsIgnoreCase("authorization")).toList()
                + (c.tls().insecureSkipVerify() ? " tls=INSECURE" : "");
    }

    /** A destination that sends to {@code e}. */
    static DestinationType.Resolved resolved(String type, OtlpEndpoint e, DestinationConfig c, dev.llmtrace.core.TraceProcessor perTenant) {
        return new DestinationType.Resolved(e.sender(), e.encoding(), perTenant, describe(type, e, c));
    }

    /** {@code endpoint} with {@code path} when it has none. */
    static URI withPath(URI endpoint, String path) {
        String p = endpoint.getPath();
        return p == null || p.isEmpty() || p.equals("/") ? URI.create(stripSlash(endpoint.toString()) + path) : endpoint;
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static IllegalStateException invalid(String setting, String problem) {
        return new IllegalStateException(setting + ": " + problem);
    }

    private static String readSecret(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file, e);
        }
    }
}
