package dev.llmtrace.enrich;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmtrace.core.FakeOtlpReceiver;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pricing overrides file (a ConfigMap mount in Kubernetes) is reloaded on change; a bad one is refused. */
@QuarkusTest
@QuarkusTestResource(value = PricingReloadTest.Overrides.class, restrictToAnnotatedClass = true)
class PricingReloadTest {
    static Path file;
    static FakeOtlpReceiver export;

    public static class Overrides implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                file = Files.createTempFile("pricing-overrides", ".json");
                Files.writeString(file, price(1e-6));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            export = FakeOtlpReceiver.onFreePort();
            Map<String, String> config = new HashMap<>(export.asQuarkusGrpcClient("export"));
            config.put("enrich.pricing.overrides-file", file.toString());
            config.put("enrich.pricing.reload-interval", "100ms");
            return config;
        }

        @Override
        public void stop() {
            export.close();
        }
    }

    static String price(double input) {
        return "{\"acme/house-model\": {\"input_cost_per_token\": " + input + ", \"output_cost_per_token\": 0}}";
    }

    /** As a ConfigMap update does: the new content appears at once (write aside, then rename). */
    static void replace(String content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    double costOfOneThousandInputTokens() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 24417).usePlaintext().build();
        try {
            export.clear();
            TraceServiceGrpc.newBlockingStub(channel).export(CostProcessorTest.request(
                    CostProcessorTest.span("acme/house-model", CostProcessorTest.Convention.OTEL, 1000, 0)));
            return CostProcessorTest.cost(export.received().get(0).request().getResourceSpans(0).getScopeSpans(0).getSpans(0),
                    "gen_ai.usage.total_cost");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void changesApplyWithoutRestartAndABadFileKeepsThePreviousTable() throws Exception {
        assertEquals(1e-3, costOfOneThousandInputTokens(), 1e-15);
        replace(price(2e-6));
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.abs(costOfOneThousandInputTokens() - 2e-3) < 1e-15);

        replace("{\"acme/house-model\": {\"input_cost_per_token\": -5, \"output_cost_per_token\": 0}} ");
        await().atMost(Duration.ofSeconds(10)).until(() -> given().port(29102).get("/q/metrics").asString()
                .contains("llmtrace_pricing_reloads_total{result=\"failed\"} 1.0"));
        assertEquals(2e-3, costOfOneThousandInputTokens(), 1e-15, "the previous table stays in force");
    }
}
