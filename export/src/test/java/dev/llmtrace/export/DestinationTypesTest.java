package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.otlp.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each destination type on its settings, read by the same config mapping the service uses; no server. */
class DestinationTypesTest {
    @TempDir
    Path dir;

    /** {@code export.destinations.d.*} from {@code settings}, resolved. */
    DestinationSpec resolve(String... settings) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        DestinationSpec spec = resolveKeepingSender(map);
        spec.sender().close();
        return spec;
    }

    String refusal(String... settings) {
        return assertThrows(IllegalStateException.class, () -> resolve(settings)).getMessage();
    }

    @Test
    void eachTypeSaysWhereItSends() {
        assertTrue(resolve("type", "tempo", "endpoint", "http://tempo:4317").description().startsWith("tempo grpc http://tempo:4317 "));
        assertTrue(resolve("type", "tempo", "protocol", "http", "endpoint", "http://tempo:4318").description()
                .startsWith("tempo http/protobuf http://tempo:4318/v1/traces"));
        assertTrue(resolve("type", "openobserve", "endpoint", "https://api.openobserve.ai/", "organization", "acme",
                "auth.username", "me@acme.io", "auth.password", "secret", "stream-name", "llm").description()
                .startsWith("openobserve http/protobuf https://api.openobserve.ai/api/acme/v1/traces auth=basic headers=[stream-name]"));
        assertTrue(resolve("type", "grafana-cloud", "endpoint", "https://otlp-gateway-prod-eu-west-2.grafana.net/otlp",
                "auth.username", "123", "auth.password", "glc_x").description()
                .startsWith("grafana-cloud http/protobuf https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/v1/traces auth=basic"));
        assertTrue(resolve("type", "OTLP_HTTP", "endpoint", "http://collector:4318", "encoding", "json").description()
                .startsWith("otlp-http http/json http://collector:4318/v1/traces"), "enum-style spelling still works");
        assertTrue(resolve("type", "phoenix", "endpoint", "http://phoenix:6006", "auth.bearer-token", "px-key").description()
                .startsWith("phoenix http/protobuf http://phoenix:6006/v1/traces auth=bearer"));
        DestinationSpec file = resolve("type", "file", "endpoint", "file:" + dir.resolve("out"));
        assertEquals(ExportConfig.Encoding.JSON, file.encoding());
        assertTrue(file.description().startsWith("OTLP JSON lines under " + dir.resolve("out")));
    }

    @Test
    void secretsNeverReachTheDescription() {
        String description = resolve("type", "otlp-grpc", "endpoint", "https://collector:4317", "auth.bearer-token", "tok-123",
                "headers.x-api-key", "k-456").description();
        assertTrue(description.contains("auth=bearer") && description.contains("x-api-key"), description);
        assertTrue(!description.contains("tok-123") && !description.contains("k-456"), description);
    }

    @Test
    void misconfigurationIsRefusedNamingTheSetting() {
        assertEquals("export.destinations.d.type: unknown type 'kafka'; one of [tempo, openobserve, grafana-cloud, otlp-grpc, otlp-http, phoenix, file]",
                refusal("type", "kafka", "endpoint", "http://k:9092"));
        assertTrue(refusal("type", "otlp-http", "endpoint", "collector:4318").startsWith("export.destinations.d.endpoint: must be an http"));
        assertTrue(refusal("type", "openobserve", "endpoint", "http://o:5080", "auth.username", "u", "auth.password", "p")
                .startsWith("export.destinations.d.organization: openobserve needs the organization"));
        assertTrue(refusal("type", "grafana-cloud", "endpoint", "https://g", "protocol", "grpc").startsWith("export.destinations.d.protocol:"));
        assertTrue(refusal("type", "otlp-grpc", "endpoint", "http://c:4317", "encoding", "json").startsWith("export.destinations.d.encoding: json is for OTLP/HTTP"));
        assertTrue(refusal("type", "phoenix", "endpoint", "http://p:6006", "encoding", "json")
                .startsWith("export.destinations.d.encoding: phoenix takes OTLP protobuf only"));
        assertTrue(refusal("type", "otlp-http", "endpoint", "http://c:4318", "auth.bearer-token", "t", "auth.username", "u", "auth.password", "p")
                .startsWith("export.destinations.d.auth: set either"));
        assertTrue(refusal("type", "otlp-http", "endpoint", "https://c", "tls.ca-file", dir.resolve("missing.pem").toString())
                .startsWith("export.destinations.d.tls.ca-file: cannot read"));
        assertEquals("export.destinations.d.organization: means nothing for type tempo; it is for [openobserve]",
                refusal("type", "tempo", "endpoint", "http://t:4317", "organization", "acme"), "a setting the type ignores is not silently ignored");
        assertEquals("export.destinations.d.project-from-tenant: means nothing for type otlp-http; it is for [phoenix]",
                refusal("type", "otlp-http", "endpoint", "http://c:4318", "project-from-tenant", "true"));
        assertTrue(refusal("type", "phoenix", "endpoint", "http://p:6006", "project", "a", "project-from-tenant", "true")
                .startsWith("export.destinations.d.project-from-tenant: set either"));
    }

    @Test
    void openObserveStreamComesFromTheTenantWhenAsked() throws Exception {
        try (FakeHttpBackend o2 = new FakeHttpBackend(dev.llmtrace.core.FreePorts.next())) {
            Map<String, String> properties = Map.of("type", "openobserve", "endpoint", "http://127.0.0.1:" + o2.port(), "organization", "org",
                    "auth.username", "u", "auth.password", "p", "stream-name-from-tenant", "true");
            DestinationSpec spec = resolveKeepingSender(properties);
            assertTrue(spec.description().endsWith(" stream-name=<tenant> privacy=full"), spec.description());
            spec.sender().send(new byte[0], "team-b").get(10, java.util.concurrent.TimeUnit.SECONDS);
            spec.sender().close();
            assertEquals("team-b", o2.requests.get(0).header("stream-name"), "each tenant into its own stream");
        }
        assertTrue(refusal("type", "openobserve", "endpoint", "http://o:5080", "organization", "org", "auth.username", "u",
                "auth.password", "p", "stream-name", "llm", "stream-name-from-tenant", "true")
                .startsWith("export.destinations.d.stream-name-from-tenant: set either"));
    }

    DestinationSpec resolveKeepingSender(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(Map.of("export.memory.max-in-flight-bytes", "1048576",
                "export.memory.tenant-share", "0.85", "export.sink.directory", dir.resolve("sink").toString()));
        settings.forEach((k, v) -> properties.put("export.destinations.d." + k, v));
        ExportConfig export = new SmallRyeConfigBuilder().withMapping(ExportConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build().getConfigMapping(ExportConfig.class);
        return DestinationTypes.resolve("d", export.destinations().get("d"), export);
    }

    @Test
    void phoenixProjectComesFromTheTenantOrTheSetting() {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(Attributes.string("service.name", "openrouter"))
                        .addAttributes(Attributes.string(PhoenixType.PROJECT, "someone-elses")))).build();
        DestinationSpec perTenant = resolve("type", "phoenix", "endpoint", "http://p:6006", "project-from-tenant", "true");
        assertEquals(List.of("service.name=openrouter", "openinference.project.name=acme"),
                resource(perTenant.perTenant().process(request, "acme")), "the authenticated tenant decides, not the sender");
        DestinationSpec fixed = resolve("type", "phoenix", "endpoint", "http://p:6006", "project", "llm-prod");
        assertEquals(List.of("service.name=openrouter", "openinference.project.name=llm-prod"), resource(fixed.perTenant().process(request, "acme")));
        assertEquals(List.of("service.name=openrouter", "openinference.project.name=someone-elses"),
                resource(resolve("type", "phoenix", "endpoint", "http://p:6006").perTenant().process(request, "acme")),
                "unset: the sender's project, if any");
        assertNull(resolve("type", "otlp-http", "endpoint", "http://c:4318").perTenant(), "other types send the batch as it is");
    }

    private static List<String> resource(ExportTraceServiceRequest request) {
        return request.getResourceSpans(0).getResource().getAttributesList().stream()
                .map((KeyValue kv) -> kv.getKey() + "=" + kv.getValue().getStringValue()).toList();
    }
}
