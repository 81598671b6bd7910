package dev.llmtrace.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP through the real port: what the spec says a receiver answers, error by error. */
@QuarkusTest
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class IngestHttpTest {
    static final String TOKEN = "Bearer test-token-acme";
    static final String JSON = "application/json";
    static final String PROTOBUF = "application/x-protobuf";

    @BeforeEach
    void reset() {
        FakeEnrich.receiver.failWith(null);
    }

    static Response post(String contentType, byte[] body, String... headers) {
        var spec = given().header("Authorization", TOKEN).contentType(contentType).body(body);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return spec.when().post("/v1/traces");
    }

    static com.google.rpc.Status protobufStatus(Response response) throws Exception {
        return com.google.rpc.Status.parseFrom(response.asByteArray());
    }

    /** After every refusal the receiver must still take good data. */
    static void goodRequestStillAccepted() {
        post(JSON, Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(200).body(equalTo("{}"));
    }

    @Test
    void jsonFixtureIsAcceptedAndForwardedWithTheTenantOfItsToken() {
        FakeEnrich.receiver.clear();
        post(JSON, Fixtures.bytes(Fixtures.BROADCAST_PRIVACY_ERROR)).then().statusCode(200)
                .contentType(JSON).body(equalTo("{}"));
        ExportTraceServiceRequest expected = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_PRIVACY_ERROR));
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeEnrich.receiver.received().stream()
                .anyMatch(r -> r.request().equals(expected)));
        var received = FakeEnrich.receiver.received().stream().filter(r -> r.request().equals(expected)).findFirst().get();
        assertEquals("acme", received.tenant());
    }

    @Test
    void protobufAndGzipAreAcceptedAndAnsweredInProtobuf() throws Exception {
        byte[] proto = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)).toByteArray();
        Response plain = post(PROTOBUF, proto);
        plain.then().statusCode(200).contentType(PROTOBUF);
        assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ExportTraceServiceResponse.parseFrom(plain.asByteArray()));
        post(PROTOBUF, BoundedGzip.gzip(proto), "Content-Encoding", "gzip").then().statusCode(200);
        post(JSON, BoundedGzip.gzip(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "Content-Encoding", "gzip").then().statusCode(200);
    }

    @Test
    void testConnectionWithEmptyPayloadGets200() {
        given().header("Authorization", TOKEN).header("X-Test-Connection", "true").contentType(JSON)
                .body(Fixtures.bytes(Fixtures.TEST_CONNECTION)).post("/v1/traces").then().statusCode(200);
        given().header("Authorization", TOKEN).header("X-Test-Connection", "true").contentType(JSON)
                .body(new byte[0]).post("/v1/traces").then().statusCode(200);
    }

    @Test
    void malformedProtobufIs400WithAProtobufStatus() throws Exception {
        Response response = post(PROTOBUF, "this is not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        response.then().statusCode(400).contentType(PROTOBUF);
        com.google.rpc.Status status = protobufStatus(response);
        assertEquals(Code.INVALID_ARGUMENT_VALUE, status.getCode());
        assertTrue(status.getMessage().startsWith("invalid OTLP protobuf"), status.getMessage());
        goodRequestStillAccepted();
    }

    @Test
    void malformedJsonIs400WithAJsonStatus() {
        post(JSON, "{\"resourceSpans\": [ {".getBytes(StandardCharsets.UTF_8)).then().statusCode(400).contentType(JSON)
                .body("code", equalTo(3)).body("message", containsString("malformed JSON"));
        post(JSON, "{\"resourceSpans\": {}}".getBytes(StandardCharsets.UTF_8)).then().statusCode(400)
                .body("message", containsString("expected an array at /resourceSpans"));
        goodRequestStillAccepted();
    }

    @Test
    void base64IdsInJsonAre400WithAHint() {
        String json = new String(Fixtures.bytes(Fixtures.BROADCAST_FULL), StandardCharsets.UTF_8)
                .replace("5b8efff798038103d269b633813fc60c",
                        Base64.getEncoder().encodeToString(ByteString.fromHex("5b8efff798038103d269b633813fc60c").toByteArray()));
        post(JSON, json.getBytes(StandardCharsets.UTF_8)).then().statusCode(400)
                .body("code", equalTo(3))
                .body("message", containsString("OTLP/JSON encodes trace and span ids as hex, not base64"))
                .body("message", containsString("/resourceSpans/0/scopeSpans/0/spans/0/traceId"));
        goodRequestStillAccepted();
    }

    @Test
    void invalidSpansGetPartialSuccessAndTheRestIsForwarded() {
        FakeEnrich.receiver.clear();
        Span good = Span.newBuilder().setName("good").setTraceId(ByteString.fromHex("0af7651916cd43dd8448eb211c80319c"))
                .setSpanId(ByteString.fromHex("00000000000000a1")).build();
        Span zeroTrace = good.toBuilder().setName("bad").setTraceId(ByteString.copyFrom(new byte[16])).build();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(good).addSpans(zeroTrace))).build();
        post(JSON, OtlpJson.toJson(request)).then().statusCode(200)
                .body("partialSuccess.rejectedSpans", equalTo("1"))
                .body("partialSuccess.errorMessage", containsString("invalid trace id"));
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeEnrich.receiver.spans().stream()
                .anyMatch(s -> s.getName().equals("good")));
        assertTrue(FakeEnrich.receiver.spans().stream().noneMatch(s -> s.getName().equals("bad")));
    }

    @Test
    void wrongContentTypeIs415() {
        post("text/plain", Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(415)
                .body("message", containsString("unsupported Content-Type"));
        post(JSON, Fixtures.bytes(Fixtures.BROADCAST_FULL), "Content-Encoding", "br").then().statusCode(415)
                .body("message", containsString("Content-Encoding"));
        goodRequestStillAccepted();
    }

    @Test
    void getIs405WithAllowHeader() {
        given().header("Authorization", TOKEN).when().get("/v1/traces").then().statusCode(405)
                .header("Allow", "POST").body("code", equalTo(12));
        goodRequestStillAccepted();
    }

    @Test
    void oversizeBodyIs413() {
        byte[] big = new byte[1048576 + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        post(JSON, big).then().statusCode(413).body("message", containsString("exceeds the limit of 1048576 bytes"));
        goodRequestStillAccepted();
    }

    @Test
    void gzipBombIsStoppedWhileInflating() {
        byte[] bomb = BoundedGzip.gzip(new byte[64 << 20]); // 64 MiB of zeros in about 64 KiB
        assertTrue(bomb.length < 1048576);
        post(JSON, bomb, "Content-Encoding", "gzip").then().statusCode(413)
                .body("message", containsString("after decompression"));
        post(JSON, "not gzip".getBytes(StandardCharsets.UTF_8), "Content-Encoding", "gzip").then().statusCode(400)
                .body("message", containsString("invalid gzip"));
        goodRequestStillAccepted();
    }

    @Test
    void missingOrWrongTokenIs401AndCounted() {
        given().contentType(JSON).body(Fixtures.bytes(Fixtures.BROADCAST_FULL)).post("/v1/traces").then()
                .statusCode(401).header("WWW-Authenticate", "Bearer").body("code", equalTo(16))
                .body("message", equalTo("missing or invalid bearer token"));
        given().header("Authorization", "Bearer test-token-acmf").contentType(JSON).body(Fixtures.bytes(Fixtures.BROADCAST_FULL))
                .post("/v1/traces").then().statusCode(401);
        given().header("Authorization", "Basic dGVzdC10b2tlbi1hY21lOg==").contentType(JSON).body(Fixtures.bytes(Fixtures.BROADCAST_FULL))
                .post("/v1/traces").then().statusCode(401);
        goodRequestStillAccepted();
        String metrics = given().port(29101).get("/q/metrics").asString();
        assertTrue(metrics.contains("llmtrace_requests_rejected_total{reason=\"unauthenticated\",service=\"ingest\"}"), metrics);
    }
}
