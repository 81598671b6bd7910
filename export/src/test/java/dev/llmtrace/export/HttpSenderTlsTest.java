package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.llmtrace.core.retry.ExportException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS to a backend with a self-signed certificate: trusted through tls.ca-file, refused otherwise. */
class HttpSenderTlsTest {
    @TempDir
    static Path dir;
    static HttpsServer server;
    static Path caPem;
    static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "backend", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "backend", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", caPem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            REQUESTS.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static OtlpEndpoint spec(Optional<Path> caFile, boolean insecure) {
        ExportConfig.Tls tls = new ExportConfig.Tls() {
            @Override
            public Optional<Path> caFile() {
                return caFile;
            }

            @Override
            public boolean insecureSkipVerify() {
                return insecure;
            }
        };
        return new OtlpEndpoint("tls", ExportConfig.Protocol.HTTP,
                URI.create("https://localhost:" + server.getAddress().getPort() + "/v1/traces"), ExportConfig.Encoding.PROTOBUF,
                Map.of(), Optional.empty(), Optional.empty(), true, Duration.ofSeconds(5), DestinationTls.trust("export.destinations.tls.", tls));
    }

    @Test
    void customCaIsTrusted() throws Exception {
        int before = REQUESTS.get();
        assertEquals(Sender.Result.OK, new HttpSender(spec(Optional.of(caPem), false)).send(new byte[0], "t").get(10, TimeUnit.SECONDS));
        assertEquals(before + 1, REQUESTS.get());
    }

    @Test
    void unknownCertificateIsRefusedByDefault() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> new HttpSender(spec(Optional.empty(), false)).send(new byte[0], "t").get(10, TimeUnit.SECONDS));
        ExportException failure = ExportException.of(e);
        assertEquals("transport", failure.reason());
        assertTrue(failure.getMessage().contains("SSL"), failure.getMessage());
    }

    @Test
    void insecureSkipVerifyOnlyWhenAskedFor() throws Exception {
        assertEquals(Sender.Result.OK, new HttpSender(spec(Optional.empty(), true)).send(new byte[0], "t").get(10, TimeUnit.SECONDS));
    }
}
