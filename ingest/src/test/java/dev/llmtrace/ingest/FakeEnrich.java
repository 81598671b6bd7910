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
        return receiver.asQuarkusGrpcClient("enrich");
    }

    @Override
    public void stop() {
        receiver.close();
    }
}
