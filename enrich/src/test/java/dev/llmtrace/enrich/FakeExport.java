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
        return receiver.asQuarkusGrpcClient("export");
    }

    @Override
    public void stop() {
        receiver.close();
    }
}
