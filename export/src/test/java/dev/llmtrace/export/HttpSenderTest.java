package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.FreePorts;
import dev.llmtrace.core.retry.ExportException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP sender against a real HTTP server: what goes on the wire and what a refusal says. */
class HttpSenderTest {

    static OtlpEndpoint spec(int port, ExportConfig.Encoding encoding) {
        return new OtlpEndpoint("phoenix", ExportConfig.Protocol.HTTP, URI.create("http://127.0.0.1:" + port + "/v1/traces"), encoding,
                Map.of(), Optional.empty(), Optional.empty(), false, Duration.ofSeconds(5), null);
    }

    @Test
    void plainHttpIsHttp11WithoutAnUpgradeAttempt() throws Exception {
        try (FakeHttpBackend backend = new FakeHttpBackend(FreePorts.next())) {
            assertEquals(Sender.Result.OK, new HttpSender(spec(backend.port(), ExportConfig.Encoding.PROTOBUF))
                    .send(new byte[0], "t").get(10, TimeUnit.SECONDS));
            FakeHttpBackend.Request request = backend.requests.get(0);
            assertNull(request.header("Upgrade"), "no h2c upgrade on http://");
            assertFalse(String.valueOf(request.header("Connection")).toLowerCase().contains("upgrade"));
        }
    }

    @Test
    void a415SaysWhichEncodingToSet() throws Exception {
        try (FakeHttpBackend backend = new FakeHttpBackend(FreePorts.next())) {
            backend.answer(attempt -> new FakeHttpBackend.Answer(415, null, 0));
            ExecutionException e = assertThrows(ExecutionException.class, () -> new HttpSender(spec(backend.port(), ExportConfig.Encoding.JSON))
                    .send("{}".getBytes(), "t").get(10, TimeUnit.SECONDS));
            ExportException failure = ExportException.of(e);
            assertFalse(failure.isRetryable());
            assertTrue(failure.getMessage().contains("set export.destinations.phoenix.encoding=protobuf"), failure.getMessage());
        }
    }
}
