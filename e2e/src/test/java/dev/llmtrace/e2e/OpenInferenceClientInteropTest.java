package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Python client of the OpenObserve LLM guide, unchanged: the OpenAI SDK instrumented by
 * openinference-instrumentation-openai, exporting OTLP/HTTP to ingest, calling a local stand-in for
 * OpenRouter's chat endpoint (the far side of the network). Its LLM span must reach the destination
 * priced by enrich from the shipped table.
 */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class OpenInferenceClientInteropTest {
    static final long PROMPT_TOKENS = 1200;
    static final long COMPLETION_TOKENS = 300;

    @Test
    void theOpenAiSdksSpanArrivesWithCost() throws Exception {
        Path python = Peers.require(Peers.PYTHON);
        List<String> chatRequests = new CopyOnWriteArrayList<>();
        HttpServer openRouter = fakeOpenRouter(chatRequests);
        try (Pipeline pipeline = new Pipeline("interop-openinference").start()) {
            Path script = ServiceProcess.repoRoot().resolve("interop/python/openai_chat.py");
            Map<String, String> env = Map.of(
                    "OPENAI_BASE_URL", "http://127.0.0.1:" + openRouter.getAddress().getPort() + "/api/v1",
                    "OPENAI_API_KEY", "sk-or-v1-interop-not-a-real-key",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + pipeline.ingestHttp + "/v1/traces",
                    "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "authorization=Bearer%20" + Pipeline.TOKEN,
                    "OTEL_SERVICE_NAME", "openinference-interop");
            try (PeerProcess client = PeerProcess.start("python-openai", List.of(python.toString(), script.toString()), env,
                    Pipeline.freshDirectory("interop-openinference-peer"))) {
                int exit = client.awaitExit(Duration.ofSeconds(120));
                assertEquals(0, exit, client.log());
            }
            assertEquals(1, chatRequests.size(), "the SDK called the chat endpoint once");
            assertTrue(chatRequests.get(0).contains("Say hello in one word."), chatRequests.get(0));

            await().atMost(Duration.ofSeconds(30)).until(() -> llmSpan(pipeline).isPresent());
            SpanInContext span = llmSpan(pipeline).orElseThrow();
            assertEquals("openinference-interop", span.resourceSpans().getResource().getAttributesList().stream()
                    .filter(a -> a.getKey().equals("service.name")).findFirst().orElseThrow().getValue().getStringValue());
            assertEquals(PROMPT_TOKENS, attribute(span, "llm.token_count.prompt").getIntValue());
            assertEquals(COMPLETION_TOKENS, attribute(span, "llm.token_count.completion").getIntValue());
            assertEquals("table", attribute(span, "llmtrace.cost.source").getStringValue());

            // the price the shipped table gives for the entry enrich matched, computed here independently
            String matched = attribute(span, "llmtrace.cost.model").getStringValue();
            JsonNode entry = shippedPrices().get(matched);
            double expected = PROMPT_TOKENS * entry.get("input_cost_per_token").asDouble()
                    + COMPLETION_TOKENS * entry.get("output_cost_per_token").asDouble();
            assertTrue(expected > 0, matched);
            assertEquals(expected, attribute(span, "llm.cost.total").getDoubleValue(), expected * 1e-9, matched);
            assertEquals(expected, attribute(span, "gen_ai.usage.cost").getDoubleValue(), expected * 1e-9, matched);
        } finally {
            openRouter.stop(0);
        }
    }

    static Optional<SpanInContext> llmSpan(Pipeline pipeline) {
        return pipeline.backend.spansById().values().stream()
                .filter(s -> s.span().getAttributesList().stream()
                        .anyMatch(a -> a.getKey().equals("openinference.span.kind") && a.getValue().getStringValue().equals("LLM")))
                .findFirst();
    }

    static AnyValue attribute(SpanInContext s, String key) {
        return s.span().getAttributesList().stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in " + s.span().getAttributesList()));
    }

    static JsonNode shippedPrices() throws Exception {
        try (InputStream in = OpenInferenceClientInteropTest.class.getResourceAsStream("/pricing/litellm-prices.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** OpenRouter's chat completions endpoint as the OpenAI SDK sees it: one canned answer with usage. */
    static HttpServer fakeOpenRouter(List<String> requests) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/chat/completions", exchange -> {
            requests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = """
                    {"id":"gen-interop-1","object":"chat.completion","created":1763900000,"model":"openai/gpt-4o-mini",
                     "provider":"OpenAI",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                    """.formatted(PROMPT_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS + COMPLETION_TOKENS).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
