package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmtrace.core.FakeOtlpReceiver.SpanInContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The Collector project's load generator, telemetrygen, into ingest over OTLP/gRPC and OTLP/HTTP: every span arrives once. */
@EnabledIfSystemProperty(named = Peers.PROPERTY, matches = ".+")
class TelemetrygenInteropTest {
    static final int WORKERS = 2;
    static final int TRACES_PER_WORKER = 250;
    static final int CHILD_SPANS = 3;
    static final int SPANS_PER_RUN = WORKERS * TRACES_PER_WORKER * (1 + CHILD_SPANS);

    @Test
    void telemetrygenLoadArrivesComplete() {
        Path telemetrygen = Peers.require(Peers.TELEMETRYGEN);
        Path logs = Pipeline.freshDirectory("interop-telemetrygen-peer");
        try (Pipeline pipeline = new Pipeline("interop-telemetrygen").start()) {
            run(telemetrygen, logs, "grpc", List.of("--otlp-endpoint", "127.0.0.1:" + pipeline.ingestGrpc));
            run(telemetrygen, logs, "http", List.of("--otlp-http", "--otlp-endpoint", "127.0.0.1:" + pipeline.ingestHttp));

            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.backend.spanCount() >= 2 * SPANS_PER_RUN);
            assertEquals(2 * SPANS_PER_RUN, pipeline.backend.spansById().size(), "distinct spans");
            assertEquals(2 * SPANS_PER_RUN, pipeline.backend.spanCount(), "no duplicates");
            Map<String, Long> perRun = pipeline.backend.spansById().values().stream()
                    .collect(Collectors.groupingBy(TelemetrygenInteropTest::run, Collectors.counting()));
            assertEquals(Map.of("grpc", (long) SPANS_PER_RUN, "http", (long) SPANS_PER_RUN), perRun);
        }
    }

    static void run(Path telemetrygen, Path logs, String name, List<String> transport) {
        List<String> command = new ArrayList<>(List.of(telemetrygen.toString(), "traces", "--otlp-insecure",
                "--workers", Integer.toString(WORKERS), "--traces", Integer.toString(TRACES_PER_WORKER),
                "--child-spans", Integer.toString(CHILD_SPANS), "--rate", "0",
                "--otlp-header", "authorization=\"Bearer " + Pipeline.TOKEN + "\"",
                "--telemetry-attributes", "interop.run=\"" + name + "\""));
        command.addAll(transport);
        try (PeerProcess load = PeerProcess.start("telemetrygen-" + name, command, Map.of(), logs)) {
            assertEquals(0, load.awaitExit(Duration.ofSeconds(120)), load.log());
        }
    }

    static String run(SpanInContext s) {
        return s.span().getAttributesList().stream().filter(a -> a.getKey().equals("interop.run"))
                .map(a -> a.getValue().getStringValue()).findFirst().orElse("none");
    }
}
