package dev.llmtrace.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sender whose body stops coming (its link died mid-request, and nothing closes a half-open connection for
 * a long time) holds what its declared length charged to the memory budget. Two such requests used to fill
 * the budget, and every other sender got 503 for as long as Quarkus keeps an idle connection (30 minutes). ingest
 * closes connections idle for quarkus.http.idle-timeout (30 s), which gives the charge back (HTTP/2: {@link Http2StreamsTest}).
 */
@QuarkusTest
@TestProfile(StalledBodyTest.ShortIdleTimeout.class)
@QuarkusTestResource(value = FakeEnrich.class, restrictToAnnotatedClass = true)
class StalledBodyTest {

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.memory.max-in-flight-bytes", "4194304", "ingest.memory.tenant-share", "1.0",
                    "quarkus.http.idle-timeout", "3s");
        }
    }

    @Test
    void stalledBodiesAreClosedAndGiveTheirMemoryBack() throws Exception {
        FakeEnrich.receiver.failWith(null);
        List<Socket> stalled = new ArrayList<>();
        try {
            // 512 KiB declared, charged 4 times: two of them hold the whole 4 MiB; one sends part of its body first
            for (String start : new String[] {"", "{\"resourceSpans\":[", "{"}) {
                stalled.add(startBody(524_288, start));
            }
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight() >= 4_194_304);
            assertEquals(4_194_304, inFlight(), "two stalled bodies hold the budget (the third was refused room)");
            IngestHttpTest.post(IngestHttpTest.JSON, Fixtures.bytes(Fixtures.BROADCAST_FULL)).then().statusCode(503);

            for (Socket socket : stalled) {
                assertEquals(-1, socket.getInputStream().read(), "the connection is closed");
            }
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waited < 8_000, "closed after " + waited + " ms");
            await().atMost(Duration.ofSeconds(2)).until(() -> inFlight() == 0); // all given back
            IngestHttpTest.goodRequestStillAccepted();
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyThatKeepsComingIsNotCut() throws Exception {
        byte[] body = Fixtures.bytes(Fixtures.BROADCAST_FULL);
        try (Socket socket = startBody(body.length, "")) {
            for (int i = 0; i < body.length; i += body.length / 4 + 1) { // in four parts over ~1.5 s
                Thread.sleep(500);
                socket.getOutputStream().write(body, i, Math.min(body.length / 4 + 1, body.length - i));
                socket.getOutputStream().flush();
            }
            String answer = readAnswer(socket);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    private static Socket startBody(int declared, String start) throws IOException {
        Socket socket = new Socket("localhost", 24318);
        socket.setSoTimeout(15_000);
        String head = "POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + IngestHttpTest.TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n" + start;
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status line, headers and body of one answer (its Content-Length long). */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    static double inFlight() {
        return counter("llmtrace_memory_in_flight_bytes{service=\"ingest\"}");
    }

    static double counter(String series) {
        String metrics = given().port(29101).get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(0);
    }
}
