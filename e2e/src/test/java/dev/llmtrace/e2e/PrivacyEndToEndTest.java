package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.privacy.SecretsEverywhereTest;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The full Broadcast fixture through the pipeline to three destinations with different privacy
 * policies: full (self-hosted Tempo), mask, drop (a SaaS backend). Each gets what its policy allows,
 * prompts stay parseable JSON, and no secret from the fixture reaches any payload or log line.
 */
class PrivacyEndToEndTest {
    static final String SECRET = "sk-or-v1-" + "ab".repeat(32);
    static FakeOtlpReceiver masked;
    static FakeOtlpReceiver saas;
    static Pipeline pipeline;

    @BeforeAll
    static void start() {
        masked = FakeOtlpReceiver.onFreePort();
        saas = FakeOtlpReceiver.onFreePort();
        pipeline = new Pipeline("privacy", Map.of(
                "export.destinations.masked.type", "otlp-grpc",
                "export.destinations.masked.endpoint", "http://127.0.0.1:" + masked.port(),
                "export.destinations.masked.privacy", "mask",
                "export.destinations.saas.type", "otlp-grpc",
                "export.destinations.saas.endpoint", "http://127.0.0.1:" + saas.port(),
                "export.destinations.saas.privacy", "drop",
                "export.privacy.hash-key", "e2e-hmac-key-0123456789")).start();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        masked.close();
        saas.close();
    }

    static Optional<String> string(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
                .map(v -> v.getStringValue()).findFirst();
    }

    @Test
    void eachDestinationGetsWhatItsPolicyAllows() throws Exception {
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(Fixtures.bytes(Fixtures.BROADCAST_FULL)).post("/v1/traces").then().statusCode(200);
        for (FakeOtlpReceiver r : List.of(pipeline.backend, masked, saas)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> r.spansById().containsKey("eee19b7ec3c1b174"));
        }
        ObjectMapper json = new ObjectMapper();
        Span full = pipeline.backend.spansById().get("eee19b7ec3c1b174").span();
        JsonNode fullPrompt = json.readTree(string(full, "gen_ai.prompt").orElseThrow());
        assertTrue(fullPrompt.toString().contains("jane.doe@example.com"), "full keeps content");
        assertTrue(fullPrompt.toString().contains("<OPENROUTER_KEY>"), "but never a secret");

        Span mask = masked.spansById().get("eee19b7ec3c1b174").span();
        JsonNode maskedPrompt = json.readTree(string(mask, "gen_ai.prompt").orElseThrow());
        assertEquals("My email is <EMAIL> and my card is <CREDIT_CARD>. Key <OPENROUTER_KEY> stopped working.",
                maskedPrompt.get("messages").get(1).get("content").asText());
        assertTrue(json.readTree(string(mask, "gen_ai.completion").orElseThrow()).get("completion").asText().contains("<PHONE>"));
        assertTrue(string(mask, "user.id").orElseThrow().startsWith("hmac-sha256:"));

        Span dropped = saas.spansById().get("eee19b7ec3c1b174").span();
        assertTrue(string(dropped, "gen_ai.prompt").isEmpty());
        assertTrue(string(dropped, "gen_ai.completion").isEmpty());
        assertEquals("anthropic/claude-sonnet-4", string(dropped, "gen_ai.request.model").orElseThrow(), "model, tokens, cost stay");
        assertTrue(dropped.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("gen_ai.usage.total_cost")));

        for (FakeOtlpReceiver r : List.of(pipeline.backend, masked, saas)) {
            for (FakeOtlpReceiver.Received received : r.received()) {
                assertFalse(new String(OtlpJson.toJson(received.request())).contains(SECRET), "no secret in any payload");
                assertFalse(received.request().toString().contains(SECRET));
            }
        }
        for (ServiceProcess service : List.of(pipeline.ingest, pipeline.enrich, pipeline.export)) {
            String log = Files.readString(service.log());
            assertFalse(log.contains(SECRET), "no secret in the log of " + service.log());
            assertFalse(log.contains("jane.doe@example.com"), "no prompt content in logs");
        }
    }

    /** A secret in every place a sender controls text: none reaches any destination, whatever its policy. */
    @Test
    void noSecretInAnyPlaceReachesAnyDestination() {
        ExportTraceServiceRequest.Builder request = SecretsEverywhereTest.request().toBuilder();
        request.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0)
                .setTraceId(ByteString.fromHex("5ec7e75ec7e75ec7e75ec7e75ec7e75e")).setSpanId(ByteString.fromHex("5ec7e75ec7e75ec7"));
        given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                .body(OtlpJson.toJson(request)).post("/v1/traces").then().statusCode(200);
        for (FakeOtlpReceiver r : List.of(pipeline.backend, masked, saas)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> r.spansById().containsKey("5ec7e75ec7e75ec7"));
            Span span = r.spansById().get("5ec7e75ec7e75ec7").span();
            String everything = new String(OtlpJson.toJson(r.received().stream()
                    .filter(x -> x.request().toString().contains("call with")).findFirst().orElseThrow().request()));
            for (String place : SecretsEverywhereTest.PLACES) {
                String secret = SecretsEverywhereTest.secretFor(place);
                String bare = secret.startsWith("Bearer ") ? secret.substring(7) : secret;
                assertFalse(everything.contains(bare), "the secret in the " + place + " reached a destination");
            }
            assertTrue(span.getName().startsWith("call with <"), span.getName());
        }
    }
}
