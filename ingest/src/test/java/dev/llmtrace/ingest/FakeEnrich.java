package dev.llmtrace.ingest;

import dev.llmtrace.core.FakeOtlpReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real gRPC server in enrich's place, so tests see what ingest forwards (and can make it fail). */
public class FakeEnrich implements QuarkusTestResourceLifecycleManager {
    static volatile FakeOtlpReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = FakeOtlpReceiver.onFreePort();
        String port = Integer.toString(receiver.port());
        // in test mode Quarkus points clients at test-port, which defaults to our own gRPC test port
        return Map.of("quarkus.grpc.clients.enrich.port", port, "quarkus.grpc.clients.enrich.test-port", port);
    }

    @Override
    public void stop() {
        receiver.close();
    }
}
