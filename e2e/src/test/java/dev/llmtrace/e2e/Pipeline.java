package dev.llmtrace.e2e;

import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline as a user runs it, on free ports, export delivering to a fake backend and the file sink:
 * ingest → enrich → export as three processes, or, with {@code -Dllmtrace.assembly=all-in-one}, the
 * all-in-one as one process (then {@link #ingest}, {@link #enrich} and {@link #export} are that process).
 */
final class Pipeline implements AutoCloseable {
    static final String TOKEN = "e2e-token-0123456789";
    static final String TENANT = "e2e";
    static final Duration READY = Duration.ofSeconds(90);
    /** A destination credential: it must never show up in a log. */
    static final String BACKEND_SECRET = "backend-secret-4242";
    /** Which assembly the e2e tests drive (a Maven execution each). */
    static final boolean ALL_IN_ONE = "all-in-one".equals(System.getProperty("llmtrace.assembly"));

    final FakeOtlpReceiver backend = FakeOtlpReceiver.onFreePort();
    final int ingestGrpc = FreePorts.next();
    final int ingestHttp = FreePorts.next();
    final Path sinkDir;
    final ServiceProcess ingest;
    final ServiceProcess enrich;
    final ServiceProcess export;
    private final List<ServiceProcess> processes;

    Pipeline(String name) {
        this(name, Map.of());
    }

    /** {@code exportSettings} are added to export's (more destinations, say). */
    Pipeline(String name, Map<String, String> exportSettings) {
        this(name, exportSettings, Map.of());
    }

    /** {@code exportSettings} and {@code ingestSettings} are added to those services' own. */
    Pipeline(String name, Map<String, String> exportSettings, Map<String, String> ingestSettings) {
        this(name, exportSettings, ingestSettings, Map.of());
    }

    /**
     * {@code environments} are added to the services' environments (profiles, certificate files), by module name:
     * ingest, enrich, export; the all-in-one takes ingest's.
     */
    Pipeline(String name, Map<String, String> exportSettings, Map<String, String> ingestSettings,
            Map<String, Map<String, String>> environments) {
        Path work = freshDirectory(name);
        sinkDir = work.resolve("sink");
        int enrichGrpc = FreePorts.next();
        int exportGrpc = FreePorts.next();

        Map<String, String> exportProps = new HashMap<>();
        exportProps.putAll(exportTo(backend.port(), work));
        exportProps.put("export.sink.enabled", "true");
        exportProps.put("export.sink.directory", sinkDir.toString());
        exportProps.putAll(exportSettings);

        Map<String, String> ingestProps = new HashMap<>();
        ingestProps.put("quarkus.grpc.server.port", Integer.toString(ingestGrpc));
        ingestProps.put("quarkus.http.port", Integer.toString(ingestHttp));
        ingestProps.put("quarkus.management.port", Integer.toString(FreePorts.next()));
        ingestProps.put("ingest.wal.directory", work.resolve("wal").toString());
        ingestProps.putAll(ingestSettings);
        // tokens through the environment, as a Kubernetes Secret would pass them
        Map<String, String> ingestEnv = new HashMap<>(environments.getOrDefault("ingest", Map.of()));
        ingestEnv.putIfAbsent("INGEST_AUTH_TOKENS", TENANT + "=" + TOKEN); // a test may add tenants, keeping this one
        int ingestManagement = Integer.parseInt(ingestProps.get("quarkus.management.port"));

        if (ALL_IN_ONE) {
            Map<String, String> props = new HashMap<>(exportProps);
            props.putAll(ingestProps);
            ingest = enrich = export = new ServiceProcess("all-in-one", props, ingestEnv, ingestManagement, work);
            processes = List.of(ingest);
            return;
        }
        exportProps.put("quarkus.grpc.server.port", Integer.toString(exportGrpc));
        exportProps.put("quarkus.http.port", Integer.toString(FreePorts.next()));
        // the hops' connections renewed every few seconds (2 min by default), so every count here is also a count
        // across connections told to go away with calls in flight
        exportProps.putIfAbsent("export.grpc.max-connection-age", HOP_CONNECTION_AGE);
        export = new ServiceProcess("export", exportProps, environments.getOrDefault("export", Map.of()), Integer.parseInt(exportProps.get("quarkus.http.port")), work);

        Map<String, String> enrichProps = new HashMap<>();
        enrichProps.put("quarkus.grpc.server.port", Integer.toString(enrichGrpc));
        enrichProps.put("quarkus.http.port", Integer.toString(FreePorts.next()));
        enrichProps.put("quarkus.grpc.clients.export.port", Integer.toString(exportGrpc));
        enrichProps.put("enrich.grpc.max-connection-age", HOP_CONNECTION_AGE);
        enrich = new ServiceProcess("enrich", enrichProps, environments.getOrDefault("enrich", Map.of()), Integer.parseInt(enrichProps.get("quarkus.http.port")), work);

        ingestProps.put("quarkus.grpc.clients.enrich.port", Integer.toString(enrichGrpc));
        ingest = new ServiceProcess("ingest", ingestProps, ingestEnv, ingestManagement, work);
        processes = List.of(export, enrich, ingest);
    }

    static final String HOP_CONNECTION_AGE = "3s";

    /** The processes of this assembly, in start order (three, or the all-in-one alone). */
    List<ServiceProcess> processes() {
        return processes;
    }

    /** e2e/target/NAME, emptied: a queue left by an earlier run would replay into this one. */
    static Path freshDirectory(String name) {
        Path dir = ServiceProcess.repoRoot().resolve("e2e/target/" + name);
        dev.llmtrace.core.FileTrees.deleteTree(dir);
        return dir;
    }

    /** export's settings for one OTLP/gRPC destination, with its queue under {@code work}. */
    static Map<String, String> exportTo(int backendPort, Path work) {
        return Map.of(
                "export.destinations.backend.type", "otlp-grpc",
                "export.destinations.backend.endpoint", "http://127.0.0.1:" + backendPort,
                "export.destinations.backend.auth.bearer-token", BACKEND_SECRET,
                "export.destinations.backend.retry.initial-interval", "200ms",
                "export.destinations.backend.retry.max-interval", "2s",
                "export.queue.directory", work.resolve("queue").toString(),
                "export.queue.dead-letter-directory", work.resolve("dead-letter").toString());
    }

    Pipeline start() {
        processes.forEach(ServiceProcess::start);
        processes.forEach(p -> p.awaitReady(READY));
        return this;
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        backend.close();
    }
}
