package dev.llmtrace.enrich;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * OpenRouter's live prices from a local stand-in for its models endpoint, serving a response recorded in
 * OpenRouter's documented shape: they take precedence over the shipped table, price models the table has
 * never heard of, make our estimate of a Broadcast span equal OpenRouter's own cost, are kept on disk, and
 * stay in force (counted) when the endpoint fails. Nothing here reaches the internet.
 */
@QuarkusTest
@QuarkusTestResource(value = PricingLiveTest.StandIn.class, restrictToAnnotatedClass = true)
class PricingLiveTest {
    static HttpServer server;
    static final AtomicInteger status = new AtomicInteger(200);
    static final AtomicInteger requests = new AtomicInteger();
    static Path cacheFile;
    static FakeOtlpReceiver export;

    public static class StandIn implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try (InputStream in = PricingLiveTest.class.getResourceAsStream("/pricing/openrouter-models-response.json")) {
                byte[] recorded = in.readAllBytes();
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.createContext("/api/v1/models", exchange -> {
                    requests.incrementAndGet();
                    byte[] body = status.get() == 200 ? recorded : "{\"error\":\"upstream\"}".getBytes();
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status.get(), body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                server.start();
                cacheFile = Files.createTempDirectory("openrouter-cache").resolve("models.json");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            export = FakeOtlpReceiver.onFreePort();
            Map<String, String> config = new HashMap<>(export.asQuarkusGrpcClient("export"));
            config.put("enrich.pricing.openrouter.enabled", "true");
            config.put("enrich.pricing.openrouter.url", "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/models");
            config.put("enrich.pricing.openrouter.refresh-interval", "200ms");
            config.put("enrich.pricing.openrouter.cache-file", cacheFile.toString());
            return config;
        }

        @Override
        public void stop() {
            server.stop(0);
            export.close();
        }
    }

    static Span through(ExportTraceServiceRequest request) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 24417).usePlaintext().build();
        try {
            export.clear();
            TraceServiceGrpc.newBlockingStub(channel).export(request);
            return export.received().get(0).request().getResourceSpans(0).getScopeSpans(0).getSpans(0);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void liveBeatsTheTablePricesNewModelsAndSurvivesAnOutage() throws Exception {
        // the first fetch runs at start: once it is in force, OpenRouter's own entry prices the span,
        // not the shipped table's openrouter/anthropic/claude-sonnet-4
        Span[] broadcast = new Span[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            broadcast[0] = through(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)));
            return "anthropic/claude-sonnet-4".equals(CostProcessorTest.attr(broadcast[0], "llmtrace.cost.model").get().getStringValue());
        });
        assertTrue(Files.exists(cacheFile), "the response is kept on disk");
        assertEquals(CostProcessorTest.cost(broadcast[0], "gen_ai.usage.total_cost"), CostProcessorTest.cost(broadcast[0], "llmtrace.cost.estimate_usd"),
                1e-12, "our estimate equals OpenRouter's own cost");

        Span newModel = through(CostProcessorTest.request(CostProcessorTest.span("acme-labs/frontier-2027", CostProcessorTest.Convention.OTEL, 1000, 100)));
        assertEquals(1000 * 4e-6 + 100 * 16e-6, CostProcessorTest.cost(newModel, "gen_ai.usage.total_cost"), 1e-15);
        assertEquals("openrouter", CostProcessorTest.attr(newModel, "llmtrace.cost.source").get().getStringValue());

        status.set(500);
        int before = requests.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() > before + 1);
        String metrics = given().port(29102).get("/q/metrics").asString();
        assertTrue(metrics.matches("(?s).*llmtrace_pricing_live_failures_total \\d+\\.0.*") && !metrics.contains("llmtrace_pricing_live_failures_total 0.0"),
                "failures are counted");
        assertTrue(metrics.contains("llmtrace_pricing_live_models 4.0"), "the router's variable price is left out");
        assertTrue(metrics.contains("llmtrace_pricing_live_age_seconds"));
        Span stillPriced = through(CostProcessorTest.request(CostProcessorTest.span("acme-labs/frontier-2027", CostProcessorTest.Convention.OTEL, 1000, 0)));
        assertEquals(4e-3, CostProcessorTest.cost(stillPriced, "gen_ai.usage.total_cost"), 1e-15, "the last prices stay in force");
        status.set(200);
    }
}
