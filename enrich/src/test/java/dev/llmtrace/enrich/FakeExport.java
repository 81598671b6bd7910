package dev.llmtrace.enrich;

import dev.llmtrace.core.FakeOtlpReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real gRPC server in export's place. */
public class FakeExport implements QuarkusTestResourceLifecycleManager {
    static volatile FakeOtlpReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = FakeOtlpReceiver.onFreePort();
        String port = Integer.toString(receiver.port());
        return Map.of("quarkus.grpc.clients.export.port", port, "quarkus.grpc.clients.export.test-port", port);
    }

    @Override
    public void stop() {
        receiver.close();
    }
}
