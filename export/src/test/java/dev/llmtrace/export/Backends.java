package dev.llmtrace.export;

import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Fake backends on real ports, one per configured destination, and the export config that points at
 * them. Each destination takes only spans whose {@code test.case} attribute names it, so tests do
 * not see each other's data.
 */
public class Backends implements QuarkusTestResourceLifecycleManager {
    static FakeHttpBackend tempoHttp;
    static FakeHttpBackend openobserveHttp;
    static FakeHttpBackend grafanaCloud;
    static FakeHttpBackend otlpHttpJson;
    static FakeOtlpReceiver tempoGrpc;
    static FakeOtlpReceiver openobserveGrpc;
    static FakeOtlpReceiver otlpGrpc;
    static FakeHttpBackend healthy;
    static FakeHttpBackend flaky;
    static FakeHttpBackend throttling;
    static FakeHttpBackend refusing;
    static FakeHttpBackend slow;
    static int refusedPort;
    static FakeHttpBackend partial;
    static FakeHttpBackend doomed;
    static FakeHttpBackend droppingOldest;
    static FakeHttpBackend blocking;
    /** Longer than the blocking destination's longest retry wait (1 s): a waiting batch is taken once the backend is back. */
    static final Duration WAIT_FOR_ROOM = Duration.ofSeconds(3);
    static FakeOtlpReceiver everything;

