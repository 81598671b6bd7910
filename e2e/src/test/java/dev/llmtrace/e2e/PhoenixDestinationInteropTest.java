package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.otlp.Hex;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Arize Phoenix as a real destination behind export: OpenRouter Broadcast, OpenInference and OTel GenAI spans
 * from two tenants, each filed under its tenant's project, read back through Phoenix's REST and GraphQL APIs.
 * Every span must be there once with what export sent (recorded by a fake destination with the same privacy
 * policy), and Phoenix must show it as an LLM call: the masked prompt and completion as messages, tokens,
 * model, provider and our cost, in its own cost views too.
 */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class PhoenixDestinationInteropTest {
    static final String TEAM_B = "team-b";
    static final String TEAM_B_TOKEN = "team-b-token-9876543210";
    static final int SDK_SPANS = 20;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void phoenixShowsEverySpanAsTheLlmCallItWas() throws Exception {
        Path phoenix = Peers.require(Peers.PHOENIX);
        Path peerDir = Pipeline.freshDirectory("interop-phoenix-peer");
        int httpPort = FreePorts.next();
        int grpcPort = FreePorts.next();
        Map<String, String> env = Map.of("PHOENIX_WORKING_DIR", peerDir.resolve("data").toString(), "PHOENIX_HOST", "127.0.0.1",
                "PHOENIX_PORT", Integer.toString(httpPort), "PHOENIX_GRPC_PORT", Integer.toString(grpcPort),
                "PHOENIX_TELEMETRY_ENABLED", "false");
        Map<String, String> export = new HashMap<>();
        String at = "export.destinations.phoenix.";
        export.put(at + "type", "phoenix");
        export.put(at + "endpoint", "http://127.0.0.1:" + httpPort);
        export.put(at + "project-from-tenant", "true");
        export.put(at + "register-prices", "true");
        export.put(at + "privacy", "mask");
        export.put(at + "retry.initial-interval", "200ms");
        export.put("export.destinations.backend.privacy", "mask"); // the record of what export sent, under the same policy
        Map<String, Map<String, String>> environments = Map.of("ingest",
                Map.of("INGEST_AUTH_TOKENS", Pipeline.TENANT + "=" + Pipeline.TOKEN + "," + TEAM_B + "=" + TEAM_B_TOKEN));

        try (PeerProcess server = PeerProcess.start("phoenix", List.of(phoenix.toString(), "serve"), env, peerDir);
                Pipeline pipeline = new Pipeline("interop-phoenix", export, Map.of(), environments)) {
            server.awaitListening(httpPort, Duration.ofSeconds(180));
            pipeline.start();

            post(pipeline, Pipeline.TOKEN, Fixtures.BROADCAST_FULL);
            post(pipeline, Pipeline.TOKEN, Fixtures.BROADCAST_PRIVACY_ERROR);
            post(pipeline, TEAM_B_TOKEN, Fixtures.OPENINFERENCE_CHAT);
            sendOtelGenAiSpans(pipeline.ingestGrpc);
            int total = 2 + 1 + SDK_SPANS;
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spansById().size() == total);
            Map<String, SpanInContext> sent = pipeline.backend.spansById();

            Map<String, JsonNode> shown = new HashMap<>();
            for (String project : List.of(Pipeline.TENANT, TEAM_B)) {
                long expected = sent.values().stream().filter(s -> tenantOf(s).equals(project)).count();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> spans(httpPort, project).size() == expected);
                for (JsonNode span : spans(httpPort, project)) {
                    String id = span.path("context").path("span_id").asText();
                    assertEquals(project, tenantOf(sent.get(id)), "span " + id + " is in its tenant's project");
                    assertTrue(shown.put(id, span) == null, "span " + id + " shown once");
                }
            }
            assertEquals(sent.keySet(), shown.keySet(), "every span sent, no other");

            for (Map.Entry<String, SpanInContext> e : sent.entrySet()) {
                sameSpan(e.getValue().span(), shown.get(e.getKey()));
            }

            JsonNode broadcast = shown.values().stream().filter(s -> s.path("name").asText().equals("LLM Generation")
                    && s.path("status_code").asText().equals("OK")).findFirst().orElseThrow();
            JsonNode a = broadcast.path("attributes");
            assertEquals("LLM", broadcast.path("span_kind").asText());
            assertEquals("user", a.path("llm.input_messages.1.message.role").asText());
            String prompt = a.path("llm.input_messages.1.message.content").asText();
            assertTrue(prompt.startsWith("My email is ") && !prompt.contains("jane.doe@example.com") && !prompt.contains("4111 1111"),
                    "the prompt, masked by the destination's policy: " + prompt);
            assertTrue(a.path("llm.output_messages.0.message.content").asText().startsWith("Thanks Jane"));
            assertFalse(a.path("output.value").asText().contains("555 0100"), "no content unmasked under any name");
            String input = a.path("input.value").asText();
            assertTrue(input.startsWith("{\"messages\"") && !input.contains("jane.doe@example.com"), "Phoenix's input, masked: " + input);
            assertEquals("application/json", a.path("input.mime_type").asText());
            String broadcastId = broadcast.path("context").path("span_id").asText();
            assertTrue(attr(sent.get(broadcastId).span(), "input.value").isEmpty(),
                    "the other destination does not carry the prompt a second time");
            List<String> maskedKeys = new java.util.ArrayList<>();
            a.path("redaction.masked.keys").forEach(k -> maskedKeys.add(k.asText()));
            assertTrue(maskedKeys.containsAll(List.of("gen_ai.prompt", "input.value", "llm.input_messages.1.message.content",
                    "llm.output_messages.0.message.content")), "masked under every name: " + maskedKeys);
            assertEquals("anthropic/claude-sonnet-4", a.path("llm.model_name").asText());
            assertEquals("anthropic", a.path("llm.provider").asText());
            assertEquals(1200, a.path("llm.token_count.prompt").asLong());
            assertEquals(350, a.path("llm.token_count.completion").asLong());
            assertEquals(0.00885, a.path("llm.cost.total").asDouble(), 1e-12);

            JsonNode otel = shown.values().stream().filter(s -> s.path("name").asText().equals("chat gpt-4o-mini")).findFirst().orElseThrow();
            assertEquals("LLM", otel.path("span_kind").asText());
            assertEquals("What is tracing?", otel.path("attributes").path("llm.input_messages.0.message.content").asText());
            assertEquals("assistant", otel.path("attributes").path("llm.output_messages.0.message.role").asText());

            // Phoenix's own cost views: its price for each model is ours (register-prices), so its cost is ours; a free
            // model (":free", Phoenix's own table would charge the paid one) shows no cost at all
            Map<String, JsonNode> costs = costsShown(httpPort);
            for (Map.Entry<String, JsonNode> span : shown.entrySet()) {
                double ours = span.getValue().path("attributes").path("llm.cost.total").asDouble(Double.NaN);
                double phoenixCost = costs.containsKey(span.getKey()) ? costs.get(span.getKey()).asDouble() : 0;
                assertEquals(ours, phoenixCost, Math.max(1e-12, ours * 1e-9),
                        "Phoenix's cost of span " + span.getKey() + " (" + span.getValue().path("attributes").path("llm.model_name") + ")");
            }
            assertEquals(sent.size() - 1, costs.size(), "Phoenix priced every span that cost something");
            assertFalse(server.log().contains("Unsupported upgrade request"), "no h2c upgrade attempt");
        }
    }

    /** Who sent the span: the Broadcast fixtures went as the pipeline's tenant, the rest as team-b. */
    private static String tenantOf(SpanInContext span) {
        boolean openrouter = span.resourceSpans().getResource().getAttributesList().stream()
                .anyMatch(kv -> kv.getKey().equals("service.name") && kv.getValue().getStringValue().equals("openrouter"));
        return openrouter ? Pipeline.TENANT : TEAM_B;
    }

    private static void post(Pipeline pipeline, String token, String fixture) {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Fixtures.bytes(fixture)).post("/v1/traces").then().statusCode(200);
    }

    /** OTel GenAI spans (gen_ai.input.messages / gen_ai.output.messages) through the SDK's OTLP/gRPC exporter, as team-b. */
    private static void sendOtelGenAiSpans(int ingestGrpc) {
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + ingestGrpc)
                .addHeader("Authorization", "Bearer " + TEAM_B_TOKEN).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "genai-app")))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        Tracer tracer = provider.get("interop-genai");
        for (int i = 0; i < SDK_SPANS; i++) {
            tracer.spanBuilder("chat gpt-4o-mini").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.provider.name", "openai")
                    .setAttribute("gen_ai.request.model", "gpt-4o-mini")
                    .setAttribute("gen_ai.usage.input_tokens", 100L + i)
                    .setAttribute("gen_ai.usage.output_tokens", 20L)
                    .setAttribute("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"What is tracing?\"}]}]")
                    .setAttribute("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Following a request.\"}],\"finish_reason\":\"stop\"}]")
                    .startSpan().end();
        }
        provider.forceFlush().join(30, TimeUnit.SECONDS);
        provider.shutdown().join(30, TimeUnit.SECONDS);
    }

    /** Phoenix's REST API: the project's spans. */
    static List<JsonNode> spans(int port, String project) throws Exception {
        String body = given().port(port).queryParam("limit", 1000).get("/v1/projects/" + project + "/spans").then().statusCode(200)
                .extract().asString();
        List<JsonNode> out = new java.util.ArrayList<>();
        JSON.readTree(body).path("data").forEach(out::add);
        return out;
    }

    /** Phoenix's GraphQL API: the total cost Phoenix itself computed, by span id, for spans it priced. */
    static Map<String, JsonNode> costsShown(int port) throws Exception {
        String query = "{ projects { edges { node { spans(first: 1000) { edges { node { context { spanId } costSummary { total { cost } } } } } } } } }";
        String body = given().port(port).contentType("application/json").body(JSON.writeValueAsString(Map.of("query", query)))
                .post("/graphql").then().statusCode(200).extract().asString();
        Map<String, JsonNode> costs = new HashMap<>();
        for (JsonNode project : JSON.readTree(body).path("data").path("projects").path("edges")) {
            for (JsonNode span : project.path("node").path("spans").path("edges")) {
                JsonNode cost = span.path("node").path("costSummary").path("total").path("cost");
                if (cost.isNumber()) {
                    costs.put(span.path("node").path("context").path("spanId").asText(), cost);
                }
            }
        }
        return costs;
    }

    /** Ids, timestamps, status and every attribute export sent, as Phoenix shows them. */
    private static void sameSpan(Span sent, JsonNode shown) {
        String id = Hex.encode(sent.getSpanId());
        assertEquals(Hex.encode(sent.getTraceId()), shown.path("context").path("trace_id").asText(), "trace id of " + id);
        assertEquals(sent.getParentSpanId().isEmpty() ? "" : Hex.encode(sent.getParentSpanId()), shown.path("parent_id").asText(""), "parent of " + id);
        assertEquals(sent.getName(), shown.path("name").asText());
        // Phoenix keeps microseconds, rounded from a float: one microsecond either way is the same instant to it
        assertEquals(micros(sent.getStartTimeUnixNano()), micros(Instant.parse(shown.path("start_time").asText())), 1, "start of " + id);
        assertEquals(micros(sent.getEndTimeUnixNano()), micros(Instant.parse(shown.path("end_time").asText())), 1, "end of " + id);
        String status = switch (sent.getStatus().getCode()) {
            case STATUS_CODE_ERROR -> "ERROR";
            case STATUS_CODE_OK -> "OK";
            default -> "UNSET";
        };
        assertEquals(status, shown.path("status_code").asText(), "status of " + id);
        if (sent.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
            assertEquals(sent.getStatus().getMessage(), shown.path("status_message").asText());
        }
        JsonNode attributes = shown.path("attributes");
        Map<String, String> differing = sent.getAttributesList().stream()
                .filter(kv -> !kv.getKey().equals("openinference.span.kind")) // Phoenix keeps it as the span kind
                // the summary counts more: Phoenix's copy also carries the message lists, masked like the prompt
                .filter(kv -> !kv.getKey().startsWith("redaction."))
                .filter(kv -> !same(kv.getValue(), attributes.get(kv.getKey())))
                .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue() + " shown as " + attributes.get(kv.getKey())));
        assertTrue(differing.isEmpty(), "attributes of " + id + " differ: " + differing);
        attr(sent, "openinference.span.kind").ifPresent(kind -> assertEquals(kind.getStringValue(), shown.path("span_kind").asText()));
    }

    private static boolean same(AnyValue sent, JsonNode shown) {
        if (shown == null) {
            return false;
        }
        return switch (sent.getValueCase()) {
            case STRING_VALUE -> shown.isTextual() && shown.asText().equals(sent.getStringValue());
            case INT_VALUE -> shown.isIntegralNumber() && shown.asLong() == sent.getIntValue();
            case DOUBLE_VALUE -> shown.isNumber() && shown.asDouble() == sent.getDoubleValue();
            case BOOL_VALUE -> shown.isBoolean() && shown.asBoolean() == sent.getBoolValue();
            case ARRAY_VALUE -> {
                List<AnyValue> values = sent.getArrayValue().getValuesList();
                boolean same = shown.isArray() && shown.size() == values.size();
                for (int i = 0; same && i < values.size(); i++) {
                    same = same(values.get(i), shown.get(i));
                }
                yield same;
            }
            default -> false;
        };
    }

    private static java.util.Optional<AnyValue> attr(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    private static long micros(long nanos) {
        return nanos / 1000;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    }
}
