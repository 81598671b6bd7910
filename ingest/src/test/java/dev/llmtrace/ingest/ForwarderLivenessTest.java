package dev.llmtrace.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A forwarding stream that has ended turns liveness DOWN, so Kubernetes restarts ingest instead of
 * leaving it accepting into a buffer nobody drains. Own profile: it leaves this app instance dead.
 */
@QuarkusTest
@TestProfile(ForwarderLivenessTest.OwnApp.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class ForwarderLivenessTest {
    public static class OwnApp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.forward.concurrency", "3");
        }
    }

    @Inject
    EnrichForwarder forwarder;

    @Test
    void anEndedForwarderFailsLiveness() {
        given().port(29101).get("/q/health/live").then().statusCode(200).body(containsString("enrich-forwarder"));
        // a stream that fails, as the real one did under backpressure before it had a buffer
        forwarder.forward(Multi.createFrom().failure(new IllegalStateException("boom"))).subscribe().with(x -> {}, f -> {});
        given().port(29101).get("/q/health/live").then().statusCode(503).body(containsString("enrich-forwarder"));
    }
}