    @Override
    public Map<String, String> start() {
        Map<String, String> c = new HashMap<>();
        c.put("export.queue.directory", "target/test-queues/" + System.nanoTime());
        c.put("export.queue.dead-letter-directory", "target/test-dead-letters");

        tempoHttp = new FakeHttpBackend(FreePorts.next());
        destination(c, "tempo-http", "tempo", "http://127.0.0.1:" + tempoHttp.port(), "presets");
        c.put("export.destinations.tempo-http.protocol", "http");

        openobserveHttp = new FakeHttpBackend(FreePorts.next());
        destination(c, "o2-http", "openobserve", "http://127.0.0.1:" + openobserveHttp.port() + "/", "presets");
        c.put("export.destinations.o2-http.organization", "llm-org");
        c.put("export.destinations.o2-http.stream-name", "llm_traces");
        c.put("export.destinations.o2-http.auth.username", "root@example.com");
        c.put("export.destinations.o2-http.auth.password", "o2-password");

        grafanaCloud = new FakeHttpBackend(FreePorts.next());
        destination(c, "cloud", "grafana-cloud", "http://127.0.0.1:" + grafanaCloud.port() + "/otlp", "presets");
        c.put("export.destinations.cloud.auth.username", "123456");
        c.put("export.destinations.cloud.auth.password", "glc_secret");

        otlpHttpJson = new FakeHttpBackend(FreePorts.next());
        destination(c, "json", "otlp-http", "http://127.0.0.1:" + otlpHttpJson.port(), "presets");
        c.put("export.destinations.json.encoding", "json");
        c.put("export.destinations.json.gzip", "false");
        c.put("export.destinations.json.headers.\"X-Api-Key\"", "json-key");

        tempoGrpc = FakeOtlpReceiver.onFreePort();
        destination(c, "tempo-grpc", "tempo", "http://127.0.0.1:" + tempoGrpc.port(), "presets");
        c.put("export.destinations.tempo-grpc.tenant", "team-x");
        c.put("export.destinations.tempo-grpc.auth.bearer-token", "tempo-token");

        openobserveGrpc = FakeOtlpReceiver.onFreePort();
        destination(c, "o2-grpc", "openobserve", "http://127.0.0.1:" + openobserveGrpc.port(), "presets");
        c.put("export.destinations.o2-grpc.protocol", "grpc");
        c.put("export.destinations.o2-grpc.organization", "llm-org");
        c.put("export.destinations.o2-grpc.stream-name", "llm_traces");
        c.put("export.destinations.o2-grpc.auth.username", "root@example.com");
        c.put("export.destinations.o2-grpc.auth.password", "o2-password");

        otlpGrpc = FakeOtlpReceiver.onFreePort();
        destination(c, "otlp-grpc", "otlp-grpc", "http://127.0.0.1:" + otlpGrpc.port(), "presets");

        everything = FakeOtlpReceiver.onFreePort(); // no filter: every batch, passed through as received
        c.put("export.destinations.everything.type", "otlp-grpc");
        c.put("export.destinations.everything.endpoint", "http://127.0.0.1:" + everything.port());

        // faults: fast retries so the tests do not wait on the Collector's 5 s first retry
        healthy = new FakeHttpBackend(FreePorts.next());
        destination(c, "healthy", "otlp-http", "http://127.0.0.1:" + healthy.port(), "outage");
        flaky = new FakeHttpBackend(FreePorts.next());
        destination(c, "flaky", "otlp-http", "http://127.0.0.1:" + flaky.port(), "outage");
        throttling = new FakeHttpBackend(FreePorts.next());
        destination(c, "throttling", "otlp-http", "http://127.0.0.1:" + throttling.port(), "throttled");
        refusing = new FakeHttpBackend(FreePorts.next());
        destination(c, "refusing", "otlp-http", "http://127.0.0.1:" + refusing.port(), "bad-request");
        refusedPort = FreePorts.next(); // nothing listens here until the test starts a backend
        destination(c, "unreachable", "otlp-http", "http://127.0.0.1:" + refusedPort, "refused");
        slow = new FakeHttpBackend(FreePorts.next());
        destination(c, "slow", "otlp-http", "http://127.0.0.1:" + slow.port(), "timeout");
        c.put("export.destinations.slow.timeout", "500ms");
        partial = new FakeHttpBackend(FreePorts.next());
        destination(c, "partial", "otlp-http", "http://127.0.0.1:" + partial.port(), "partial");
        doomed = new FakeHttpBackend(FreePorts.next());
        destination(c, "doomed", "otlp-http", "http://127.0.0.1:" + doomed.port(), "doomed");
        c.put("export.destinations.doomed.retry.max-elapsed", "1s");
        droppingOldest = new FakeHttpBackend(FreePorts.next());
        destination(c, "dropping", "otlp-http", "http://127.0.0.1:" + droppingOldest.port(), "drop-oldest");
        c.put("export.destinations.dropping.queue.max-bytes", "2048");
        c.put("export.destinations.dropping.queue.when-full", "drop-oldest");
        c.put("export.destinations.dropping.queue.consumers", "1");
        blocking = new FakeHttpBackend(FreePorts.next());
        destination(c, "blocking", "otlp-http", "http://127.0.0.1:" + blocking.port(), "block");
        c.put("export.destinations.blocking.queue.max-bytes", "2048");
        c.put("export.destinations.blocking.queue.consumers", "1");
        c.put("export.drain-timeout", "2s");
        c.put("export.queue.wait-for-room", WAIT_FOR_ROOM.toMillis() + "ms");
        for (String name : new String[] {"healthy", "flaky", "throttling", "refusing", "unreachable", "slow", "partial",
                "doomed", "dropping", "blocking"}) {
            c.put("export.destinations." + name + ".retry.initial-interval", "100ms");
            c.put("export.destinations." + name + ".retry.max-interval", "1s");
        }
        return c;
    }

    private static void destination(Map<String, String> c, String name, String type, String endpoint, String testCase) {
        c.put("export.destinations." + name + ".type", type);
        c.put("export.destinations." + name + ".endpoint", endpoint);
        c.put("export.destinations." + name + ".filter.attributes.\"test.case\"", testCase);
    }

    @Override
    public void stop() {
        for (AutoCloseable fake : new AutoCloseable[] {tempoHttp, openobserveHttp, grafanaCloud, otlpHttpJson, tempoGrpc,
                openobserveGrpc, otlpGrpc, everything, healthy, flaky, throttling, refusing, slow, partial, doomed, droppingOldest, blocking}) {
            try {
                fake.close();
            } catch (Exception ignored) {
                // test teardown
            }
        }
    }
}
