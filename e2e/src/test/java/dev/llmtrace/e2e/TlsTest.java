package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.TestCa;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Broadcast endpoint over HTTPS and OTLP/gRPC over TLS by ingest itself (profile {@code tls}), as a user on
 * a VM runs it: a CA made at test time, certificate and key as PEM files, real clients (curl, the OpenTelemetry
 * SDK's HTTP and gRPC exporters) trusting that CA, and the files renewed on disk while clients send.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsTest {
    static final Path DIR = Pipeline.freshDirectory("tls-certificates");
    static final Path CERT = DIR.resolve("tls.crt");
    static final Path KEY = DIR.resolve("tls.key");
    static TestCa ca;
    static Path caFile;
    static Pipeline pipeline;
    static int httpsPort;

    @BeforeAll
    static void start() {
        ca = TestCa.create("llmtrace-test-ca");
        caFile = ca.writeCertificate(DIR);
        ca.issue(DIR, "first").installAt(CERT, KEY);
        httpsPort = FreePorts.next();
        pipeline = new Pipeline("tls", Map.of(), Map.of("%tls.quarkus.http.ssl-port", Integer.toString(httpsPort)),
                Map.of("ingest", Map.of("QUARKUS_PROFILE", "tls", "TLS_CERT_FILE", CERT.toString(), "TLS_KEY_FILE", KEY.toString(),
                        "TLS_RELOAD_PERIOD", "1s"))).start();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void sdkExportersAndCurlSendOverTlsAndNothingListensInPlain() throws Exception {
        List<String> sent = new ArrayList<>();
        sent.addAll(sendOne(httpExporter(caFile), "tls-http"));
        sent.addAll(sendOne(grpcExporter(caFile), "tls-grpc"));
        Path body = DIR.resolve("broadcast.json");
        Files.write(body, Fixtures.bytes(Fixtures.BROADCAST_FULL));
        Curl ok = curl("--cacert", caFile.toString(), "--data-binary", "@" + body);
        assertEquals("200", ok.out, ok.err);
        await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.backend.spansById().keySet().containsAll(sent)
                && pipeline.backend.spanCount() == sent.size() + 1);

        Curl untrusted = curl("--data-binary", "@" + body);
        assertEquals(60, untrusted.exit, "curl: peer certificate cannot be authenticated");
        assertTrue(untrusted.err.contains("SSL certificate problem"), untrusted.err);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", pipeline.ingestHttp).close(), "no plain HTTP listener");
    }

    /** Renewal while clients send: nothing lost, nothing refused, and new handshakes on both ports get the new certificate. */
    @Test
    @Order(2)
    void certificateRenewedOnDiskWhileClientsSend() throws Exception {
        pipeline.backend.clear();
        AtomicBoolean sending = new AtomicBoolean(true);
        List<RecordingExporter> exporters = List.of(new RecordingExporter(httpExporter(caFile)), new RecordingExporter(grpcExporter(caFile)));
        List<Thread> senders = List.of(sender(exporters.get(0), "renewal-http", sending), sender(exporters.get(1), "renewal-grpc", sending));
        senders.forEach(Thread::start);
        Thread.sleep(1000);
        TestCa.Issued renewed = ca.issue(DIR, "renewed");
        renewed.installAt(CERT, KEY);
        await().atMost(Duration.ofSeconds(20)).until(() -> renewed.serial().equals(presented(httpsPort))
                && renewed.serial().equals(presented(pipeline.ingestGrpc)));
        Thread.sleep(1000); // clients keep sending after the switch
        sending.set(false);
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        assertEquals(0, exporters.stream().mapToInt(e -> e.failures.get()).sum(), "no export failed during the renewal");
        Set<String> delivered = exporters.stream().flatMap(e -> e.exported.stream()).map(SpanData::getSpanId).collect(Collectors.toSet());
        assertTrue(delivered.size() > 20, "the clients sent throughout: " + delivered.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.backend.spansById().keySet().containsAll(delivered));
        assertEquals(delivered.size(), pipeline.backend.spanCount(), "every span once");
    }

    @Test
    @Order(3)
    void untrustedAndExpiredCertificatesAreRefusedWithAClearError() throws Exception {
        Path otherCa = TestCa.create("some-other-ca").writeCertificate(DIR);
        SSLHandshakeException untrusted = assertThrows(SSLHandshakeException.class, () -> handshake(httpsPort, trusting(otherCa)));
        assertTrue(untrusted.getMessage().contains("PKIX path"), untrusted.getMessage());

        TestCa.Issued expired = ca.issueExpired(DIR, "expired");
        expired.installAt(CERT, KEY);
        await().atMost(Duration.ofSeconds(20)).until(() -> expired.serial().equals(presented(httpsPort)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(pipeline.ingest.log()).contains("expires (or expired)"));
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> handshake(httpsPort, trusting(caFile)));
        assertTrue(causedBy(refused, CertificateExpiredException.class), refused.toString());
        Path body = DIR.resolve("broadcast.json");
        Curl curl = curl("--cacert", caFile.toString(), "--data-binary", "@" + body);
        assertEquals(60, curl.exit);
        assertTrue(curl.err.contains("expired"), curl.err);

        TestCa.Issued valid = ca.issue(DIR, "valid-again");
        valid.installAt(CERT, KEY);
        await().atMost(Duration.ofSeconds(20)).until(() -> valid.serial().equals(presented(httpsPort)));
        assertEquals("200", curl("--cacert", caFile.toString(), "--data-binary", "@" + body).out);
    }

    private static SpanExporter httpExporter(Path trusted) throws IOException {
        return OtlpHttpSpanExporter.builder().setEndpoint("https://localhost:" + httpsPort + "/v1/traces")
                .addHeader("Authorization", "Bearer " + Pipeline.TOKEN).setTrustedCertificates(Files.readAllBytes(trusted)).build();
    }

    private static SpanExporter grpcExporter(Path trusted) throws IOException {
        return OtlpGrpcSpanExporter.builder().setEndpoint("https://localhost:" + pipeline.ingestGrpc)
                .addHeader("Authorization", "Bearer " + Pipeline.TOKEN).setTrustedCertificates(Files.readAllBytes(trusted)).build();
    }

    /** One span through {@code exporter}; its span id. */
    private static List<String> sendOne(SpanExporter exporter, String name) {
        RecordingExporter recording = new RecordingExporter(exporter);
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(recording)).build();
        provider.get("tls-test").spanBuilder(name).startSpan().end();
        assertTrue(provider.forceFlush().join(15, TimeUnit.SECONDS).isSuccess(), name + " exported");
        provider.shutdown().join(10, TimeUnit.SECONDS);
        return recording.exported.stream().map(SpanData::getSpanId).toList();
    }

    private static Thread sender(RecordingExporter exporter, String name, AtomicBoolean sending) {
        return new Thread(() -> {
            SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
            Tracer tracer = provider.get("tls-test");
            while (sending.get()) {
                tracer.spanBuilder(name).startSpan().end();
                provider.forceFlush().join(15, TimeUnit.SECONDS);
                ServiceProcess.sleep(20);
            }
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }, name);
    }

    /** The serial number of the certificate a fresh handshake on {@code port} presents (whatever its validity). */
    private static BigInteger presented(int port) {
        X509Certificate[] seen = new X509Certificate[1];
        TrustManager recordAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {recordAll}, null);
            handshake(port, context);
        } catch (Exception e) {
            return null;
        }
        return seen[0] == null ? null : seen[0].getSerialNumber();
    }

    private static void handshake(int port, SSLContext context) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private record Curl(int exit, String out, String err) {}

    /** curl POSTing to /v1/traces over HTTPS with the tenant's token; out is the HTTP status. */
    private static Curl curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                "-H", "Authorization: Bearer " + Pipeline.TOKEN, "-H", "Content-Type: application/json"));
        command.addAll(List.of(args));
        command.add("https://localhost:" + httpsPort + "/v1/traces");
        try {
            Process p = new ProcessBuilder(command).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Curl(p.waitFor(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
