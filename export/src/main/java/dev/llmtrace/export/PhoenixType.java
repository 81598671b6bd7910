package dev.llmtrace.export;

import dev.llmtrace.core.TraceProcessor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import dev.llmtrace.export.ExportConfig.Protocol;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Arize Phoenix: OTLP/HTTP protobuf on {@code /v1/traces} (default; Phoenix answers 415 to JSON) or OTLP/gRPC;
 * an API key as a bearer token. Phoenix files spans under the project named by the resource attribute
 * {@code openinference.project.name}: {@code project} sets one for everything, {@code project-from-tenant} the
 * tenant ingest authenticated, so teams sharing one pipeline land apart (overriding what a sender wrote, which
 * would otherwise let one tenant write into another's project). Spans get OpenInference's content names
 * ({@link OpenInferenceContent}), so Phoenix shows the prompt, the answer and the conversation. {@code register-prices} makes Phoenix's own cost
 * views show our cost ({@link PhoenixPrices}).
 */
final class PhoenixType implements DestinationType {
    static final String PROJECT = "openinference.project.name";

    @Override
    public String name() {
        return "phoenix";
    }

    @Override
    public Set<String> typeSettings() {
        return Set.of("project", "project-from-tenant", "register-prices");
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        URI endpoint = Endpoints.httpUrl(at, c);
        Protocol protocol = c.protocol().orElse(Protocol.HTTP);
        if (c.encoding() == ExportConfig.Encoding.JSON) {
            throw Endpoints.invalid(at + "encoding", "phoenix takes OTLP protobuf only (it answers 415 to JSON): remove encoding=json");
        }
        boolean fromTenant = c.projectFromTenant().orElse(false);
        if (fromTenant && c.project().isPresent()) {
            throw Endpoints.invalid(at + "project-from-tenant", "set either project or project-from-tenant, not both");
        }
        // the project of a tenant's spans, or none (Phoenix's default)
        UnaryOperator<String> projectOf = fromTenant ? UnaryOperator.identity()
                : c.project().filter(p -> !p.isBlank()).<UnaryOperator<String>>map(p -> tenant -> p).orElse(null);
        // what Phoenix shows as input, output and conversation, then the project it files the spans under
        TraceProcessor perTenant = (request, tenant) -> {
            ExportTraceServiceRequest withContent = OpenInferenceContent.add(request);
            return projectOf == null ? withContent : ResourceAttribute.set(withContent, PROJECT, projectOf.apply(tenant));
        };
        URI url = protocol == Protocol.HTTP ? Endpoints.withPath(endpoint, "/v1/traces") : endpoint;
        OtlpEndpoint e = Endpoints.endpoint(name, at, c, protocol, url, Endpoints.headers(at, c), Optional.empty());
        String where = fromTenant ? " project=<tenant>" : c.project().map(p -> " project=" + p).orElse("");
        if (!c.registerPrices().orElse(false)) {
            return new Resolved(e.sender(), e.encoding(), perTenant, Endpoints.describe(name(), e, c) + where);
        }
        if (protocol != Protocol.HTTP) {
            throw Endpoints.invalid(at + "register-prices", "needs Phoenix's HTTP endpoint (its GraphQL API is there): protocol=http");
        }
        return new Resolved(new PhoenixPrices(e.sender(), e), e.encoding(), perTenant,
                Endpoints.describe(name(), e, c) + where + " register-prices");
    }
}
