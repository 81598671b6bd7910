package dev.llmtrace.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP over HTTP/2 (h2c), where one connection carries many requests at once: what ends one of them must
 * not end the others, and a connection kept busy by the others must not keep one stream's memory charge forever.
 */
@QuarkusTest
@TestProfile(Http2StreamsTest.ShortIdleTimeout.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class Http2StreamsTest {
    /**
     * StalledBodyTest's settings as a profile of its own: run after it with the same profile, Quarkus restarted more
     * lightly here and the metrics endpoint showed 0 bytes in flight while bodies held memory.
     */
    public static class ShortIdleTimeout extends StalledBodyTest.ShortIdleTimeout {}

    private static final Vertx vertx = Vertx.vertx();

    @AfterAll
    static void close() throws Exception {
        get(vertx.close());
    }

    /**
     * A body that keeps coming past the hard cap (4 x the limit, 1 MiB in tests) is answered 413 and its upload
     * stopped. Closing the connection, as HTTP/1.1 must, would end every other request on it.
     */
    @Test
    void aBodyPastTheHardCapEndsItsStreamNotItsConnection() throws Exception {
        FakeEnrich.receiver.failWith(null);
        HttpClient client = oneConnection();
        try {
            HttpClientRequest huge = get(client.request(post())).setChunked(true); // no length: DATA frames until it ends
            CompletableFuture<Throwable> reset = new CompletableFuture<>();
            huge.exceptionHandler(reset::complete);
            Buffer megabyte = Buffer.buffer(new byte[1 << 20]);
            long sent = 0;
            while (!reset.isDone() && sent < (64L << 20)) {
                try {
                    get(huge.write(megabyte));
                } catch (Exception stopped) {
                    break; // the stream is closed
                }
                sent += megabyte.length();
            }
            assertEquals(413, get(huge.response()).statusCode());
            assertTrue(sent <= (6L << 20), "stopped after " + (sent >> 20) + " MiB");
            assertTrue(reset.get(5, TimeUnit.SECONDS) instanceof StreamResetException reset0 && reset0.getCode() == 0, reset.toString());

            HttpClientRequest after = get(client.request(post()));
            assertSame(huge.connection(), after.connection(), "the connection goes on");
            assertEquals(200, get(after.send(Buffer.buffer(Fixtures.bytes(Fixtures.BROADCAST_FULL)))).statusCode());
            await().atMost(Duration.ofSeconds(2)).until(() -> StalledBodyTest.inFlight() == 0); // its charge given back
        } finally {
            client.close();
        }
    }

    /**
     * HTTP/2: one connection carries many streams, and while others keep it busy its idle timeout never comes. A
     * stream whose body stopped is reset after the idle timeout; the connection and its other streams go on.
     */
    @Test
    void aStalledHttp2StreamIsResetWhileItsConnectionStaysBusy() throws Exception {
        FakeEnrich.receiver.failWith(null);
        HttpClient client = oneConnection();
        double stalledBefore = StalledBodyTest.counter(STALLED);
        try {
            HttpClientRequest stalled = get(client.request(post().putHeader("Content-Length", "524288")));
            CompletableFuture<Throwable> reset = new CompletableFuture<>();
            stalled.exceptionHandler(reset::complete);
            stalled.write("{\"resourceSpans\":[");
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(() -> StalledBodyTest.inFlight() >= 2_097_152); // 512 KiB declared, charged 4 times

            byte[] good = Fixtures.bytes(Fixtures.BROADCAST_FULL);
            int answered = 0;
            while (!reset.isDone() && System.nanoTime() - started < 10_000_000_000L) { // a request every 200 ms: never idle
                HttpClientRequest request = get(client.request(post()));
                assertSame(stalled.connection(), request.connection(), "one connection for all streams");
                HttpClientResponse response = get(request.send(Buffer.buffer(good)));
                assertEquals(200, response.statusCode());
                answered++;
                Thread.sleep(200);
            }
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(reset.isDone(), "the stalled stream was not reset in " + waited + " ms");
            assertTrue(reset.get() instanceof StreamResetException, reset.get().toString());
            assertTrue(waited >= 2_500 && waited < 6_000, "reset after " + waited + " ms; the idle timeout is 3 s");
            assertTrue(answered >= 10, "the connection was busy: " + answered + " requests answered on it meanwhile");
            await().atMost(Duration.ofSeconds(2)).until(() -> StalledBodyTest.inFlight() == 0);
            assertEquals(stalledBefore + 1, StalledBodyTest.counter(STALLED));

            // the connection goes on
            HttpClientRequest after = get(client.request(post()));
            assertSame(stalled.connection(), after.connection());
            assertEquals(200, get(after.send(Buffer.buffer(good))).statusCode());
        } finally {
            client.close();
        }
    }

    private static final String STALLED = "llmtrace_requests_rejected_total{reason=\"body_stalled\",service=\"ingest\"}";

    /** One HTTP/2 connection (prior knowledge, no upgrade) for every request of a test. */
    private static HttpClient oneConnection() {
        return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("localhost").setDefaultPort(24318).setHttp2MaxPoolSize(1));
    }

    private static <T> T get(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RequestOptions post() {
        return new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/traces")
                .putHeader("Authorization", IngestHttpTest.TOKEN).putHeader("Content-Type", "application/json");
    }

}
