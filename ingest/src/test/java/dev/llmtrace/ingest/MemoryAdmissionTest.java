package dev.llmtrace.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a body will hold once decoded is charged before it is read: one that fits is taken, one that
 * could never fit a tenant's share is told so (413, not a 503 it would retry forever), plain or gzip.
 * 4 MiB in flight and a share of a half: 2 MiB a tenant, a JSON body of 512 KiB at most.
 */
@QuarkusTest
@TestProfile(MemoryAdmissionTest.SmallBudget.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class MemoryAdmissionTest {

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.memory.max-in-flight-bytes", "4194304", "ingest.memory.tenant-share", "0.5");
        }
    }

    static byte[] jsonOf(int bytes) {
        ResourceSpans one = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).getResourceSpans(0);
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        while (request.build().getSerializedSize() * 5 / 3 < bytes) {
            request.addResourceSpans(one);
        }
        return OtlpJson.toJson(request);
    }

    @Test
    void aBodyThatFitsIsTakenAndOneThatNeverCouldIsA413() {
        FakeEnrich.receiver.failWith(null);
        byte[] small = jsonOf(300 << 10);
        byte[] large = jsonOf(700 << 10);
        assertTrue(small.length * 4L < 2 << 20 && large.length * 4L > 2 << 20, small.length + " / " + large.length);
        IngestHttpTest.post("application/json", small).then().statusCode(200);
        IngestHttpTest.post("application/json", large).then().statusCode(413)
                .body(containsString("ingest.memory allows one tenant"));
        IngestHttpTest.post("application/json", BoundedGzip.gzip(large), "Content-Encoding", "gzip").then().statusCode(413)
                .body(containsString("ingest.memory allows one tenant"));
        IngestHttpTest.post("application/json", BoundedGzip.gzip(small), "Content-Encoding", "gzip").then().statusCode(200);
        String metrics = given().port(29101).get("/q/metrics").asString();
        assertTrue(metrics.contains("llmtrace_memory_in_flight_bytes{service=\"ingest\"} 0.0"), "all given back");
        assertTrue(metrics.contains("llmtrace_memory_in_flight_max_bytes{service=\"ingest\"} 4194304.0"));
    }
}
