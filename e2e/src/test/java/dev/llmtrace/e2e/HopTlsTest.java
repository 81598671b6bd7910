package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.TestCa;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS on the hops ingest → enrich → export (profiles {@code mtls-to-enrich}, {@code mtls-to-export}), with a CA of
 * their own made at test time: data flows, and a caller without a certificate, or with one from another CA, is refused.
 * The all-in-one has no network hops, so this runs against the three services only.
 */
class HopTlsTest {
    static final String STORE_PASSWORD = "hop-store-password";

    @Test
    void hopsAreMutualTlsAndRefuseStrangers() throws Exception {
        assumeFalse(Pipeline.ALL_IN_ONE, "the all-in-one has no hops between processes");
        Path dir = Pipeline.freshDirectory("hop-tls-certificates");
        TestCa ca = TestCa.create("llmtrace-hop-ca");
        Path caFile = ca.writeCertificate(dir);
        Path store = ca.writeTrustStore(dir, STORE_PASSWORD);
        TestCa.Issued hop = ca.issue(dir, "hop");
        Map<String, String> files = Map.of("HOP_TLS_CERT_FILE", hop.certFile().toString(), "HOP_TLS_KEY_FILE", hop.keyFile().toString(),
                "HOP_TLS_CA_FILE", caFile.toString(), "HOP_TLS_TRUST_STORE", store.toString(), "HOP_TLS_TRUST_STORE_PASSWORD", STORE_PASSWORD);
        try (Pipeline pipeline = new Pipeline("hop-tls", Map.of(), Map.of(), Map.of(
                "ingest", with(files, "QUARKUS_PROFILE", "mtls-to-enrich"),
                "enrich", with(files, "QUARKUS_PROFILE", "mtls-to-enrich,mtls-to-export"),
                "export", with(files, "QUARKUS_PROFILE", "mtls-to-export"))).start()) {
            ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
            int status = io.restassured.RestAssured.given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN)
                    .contentType("application/json").body(Fixtures.bytes(Fixtures.BROADCAST_FULL)).post("/v1/traces").statusCode();
            assertEquals(200, status);
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.backend.spanCount() == 1);

            int enrichPort = Integer.parseInt(pipeline.enrich.property("quarkus.grpc.server.port"));
            StatusRuntimeException plain = assertThrows(StatusRuntimeException.class, () -> call(
                    NettyChannelBuilder.forAddress("localhost", enrichPort).usePlaintext().build(), request));
            assertEquals(Status.Code.UNAVAILABLE, plain.getStatus().getCode(), "no plain-text listener: " + plain);

            StatusRuntimeException noCertificate = assertThrows(StatusRuntimeException.class, () -> call(
                    NettyChannelBuilder.forAddress("localhost", enrichPort)
                            .sslContext(GrpcSslContexts.forClient().trustManager(caFile.toFile()).build()).build(), request));
            assertEquals(Status.Code.UNAVAILABLE, noCertificate.getStatus().getCode(), "a caller must present a certificate: " + noCertificate);

            TestCa.Issued stranger = TestCa.create("some-other-ca").issue(dir, "stranger");
            StatusRuntimeException foreign = assertThrows(StatusRuntimeException.class, () -> call(
                    NettyChannelBuilder.forAddress("localhost", enrichPort).sslContext(GrpcSslContexts.forClient()
                            .trustManager(caFile.toFile()).keyManager(stranger.certFile().toFile(), stranger.keyFile().toFile()).build())
                            .build(), request));
            assertEquals(Status.Code.UNAVAILABLE, foreign.getStatus().getCode(), "a certificate of another CA is refused: " + foreign);
            assertEquals(1, pipeline.backend.spanCount(), "nothing the strangers sent went through");
            assertTrue(java.nio.file.Files.readString(pipeline.enrich.log()).contains("mtls-to-enrich"), "enrich ran with the hop profile");
        }
    }

    private static void call(ManagedChannel channel, ExportTraceServiceRequest request) {
        try {
            TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).export(request);
        } finally {
            channel.shutdownNow();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> all = new HashMap<>(base);
        all.put(key, value);
        return all;
    }
}
