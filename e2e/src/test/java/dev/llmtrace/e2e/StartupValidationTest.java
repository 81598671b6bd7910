package dev.llmtrace.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad settings stop a service at start with a message that names the setting, and never print a secret. */
class StartupValidationTest {
    /** The process that holds ingest's settings: ingest, or the all-in-one. */
    static final String INGEST = Pipeline.ALL_IN_ONE ? "all-in-one" : "ingest";

    static final Path WORK = ServiceProcess.repoRoot().resolve("e2e/target/startup-validation");

    static Map<String, String> freePorts() {
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.grpc.server.port", Integer.toString(FreePorts.next()));
        props.put("quarkus.http.port", Integer.toString(FreePorts.next()));
        props.put("quarkus.management.port", Integer.toString(FreePorts.next()));
        return props;
    }

    @Test
    void outOfRangeLimitNamesTheProperty() throws Exception {
        Map<String, String> props = freePorts();
        props.put("ingest.limits.max-http-body-bytes", "10");
        ServiceProcess ingest = new ServiceProcess(INGEST, props, Map.of("INGEST_AUTH_TOKENS", "t=secret-token-value"), 0, WORK);
        assertNotEquals(0, ingest.start().awaitExit(Duration.ofSeconds(60)));
        String log = Files.readString(ingest.log());
        assertTrue(log.contains("ingest.limits.max-http-body-bytes"), log);
        assertTrue(log.contains("must be greater than or equal to 1024"), log);
        assertTrue(!log.contains("secret-token-value"), "tokens never reach the log");
    }

    @Test
    void authWithoutTokensIsRefused() throws Exception {
        ServiceProcess ingest = new ServiceProcess(INGEST, freePorts(), Map.of(), 0, WORK);
        assertNotEquals(0, ingest.start().awaitExit(Duration.ofSeconds(60)));
        String log = Files.readString(ingest.log());
        assertTrue(log.contains("no token is configured"), log);
    }

    @Test
    void malformedTokenEntryIsRefusedWithoutEchoingIt() throws Exception {
        ServiceProcess ingest = new ServiceProcess(INGEST, freePorts(), Map.of("INGEST_AUTH_TOKENS", "justatokenwithouttenant"), 0, WORK);
        assertNotEquals(0, ingest.start().awaitExit(Duration.ofSeconds(60)));
        String log = Files.readString(ingest.log());
        assertTrue(log.contains("ingest.auth.tokens: entry 1 is not tenant=token"), log);
        assertTrue(!log.contains("justatokenwithouttenant"), log);
    }

    @Test
    void tokensFromAMountedFileAuthenticate() throws Exception {
        Files.createDirectories(WORK);
        Path tokens = WORK.resolve("tokens");
        Files.writeString(tokens, "# tenant=token, as a Kubernetes Secret would mount it\nteam-a=file-token-a\n\nteam-b = file-token-b\n");
        Map<String, String> props = freePorts();
        props.put("ingest.auth.tokens-file", tokens.toString());
        int httpPort = Integer.parseInt(props.get("quarkus.http.port"));
        try (ServiceProcess ingest = new ServiceProcess(INGEST, props, Map.of(), Integer.parseInt(props.get("quarkus.management.port")), WORK)) {
            ingest.start().awaitReady(Pipeline.READY);
            for (String token : new String[] {"file-token-a", "file-token-b"}) {
                io.restassured.RestAssured.given().port(httpPort).header("Authorization", "Bearer " + token)
                        .contentType("application/json").body(dev.llmtrace.core.Fixtures.bytes(dev.llmtrace.core.Fixtures.TEST_CONNECTION))
                        .post("/v1/traces").then().statusCode(200);
            }
            io.restassured.RestAssured.given().port(httpPort).header("Authorization", "Bearer file-token-c")
                    .contentType("application/json").body(dev.llmtrace.core.Fixtures.bytes(dev.llmtrace.core.Fixtures.TEST_CONNECTION))
                    .post("/v1/traces").then().statusCode(401);
            assertTrue(!Files.readString(ingest.log()).contains("file-token"), "tokens never reach the log");
        }
    }

    @Test
    void badPricingOverridesStopEnrichNamingEntryAndField() throws Exception {
        Files.createDirectories(WORK);
        Path overrides = WORK.resolve("bad-prices.json");
        Files.writeString(overrides, "{\"acme/model\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": -2}}");
        Map<String, String> props = freePorts();
        props.put("enrich.pricing.overrides-file", overrides.toString());
        ServiceProcess enrich = new ServiceProcess(Pipeline.ALL_IN_ONE ? "all-in-one" : "enrich", props,
                Map.of("INGEST_AUTH_TOKENS", "t=secret-token-value"), 0, WORK);
        assertNotEquals(0, enrich.start().awaitExit(Duration.ofSeconds(60)));
        String log = Files.readString(enrich.log());
        assertTrue(log.contains("entry 'acme/model': output_cost_per_token must be greater than or equal to 0"), log);
    }

    @Test
    void processingStepsInAnImpossibleOrderStopEnrich() throws Exception {
        Map<String, String> props = freePorts();
        props.put("enrich.processors", "cost,privacy,conventions");
        ServiceProcess enrich = new ServiceProcess(Pipeline.ALL_IN_ONE ? "all-in-one" : "enrich", props,
                Map.of("INGEST_AUTH_TOKENS", "t=secret-token-value"), 0, WORK);
        assertNotEquals(0, enrich.start().awaitExit(Duration.ofSeconds(60)));
        String log = Files.readString(enrich.log());
        assertTrue(log.contains("enrich.processors: conventions copies the prompt and completion to new names"), log);
    }
}
